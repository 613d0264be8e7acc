package io.dfstree.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dfstree.client.FdfsClient;
import io.dfstree.client.FdfsClientOptions;
import io.dfstree.client.ServerAddress;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every client tool shares: tracker addresses, JSON output, and the exit-code contract — 0 on
 * success, the server's errno on a FastDFS error (printed as {@code error: ENOENT (no such file,
 * group or storage): <context>}), 1 for a local problem such as a missing local file, 2 for a usage
 * error (picocli).
 */
abstract class ClientCommand implements Callable<Integer> {
  /** Environment variable naming the tracker(s) when no --tracker is given (comma separated). */
  static final String TRACKER_ENV = "DFSTREE_TRACKER";

  static final String DEFAULT_TRACKER = "127.0.0.1:22122";

  /** Exit code for local problems (files on this machine, bad input found after parsing). */
  static final int LOCAL_FAILURE = 1;

  @Spec CommandSpec spec;

  @Option(
      names = "--tracker",
      paramLabel = "HOST:PORT",
      description =
          "tracker address (repeatable; default $" + TRACKER_ENV + " or " + DEFAULT_TRACKER + ")")
  List<String> trackers = new ArrayList<>();

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description = "network timeout for each read (default ${DEFAULT-VALUE})")
  int timeoutSeconds;

  /** Does the work; output goes to {@link #out()}. Returns the exit code for success paths. */
  abstract int execute() throws IOException;

  @Override
  public final Integer call() {
    try {
      return execute();
    } catch (FdfsException e) {
      err()
          .println(
              "error: "
                  + Errno.name(e.errno())
                  + " ("
                  + Errno.describe(e.errno())
                  + "): "
                  + e.getMessage());
      return e.errno();
    } catch (LocalProblem e) {
      err().println("error: " + e.getMessage());
      return LOCAL_FAILURE;
    } catch (IOException e) {
      return networkFailure(networkErrno(e), e);
    } finally {
      out().flush();
      err().flush();
    }
  }

  /** The errno a network failure stands for; the client wraps socket errors to add the address. */
  static int networkErrno(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return Errno.ECONNREFUSED;
      }
      if (t instanceof SocketTimeoutException) {
        return Errno.ETIMEDOUT;
      }
    }
    return Errno.EIO;
  }

  private int networkFailure(int errno, IOException e) {
    err()
        .println(
            "error: " + Errno.name(errno) + " (" + Errno.describe(errno) + "): " + e.getMessage());
    return errno;
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** The client for the chosen trackers. */
  FdfsClient client() {
    return new FdfsClient(clientOptions());
  }

  FdfsClientOptions clientOptions() {
    List<String> texts = new ArrayList<>(trackers);
    if (texts.isEmpty()) {
      String env = System.getenv(TRACKER_ENV);
      texts.add(env == null || env.isBlank() ? DEFAULT_TRACKER : env);
    }
    List<ServerAddress> addresses = new ArrayList<>();
    for (String text : texts) {
      for (String one : text.split("[,\\s]+")) {
        if (one.isEmpty()) {
          continue;
        }
        try {
          addresses.add(ServerAddress.parse(one, ServerAddress.DEFAULT_TRACKER_PORT));
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "bad --tracker: " + e.getMessage());
        }
      }
    }
    Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
    return new FdfsClientOptions(addresses, FdfsClientOptions.DEFAULT_CONNECT_TIMEOUT, timeout);
  }

  /** Prints {@code value} as indented JSON on stdout. */
  void printJson(Object value) {
    try {
      out().println(JSON.writeValueAsString(value));
    } catch (IOException e) {
      throw new LocalProblem("cannot format JSON: " + e.getMessage());
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A failure on this machine (local file missing, unreadable, ...): exit code 1. */
  static final class LocalProblem extends RuntimeException {
    LocalProblem(String message) {
      super(message, null, false, false);
    }
  }
}
