package io.dfstree.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dfstree.TestPorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Runs the built fat jar ({@code -Ddfstree.jar}, set by failsafe) as separate processes: servers
 * that stay up until {@link Server#close()}, and client commands that run to completion. Everything
 * binds 127.0.0.1 on ports found free at run time.
 */
final class Jar {
  private Jar() {}

  static Path jar() {
    String p = System.getProperty("dfstree.jar");
    assertTrue(p != null, "system property dfstree.jar is not set (run with mvn verify)");
    Path jar = Path.of(p).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), jar + " missing: run `mvn package` first");
    return jar;
  }

  static String javaBin(String tool) {
    return Path.of(System.getProperty("java.home"), "bin", tool).toString();
  }

  /** A Hazelcast seed whose block of ports is free ({@link TestPorts#hazelcastSeed}). */
  static int hazelcastPort() {
    return TestPorts.hazelcastSeed();
  }

  static List<String> command(List<String> jvmArgs, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin("java"));
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(args);
    return cmd;
  }

  /** The outcome of a finished client command. */
  record Result(int exit, String out, String err, long millis) {
    @Override
    public String toString() {
      return "exit " + exit + " after " + millis + " ms\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs {@code java -jar dfstree.jar args...} in {@code dir} and waits up to {@code timeout}. */
  static Result run(Path dir, Duration timeout, String... args) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command(List.of(), List.of(args))).directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("DFSTREE_"));
    Path out = Files.createTempFile(dir, "cli", ".out");
    Path err = Files.createTempFile(dir, "cli", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("`" + String.join(" ", args) + "` did not finish within " + timeout);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err), ms);
    } finally {
      stop(p, Duration.ofSeconds(5));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited in {@code grace}; only ever our own process. */
  static boolean stop(Process p, Duration grace) throws InterruptedException {
    if (!p.isAlive()) {
      return true;
    }
    p.destroy();
    if (p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
    return false;
  }

  /** A server process whose stdout and stderr are collected line by line while it runs. */
  static final class Server implements AutoCloseable {
    final Process process;
    final List<String> out = Collections.synchronizedList(new ArrayList<>());
    final List<String> err = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean suspended;

    private Server(Process process) {
      this.process = process;
      pump(process.getInputStream(), out, "out");
      pump(process.getErrorStream(), err, "err");
    }

    /**
     * Starts the jar behind a wrapper command that execs it ({@code ip netns exec NS}, {@code
     * faketime ...}), so {@link #pid()} is still the JVM's own pid for kill -9 and SIGSTOP.
     */
    static Server startWrapped(
        Path dir,
        List<String> wrapper,
        List<String> jvmArgs,
        Map<String, String> env,
        String... args)
        throws IOException {
      List<String> cmd = new ArrayList<>(wrapper);
      cmd.addAll(command(jvmArgs, List.of(args)));
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("DFSTREE_"));
      pb.environment().putAll(env);
      return new Server(pb.start());
    }

    static Server start(Path dir, List<String> jvmArgs, Map<String, String> env, String... args)
        throws IOException {
      ProcessBuilder pb =
          new ProcessBuilder(command(jvmArgs, List.of(args))).directory(dir.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("DFSTREE_"));
      pb.environment().putAll(env);
      return new Server(pb.start());
    }

    private void pump(InputStream in, List<String> sink, String name) {
      Thread t =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    sink.add(line);
                  }
                } catch (IOException ignored) {
                  // process gone
                }
              },
              "server-" + name + "-" + process.pid());
      t.setDaemon(true);
      t.start();
    }

    /** Waits for the banner's "started" line; fails with the output if the process dies first. */
    Server awaitStarted(Duration timeout) throws InterruptedException {
      try {
        await()
            .atMost(timeout)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  boolean started = stdout().contains(" started");
                  if (!started && !process.isAlive()) {
                    fail(
                        "server exited with "
                            + process.exitValue()
                            + " before starting\n"
                            + output());
                  }
                  return started;
                });
      } catch (ConditionTimeoutException e) {
        fail("server did not print its banner within " + timeout + "\n" + output());
      }
      Thread.sleep(200); // let the rest of the banner arrive
      return this;
    }

    /** Waits until stdout contains {@code text} (the storage turning ACTIVE, for example). */
    boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
      try {
        await()
            .atMost(timeout)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> stdout().contains(text));
        return true;
      } catch (ConditionTimeoutException e) {
        return false;
      }
    }

    String stdout() {
      synchronized (out) {
        return String.join("\n", out) + "\n";
      }
    }

    String stderr() {
      synchronized (err) {
        return String.join("\n", err) + "\n";
      }
    }

    String output() {
      return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
    }

    long pid() {
      return process.pid();
    }

    /** Lines of stdout containing {@code text}. */
    long countOutput(String text) {
      synchronized (out) {
        return out.stream().filter(l -> l.contains(text)).count();
      }
    }

    /** SIGSTOP: the process freezes, its sockets stay open (a stalled peer, not a dead one). */
    void suspend() throws Exception {
      signal("STOP");
      suspended = true;
    }

    /** SIGCONT after {@link #suspend()}. */
    void resume() throws Exception {
      signal("CONT");
      suspended = false;
    }

    boolean suspended() {
      return suspended;
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
      List<ProcessHandle> below = process.descendants().toList();
      process.destroyForcibly();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        fail("process " + process.pid() + " survived SIGKILL");
      }
      below.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * A wrapper ({@code faketime}) may fork the JVM instead of exec'ing it; stopping the wrapper
     * alone left that JVM running after the test. Its descendants are taken before it stops (an
     * orphan is no longer listed) and stopped after it.
     */
    private void stopBelow(List<ProcessHandle> below) {
      for (ProcessHandle h : below) {
        h.destroy();
      }
      for (ProcessHandle h : below) {
        try {
          h.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception slow) {
          h.destroyForcibly();
        }
      }
    }

    /** Sends {@code sig} to this process only, by its pid. */
    private void signal(String sig) throws Exception {
      assertTrue(process.isAlive(), "process " + process.pid() + " is not running");
      Process k =
          new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
        k.destroyForcibly();
        fail(
            "kill -"
                + sig
                + " "
                + process.pid()
                + " failed: "
                + new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    }

    /**
     * Stops the process; a suspended one is continued first, or SIGTERM would wait for the grace
     * period.
     */
    @Override
    public void close() throws InterruptedException {
      if (suspended && process.isAlive()) {
        try {
          resume();
        } catch (Exception | AssertionError e) {
          process.destroyForcibly(); // SIGKILL works on a stopped process too
        }
      }
      List<ProcessHandle> below = process.descendants().toList();
      stop(process, Duration.ofSeconds(20));
      stopBelow(below);
    }
  }
}
