package io.dfstree.cli;

import java.io.IOException;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code delete <fileId>}: removes the file and its metadata. */
@Command(
    mixinStandardHelpOptions = true,
    name = "delete",
    description = "Delete a file and its metadata.")
final class DeleteCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "FILEID")
  String fileId;

  @Override
  int execute() throws IOException {
    client().delete(fileId);
    if (json) {
      printJson(Map.of("deleted", fileId));
    } else {
      out().println("deleted " + fileId);
    }
    return 0;
  }
}
