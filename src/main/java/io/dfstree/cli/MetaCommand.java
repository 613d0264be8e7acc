package io.dfstree.cli;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code meta get|set}: read or change a file's name/value metadata. */
@Command(
    mixinStandardHelpOptions = true,
    name = "meta",
    description = "Get or set a file's metadata.",
    subcommands = {MetaCommand.Get.class, MetaCommand.Set.class})
final class MetaCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "choose 'meta get' or 'meta set'");
  }

  /** Prints {@code key=value} lines (nothing when the file has no metadata). */
  @Command(
      mixinStandardHelpOptions = true,
      name = "get",
      description = "Print a file's metadata as KEY=VALUE lines.")
  static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "FILEID")
    String fileId;

    @Override
    int execute() throws IOException {
      Map<String, String> metadata = client().getMetadata(fileId);
      if (json) {
        printJson(metadata);
      } else {
        metadata.forEach((k, v) -> out().println(k + "=" + v));
      }
      return 0;
    }
  }

  /** Replaces the metadata, or merges into it with {@code --merge}. */
  @Command(
      mixinStandardHelpOptions = true,
      name = "set",
      description = "Replace (or with --merge, update) a file's metadata.")
  static final class Set extends ClientCommand {
    @Parameters(index = "0", paramLabel = "FILEID")
    String fileId;

    @Parameters(
        index = "1..*",
        paramLabel = "KEY=VALUE",
        description = "pairs to store (none with replace = clear)")
    List<String> pairs = List.of();

    @Option(names = "--merge", description = "keep existing keys not named here")
    boolean merge;

    @Override
    int execute() throws IOException {
      Map<String, String> metadata = UploadCommand.parseMetadata(spec.commandLine(), pairs);
      client().setMetadata(fileId, metadata, merge);
      if (json) {
        printJson(Map.of("fileId", fileId, "merged", merge, "metadata", metadata));
      }
      return 0;
    }
  }
}
