package io.dfstree.cli;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The load options the benchmark commands share ({@code bench}, {@code bench-s3}): how many items,
 * how large, over how many connections. A picocli mixin; each command keeps its own defaults, given
 * by a {@link Defaults} subclass named in its {@code @Command(defaultValueProvider = ...)} and
 * shown in its help as written there ({@code 1K}, not 1024).
 */
final class LoadOptions {
  @Option(names = "-n", description = "number of files or objects (default ${DEFAULT-VALUE})")
  int count;

  @Option(
      names = "-s",
      converter = ByteSizeConverter.class,
      description = "size of each: 1024, 4K, 1M ... (default ${DEFAULT-VALUE})")
  long size;

  @Option(names = "-c", description = "concurrent connections (default ${DEFAULT-VALUE})")
  int concurrency;

  /** One command's defaults for {@code -n}, {@code -s} and {@code -c}. */
  abstract static class Defaults implements IDefaultValueProvider {
    private final String count;
    private final String size;
    private final String concurrency;

    Defaults(String count, String size, String concurrency) {
      this.count = count;
      this.size = size;
      this.concurrency = concurrency;
    }

    @Override
    public String defaultValue(ArgSpec arg) {
      if (!(arg instanceof OptionSpec o)) {
        return null;
      }
      return switch (o.longestName()) {
        case "-n" -> count;
        case "-s" -> size;
        case "-c" -> concurrency;
        default -> null; // the option's own defaultValue
      };
    }
  }
}
