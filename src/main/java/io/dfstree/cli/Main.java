package io.dfstree.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar dfstree.jar [command]}: the server roles and FastDFS's client tools in one jar.
 * With no command it starts the embedded single-node default (a tracker and one storage).
 */
@Command(
    name = "dfstree",
    mixinStandardHelpOptions = true,
    version = "DistributedFSTree 0.1.0",
    description =
        "A FastDFS-compatible distributed file system. Without a command: the embedded single node.",
    subcommands = {
      ServeCommand.AllInOne.class,
      ServeCommand.Tracker.class,
      ServeCommand.Storage.class,
      UploadCommand.class,
      DownloadCommand.class,
      DeleteCommand.class,
      InfoCommand.class,
      MetaCommand.class,
      AppendCommand.class,
      MonitorCommand.class,
      BenchCommand.class,
      S3BenchCommand.class,
      PackedBenchCommand.class,
    })
public final class Main implements Runnable {

  static {
    // Netty (4.2 on Java 9+) makes its pooled direct chunks with ByteBuffer.allocateDirect unless
    // it may call DirectByteBuffer's private constructor: allocateDirect zeroes every new chunk on
    // the event loop that asked for it (6% of a 32 MiB c=16 upload's samples) and hangs a Cleaner
    // on it. The manifest opens java.nio; this lets Netty use it. Set before any Netty class loads.
    if (System.getProperty("io.netty.tryReflectionSetAccessible") == null) {
      System.setProperty("io.netty.tryReflectionSetAccessible", "true");
    }
  }

  public static void main(String[] args) {
    int code = execute(args);
    if (code != ServeCommand.KEEP_RUNNING) {
      System.exit(code);
    }
  }

  /**
   * Runs a command line and returns its exit code (servers return {@link
   * ServeCommand#KEEP_RUNNING}).
   */
  public static int execute(String... args) {
    return execute(null, null, args);
  }

  /**
   * Like {@link #execute(String...)}, writing the commands' output and error text to the given
   * writers (null keeps stdout/stderr), so tests can run the client tools in-process.
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    String[] effective = withDefaultRole(args);
    CommandLine cl = new CommandLine(new Main());
    if (out != null) {
      cl.setOut(out);
    }
    if (err != null) {
      cl.setErr(err);
    }
    cl.setExecutionExceptionHandler(
        (ex, line, parsed) -> {
          line.getErr().println("error: " + describe(ex));
          return 1;
        });
    return cl.execute(effective);
  }

  /** An error for a person: its message, or what it is when it has none (a timeout, a bug). */
  static String describe(Throwable ex) {
    StringBuilder b = new StringBuilder(ex.getMessage() != null ? ex.getMessage() : ex.toString());
    for (Throwable c = ex.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      if (ex.getMessage() == null
          || (c.getMessage() != null && !ex.getMessage().contains(c.getMessage()))) {
        b.append(" (caused by ").append(c).append(')');
        break;
      }
    }
    return b.toString();
  }

  /**
   * No command means the embedded single node: {@code dfstree} and {@code dfstree --set k=v --conf
   * f} both run {@code all-in-one}. Only help and version stay top-level options.
   */
  static String[] withDefaultRole(String[] args) {
    if (args.length == 0) {
      return new String[] {"all-in-one"};
    }
    String first = args[0];
    boolean topLevel =
        first.equals("-h")
            || first.equals("--help")
            || first.equals("-V")
            || first.equals("--version");
    if (first.startsWith("-") && !topLevel) {
      String[] out = new String[args.length + 1];
      out[0] = "all-in-one";
      System.arraycopy(args, 0, out, 1, args.length);
      return out;
    }
    return args;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
