package io.dfstree.cli;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code download <fileId> [local]}: like fdfs_download_file, but exits non-zero on failure. Writes
 * to {@code <local>.part} first and renames on success, so a failed download never leaves a
 * truncated file under the real name.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "download",
    description = "Download a file (default local name: last part of the id; - for stdout).")
final class DownloadCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "FILEID")
  String fileId;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "LOCAL",
      description = "where to write (default: last component of FILEID)")
  String local;

  @Option(names = "--offset", defaultValue = "0", description = "first byte to fetch")
  long offset;

  @Option(names = "--length", defaultValue = "0", description = "bytes to fetch (0 = to the end)")
  long length;

  @Override
  int execute() throws IOException {
    if (offset < 0 || length < 0) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--offset and --length must be >= 0");
    }
    if ("-".equals(local)) {
      // raw bytes cannot go through picocli's character writer; stdout is the only byte sink here
      OutputStream stdout = new BufferedOutputStream(System.out, 64 * 1024);
      client().download(fileId, offset, length, stdout);
      stdout.flush();
      return 0;
    }
    Path target = Path.of(local != null ? local : fileId.substring(fileId.lastIndexOf('/') + 1));
    Path partial = target.resolveSibling(target.getFileName() + ".part");
    long written;
    try (Progress bar = Progress.start("download", expectedBytes(), json);
        OutputStream sink = bar.wrap(openLocal(partial))) {
      written = client().download(fileId, offset, length, sink);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    if (json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("fileId", fileId);
      result.put("path", target.toString());
      result.put("bytes", written);
      printJson(result);
    } else {
      out().println(target + ": " + written + " bytes");
    }
    return 0;
  }

  /**
   * What the transfer will carry, when known without asking: --length, or the size a normal file's
   * name records.
   */
  long expectedBytes() {
    if (length > 0) {
      return length;
    }
    try {
      FileName.Decoded d = FileId.parse(fileId).decoded();
      return d.nameDescribesContent() ? Math.max(0, d.fileSize() - offset) : -1;
    } catch (RuntimeException e) {
      return -1; // the client reports a malformed id itself
    }
  }

  private static OutputStream openLocal(Path path) {
    try {
      return new BufferedOutputStream(Files.newOutputStream(path), 64 * 1024);
    } catch (IOException e) {
      throw new LocalProblem("cannot write " + path + ": " + e.getMessage());
    }
  }
}
