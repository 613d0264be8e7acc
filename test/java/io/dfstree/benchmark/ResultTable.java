package io.dfstree.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The measured phases, printed as one table: a row per (topology, client, concurrency, size,
 * operation, system) with ops/s, MiB/s, p50/p99, server CPU µs per operation and the ratios to
 * FastDFS's row with the same key. Pure: no sockets, no processes.
 */
final class ResultTable {
  /** The system every ratio is taken against. */
  static final String REFERENCE = "fastdfs";

  /** What a row compares: everything but the system. */
  record Key(String topology, String client, int concurrency, long size, String operation) {}

  /** One measured phase. Latencies in milliseconds; cpuMicrosPerOp NaN when unknown. */
  record Row(
      Key key,
      String system,
      long ops,
      long errors,
      double seconds,
      double p50Ms,
      double p99Ms,
      double cpuMicrosPerOp,
      String firstError) {
    double opsPerSecond() {
      return seconds <= 0 ? 0 : ops / seconds;
    }

    double mibPerSecond() {
      return opsPerSecond() * key.size() / (1024.0 * 1024.0);
    }
  }

  private final List<Row> rows = new ArrayList<>();

  synchronized void add(Row r) {
    rows.add(r);
  }

  synchronized List<Row> rows() {
    return List.copyOf(rows);
  }

  /** ops/s of {@code r} divided by FastDFS's for the same key; NaN when FastDFS has no such row. */
  synchronized double speedRatio(Row r) {
    Row ref = reference(r.key());
    return ref == null || ref.opsPerSecond() <= 0
        ? Double.NaN
        : r.opsPerSecond() / ref.opsPerSecond();
  }

  /** CPU per operation of {@code r} divided by FastDFS's (below 1: cheaper than FastDFS). */
  synchronized double cpuRatio(Row r) {
    Row ref = reference(r.key());
    return ref == null || !(ref.cpuMicrosPerOp() > 0)
        ? Double.NaN
        : r.cpuMicrosPerOp() / ref.cpuMicrosPerOp();
  }

  /** p50 of {@code r} divided by FastDFS's (below 1: faster than FastDFS). */
  synchronized double latencyRatio(Row r) {
    Row ref = reference(r.key());
    return ref == null || !(ref.p50Ms() > 0) ? Double.NaN : r.p50Ms() / ref.p50Ms();
  }

  private Row reference(Key k) {
    for (Row r : rows) {
      if (r.key().equals(k) && r.system().equals(REFERENCE)) {
        return r;
      }
    }
    return null;
  }

  static String size(long bytes) {
    if (bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " B";
  }

  private static String num(double v, String fmt) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, fmt, v);
  }

  static final String HEADER =
      String.format(
          Locale.ROOT,
          "%-6s %-8s %3s %7s %-8s %-8s | %9s %8s %8s %8s %9s | %6s %6s %6s | %s",
          "topo",
          "client",
          "c",
          "size",
          "op",
          "system",
          "ops/s",
          "MiB/s",
          "p50 ms",
          "p99 ms",
          "cpu us/op",
          "x ops",
          "x p50",
          "x cpu",
          "errors");

  /**
   * One line of the table; the ratios are to FastDFS (ops/s: above 1 is better; p50 and cpu: below
   * 1 is better).
   */
  synchronized String format(Row r) {
    Key k = r.key();
    String err =
        r.errors() == 0
            ? ""
            : r.errors() + (r.firstError() == null ? "" : " first: " + r.firstError());
    return String.format(
            Locale.ROOT,
            "%-6s %-8s %3d %7s %-8s %-8s | %9s %8s %8s %8s %9s | %6s %6s %6s | %s",
            k.topology(),
            k.client(),
            k.concurrency(),
            size(k.size()),
            k.operation(),
            r.system(),
            num(r.opsPerSecond(), "%.1f"),
            num(r.mibPerSecond(), "%.1f"),
            num(r.p50Ms(), "%.2f"),
            num(r.p99Ms(), "%.2f"),
            num(r.cpuMicrosPerOp(), "%.0f"),
            num(speedRatio(r), "%.2f"),
            num(latencyRatio(r), "%.2f"),
            num(cpuRatio(r), "%.2f"),
            err)
        .stripTrailing();
  }

  /** The whole table, rows of the same key together, FastDFS first. */
  synchronized String format() {
    Map<Key, List<Row>> byKey = new LinkedHashMap<>();
    for (Row r : rows) {
      byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
    }
    StringBuilder b =
        new StringBuilder(HEADER).append('\n').append("-".repeat(HEADER.length())).append('\n');
    for (List<Row> group : byKey.values()) {
      group.stream()
          .filter(r -> r.system().equals(REFERENCE))
          .forEach(r -> b.append(format(r)).append('\n'));
      group.stream()
          .filter(r -> !r.system().equals(REFERENCE))
          .forEach(r -> b.append(format(r)).append('\n'));
    }
    return b.toString();
  }

  /** Tab-separated rows (with a header line) for scripts. */
  synchronized String tsv() {
    StringBuilder b =
        new StringBuilder(
            "topology\tclient\tc\tsize\top\tsystem\tops\terrors\tseconds\tops_s\tmib_s\tp50_ms\tp99_ms\tcpu_us_op\tx_ops\tx_p50\tx_cpu\n");
    for (Row r : rows) {
      Key k = r.key();
      b.append(
              String.join(
                  "\t",
                  k.topology(),
                  k.client(),
                  Integer.toString(k.concurrency()),
                  Long.toString(k.size()),
                  k.operation(),
                  r.system(),
                  Long.toString(r.ops()),
                  Long.toString(r.errors()),
                  num(r.seconds(), "%.3f"),
                  num(r.opsPerSecond(), "%.1f"),
                  num(r.mibPerSecond(), "%.2f"),
                  num(r.p50Ms(), "%.3f"),
                  num(r.p99Ms(), "%.3f"),
                  num(r.cpuMicrosPerOp(), "%.1f"),
                  num(speedRatio(r), "%.3f"),
                  num(latencyRatio(r), "%.3f"),
                  num(cpuRatio(r), "%.3f")))
          .append('\n');
    }
    return b.toString();
  }

  /**
   * The value at quantile {@code q} (0..1) of sorted latencies in nanoseconds, in milliseconds; NaN
   * when empty.
   */
  static double percentileMs(long[] sortedNanos, int count, double q) {
    if (count == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * count) - 1;
    return sortedNanos[Math.max(0, Math.min(count - 1, i))] / 1e6;
  }
}
