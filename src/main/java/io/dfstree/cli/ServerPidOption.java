package io.dfstree.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --server-pid}, the option {@code bench} and {@code bench-s3} share (a picocli mixin): the
 * server processes whose CPU time each phase is charged with ({@link ServerCpuProbe}).
 */
final class ServerPidOption {
  @Option(
      names = "--server-pid",
      split = ",",
      paramLabel = "PID",
      description =
          "server process(es) on this machine: adds each phase's server CPU us/op (from /proc)")
  List<Long> pids = new ArrayList<>();

  /** A probe over the given processes; without any it measures nothing. */
  ServerCpuProbe probe() {
    return new ServerCpuProbe(pids);
  }
}
