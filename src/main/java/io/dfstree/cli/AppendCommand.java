package io.dfstree.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code append <appenderFileId> <file>}: like fdfs_append_file. */
@Command(
    mixinStandardHelpOptions = true,
    name = "append",
    description = "Append a local file to an appender file.")
final class AppendCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "APPENDER_FILEID")
  String fileId;

  @Parameters(index = "1", paramLabel = "FILE")
  Path file;

  @Override
  int execute() throws IOException {
    long size = LocalFiles.sizeOf(file);
    try (Progress bar = Progress.start("append", size, json);
        InputStream in = bar.wrap(LocalFiles.open(file))) {
      client().append(fileId, in, size);
    }
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("fileId", fileId);
      result.put("appended", size);
      printJson(result);
    } else {
      out().println("appended " + size + " bytes to " + fileId);
    }
    return 0;
  }
}
