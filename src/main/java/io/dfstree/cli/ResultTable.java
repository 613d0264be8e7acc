package io.dfstree.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a benchmark run as {@code bench} and {@code bench-s3} print it: one row per phase
 * (operation, count, errors, ops/s, MiB/s, p50 and p99 ms, and the servers' CPU µs per operation
 * when {@code --server-pid} was given), then the first error of each phase that had one. One table
 * for both commands, so their rows can be put side by side (benchmark/s3-compare.sh reads them).
 */
final class ResultTable {
  private ResultTable() {}

  /** The table as text; the CPU column only when {@code cpu} measured something. */
  static void print(PrintWriter out, List<PhaseResult> results, ServerCpuProbe cpu) {
    out.printf(
        "%-10s %8s %7s %10s %9s %9s %9s%s%n",
        "operation",
        "count",
        "errors",
        "ops/s",
        "MiB/s",
        "p50 ms",
        "p99 ms",
        cpu.enabled() ? String.format(" %10s", "srv us/op") : "");
    for (PhaseResult r : results) {
      String mib = r.mibPerSecond() < 0 ? "-" : String.format("%.2f", r.mibPerSecond());
      out.printf(
          "%-10s %8d %7d %10.1f %9s %9s %9s%s%n",
          r.operation(),
          r.count(),
          r.errors(),
          r.opsPerSecond(),
          mib,
          millis(r, 50),
          millis(r, 99),
          cpu.enabled() ? String.format(" %10s", cpuColumn(r, cpu)) : "");
    }
    for (PhaseResult r : results) {
      if (r.firstError() != null) {
        out.printf("first %s error: %s%n", r.operation(), r.firstError());
      }
    }
  }

  /** One phase as a JSON object (bench --json); figures that were not measured are null. */
  static Map<String, Object> json(PhaseResult r, ServerCpuProbe cpu) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("operation", r.operation());
    p.put("count", r.count());
    p.put("errors", r.errors());
    p.put("seconds", r.seconds());
    p.put("opsPerSecond", r.opsPerSecond());
    p.put("mibPerSecond", r.mibPerSecond() < 0 ? null : r.mibPerSecond());
    p.put("p50Ms", r.hasLatencies() ? r.percentileMillis(50) : null);
    p.put("p99Ms", r.hasLatencies() ? r.percentileMillis(99) : null);
    double cpuMicros = cpu.measuredMicrosPerOp(r.operation());
    p.put("serverCpuMicrosPerOp", Double.isNaN(cpuMicros) ? null : cpuMicros);
    p.put("firstError", r.firstError());
    return p;
  }

  private static String cpuColumn(PhaseResult r, ServerCpuProbe cpu) {
    return ServerCpuProbe.format(cpu.measuredMicrosPerOp(r.operation()));
  }

  private static String millis(PhaseResult r, double p) {
    return r.hasLatencies() ? String.format("%.2f", r.percentileMillis(p)) : "-";
  }
}
