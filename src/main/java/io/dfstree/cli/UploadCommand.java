package io.dfstree.cli;

import io.dfstree.client.StoredFile;
import io.dfstree.fileid.FileId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code upload <file>}: like fdfs_upload_file, prints the new file id on one line. */
@Command(
    mixinStandardHelpOptions = true,
    name = "upload",
    description = "Upload a local file; prints the file id.")
final class UploadCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "FILE", description = "local file to upload")
  Path file;

  @Option(names = "--group", description = "group to store in (default: the tracker chooses)")
  String group;

  @Option(
      names = "--ext",
      description = "extension to record, without the dot (default: from FILE when <= 6 chars)")
  String ext;

  @Option(
      names = "--meta",
      paramLabel = "KEY=VALUE",
      description = "metadata to attach (repeatable)")
  List<String> meta = List.of();

  @Option(names = "--appender", description = "create an appender file (accepts append later)")
  boolean appender;

  @Option(
      names = "--master",
      paramLabel = "FILEID",
      description = "upload a slave file of this master (needs --prefix)")
  String master;

  @Option(names = "--prefix", description = "slave name prefix, e.g. _small (with --master)")
  String prefix;

  @Override
  int execute() throws IOException {
    if ((master == null) != (prefix == null)) {
      throw new ParameterException(spec.commandLine(), "--master and --prefix go together");
    }
    if (master != null && appender) {
      throw new ParameterException(spec.commandLine(), "a slave file cannot be an appender file");
    }
    Map<String, String> metadata = parseMetadata(spec.commandLine(), meta);
    String extension = ext != null ? ext : extensionOf(file);
    checkToken("--ext", extension, 6);
    if (prefix != null) {
      checkToken("--prefix", prefix, 16);
    }
    long size = LocalFiles.sizeOf(file);
    StoredFile stored;
    CRC32 crc = new CRC32();
    try (Progress bar = Progress.start("upload", size, json);
        InputStream in = bar.wrap(new CheckedInputStream(LocalFiles.open(file), crc))) {
      stored =
          master != null
              ? client().uploadSlave(master, prefix, extension, in, size, metadata)
              : client().upload(group, in, size, extension, metadata, appender);
    }
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("fileId", stored.fileId());
      result.put("group", stored.group());
      result.put("remoteName", stored.remoteName());
      result.put("size", size);
      result.put("crc32", crc.getValue());
      printJson(result);
    } else {
      out().println(stored.fileId());
    }
    return 0;
  }

  private void checkToken(String what, String value, int max) {
    try {
      FileId.checkToken(what, value, max);
    } catch (RuntimeException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The local file's extension when FastDFS can record it (<= 6 name characters), else none. */
  static String extensionOf(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      return "";
    }
    String e = name.substring(dot + 1);
    if (e.length() > 6) {
      return "";
    }
    for (int i = 0; i < e.length(); i++) {
      if (!FileId.isNameChar(e.charAt(i))) {
        return "";
      }
    }
    return e;
  }

  /** {@code key=value} arguments in the given order; a missing '=' is a usage error. */
  static Map<String, String> parseMetadata(picocli.CommandLine line, List<String> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ParameterException(line, "metadata must be KEY=VALUE: " + pair);
      }
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }
}
