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

  /**
   * One measured phase. Latencies in milliseconds; cpuMicrosPerOp NaN when unknown, and including
   * what the wait for the phase's {@code tail} charged ({@link PhaseTail}; null: not waited for);
   * {@code device}: what the disks did per operation over the phase and its tail (null: unknown).
   */
  record Row(
      Key key,
      String system,
      long ops,
      long errors,
      double seconds,
      double p50Ms,
      double p99Ms,
      double cpuMicrosPerOp,
      String firstError,
      int round,
      PhaseTail.Result tail,
      BlockStat.PerOp device) {
    /** A row of round 1 (a run of one round), its tail not waited for. */
    Row(
        Key key,
        String system,
        long ops,
        long errors,
        double seconds,
        double p50Ms,
        double p99Ms,
        double cpuMicrosPerOp,
        String firstError) {
      this(
          key,
          system,
          ops,
          errors,
          seconds,
          p50Ms,
          p99Ms,
          cpuMicrosPerOp,
          firstError,
          1,
          null,
          null);
    }

    double opsPerSecond() {
      return seconds <= 0 ? 0 : ops / seconds;
    }

    double mibPerSecond() {
      return opsPerSecond() * key.size() / (1024.0 * 1024.0);
    }
  }

  /** {@link #mode}: one system after the other, every row of one before the next starts. */
  static final String SEQUENTIAL = "sequential";

  /** {@link #mode}: every system up at once, each row measured for all before the next row. */
  static final String INTERLEAVED = "interleaved";

  private final List<Row> rows = new ArrayList<>();
  private int round = 1;
  private String mode = SEQUENTIAL;

  /** How the run measured its systems ({@link #SEQUENTIAL} or {@link #INTERLEAVED}): in the TSV. */
  synchronized void mode(String m) {
    mode = m;
  }

  synchronized String mode() {
    return mode;
  }

  /** The round the next measured rows belong to (--rounds: every system again, order reversed). */
  synchronized void round(int n) {
    round = n;
  }

  synchronized int round() {
    return round;
  }

  synchronized void add(Row r) {
    rows.add(r);
  }

  synchronized List<Row> rows() {
    return List.copyOf(rows);
  }

  /** ops/s of {@code r} divided by FastDFS's for the same key; NaN when FastDFS has no such row. */
  synchronized double speedRatio(Row r) {
    Row ref = reference(r.key(), r.round());
    return ref == null || ref.opsPerSecond() <= 0
        ? Double.NaN
        : r.opsPerSecond() / ref.opsPerSecond();
  }

  /** CPU per operation of {@code r} divided by FastDFS's (below 1: cheaper than FastDFS). */
  synchronized double cpuRatio(Row r) {
    Row ref = reference(r.key(), r.round());
    return ref == null || !(ref.cpuMicrosPerOp() > 0)
        ? Double.NaN
        : r.cpuMicrosPerOp() / ref.cpuMicrosPerOp();
  }

  /** p50 of {@code r} divided by FastDFS's (below 1: faster than FastDFS). */
  synchronized double latencyRatio(Row r) {
    Row ref = reference(r.key(), r.round());
    return ref == null || !(ref.p50Ms() > 0) ? Double.NaN : r.p50Ms() / ref.p50Ms();
  }

  /** FastDFS's row with the same key in the same round (rounds run the systems apart). */
  private Row reference(Key k, int round) {
    for (Row r : rows) {
      if (r.key().equals(k) && r.round() == round && r.system().equals(REFERENCE)) {
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

  /**
   * The whole table, rows of the same key together, FastDFS first; with more than one round, one
   * line per key and system with medians ({@link #formatRounds}).
   */
  synchronized String format() {
    if (rows.stream().anyMatch(r -> r.round() != 1)) {
      return formatRounds();
    }
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

  static final String ROUNDS_HEADER =
      String.format(
          Locale.ROOT,
          "%-6s %-8s %3s %7s %-8s %-8s | %2s %9s %8s %8s %9s | %6s %11s %6s %6s | %s",
          "topo",
          "client",
          "c",
          "size",
          "op",
          "system",
          "n",
          "ops/s",
          "p50 ms",
          "p99 ms",
          "cpu us/op",
          "x ops",
          "x ops range",
          "x p50",
          "x cpu",
          "errors");

  /**
   * Medians over the rounds of each key and system: ops/s, p50, p99, CPU per operation, and the
   * ratios to FastDFS taken within each round (so a round's load falls on both sides of its ratio),
   * their median and, for ops, their range.
   */
  private String formatRounds() {
    Map<Key, Map<String, List<Row>>> byKey = new LinkedHashMap<>();
    for (Row r : rows) {
      byKey
          .computeIfAbsent(r.key(), k -> new LinkedHashMap<>())
          .computeIfAbsent(r.system(), x -> new ArrayList<>())
          .add(r);
    }
    StringBuilder b =
        new StringBuilder(ROUNDS_HEADER)
            .append('\n')
            .append("-".repeat(ROUNDS_HEADER.length()))
            .append('\n');
    for (Map<String, List<Row>> bySystem : byKey.values()) {
      List<String> order = new ArrayList<>(bySystem.keySet());
      if (order.remove(REFERENCE)) {
        order.add(0, REFERENCE);
      }
      for (String system : order) {
        List<Row> rs = bySystem.get(system);
        Row first = rs.get(0);
        Key k = first.key();
        List<Double> speed = new ArrayList<>();
        for (Row r : rs) {
          double x = speedRatio(r);
          if (!Double.isNaN(x)) {
            speed.add(x);
          }
        }
        long errors = rs.stream().mapToLong(Row::errors).sum();
        String range =
            speed.isEmpty()
                ? "-"
                : String.format(
                    Locale.ROOT,
                    "%.2f-%.2f",
                    speed.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    speed.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        b.append(
                String.format(
                        Locale.ROOT,
                        "%-6s %-8s %3d %7s %-8s %-8s | %2d %9s %8s %8s %9s | %6s %11s %6s %6s | %s",
                        k.topology(),
                        k.client(),
                        k.concurrency(),
                        size(k.size()),
                        k.operation(),
                        system,
                        rs.size(),
                        num(median(rs.stream().map(Row::opsPerSecond).toList()), "%.1f"),
                        num(median(rs.stream().map(Row::p50Ms).toList()), "%.2f"),
                        num(median(rs.stream().map(Row::p99Ms).toList()), "%.2f"),
                        num(median(rs.stream().map(Row::cpuMicrosPerOp).toList()), "%.0f"),
                        num(median(speed), "%.2f"),
                        range,
                        num(median(rs.stream().map(this::latencyRatio).toList()), "%.2f"),
                        num(median(rs.stream().map(this::cpuRatio).toList()), "%.2f"),
                        errors == 0 ? "" : Long.toString(errors))
                    .stripTrailing())
            .append('\n');
      }
    }
    return b.toString();
  }

  /**
   * What one cache flush of the disk cost over this run: the median and range of flush time per
   * flush, over the rows whose phase flushed at least once per two operations (our rows with fsync
   * on); null when no row did. A durable c=1 operation waits for about one flush, and this shared
   * host's flush drifts by the hour (55-120 us in one run, 420-540 us in another), so the fsync
   * rows of two runs compare only beside this line.
   */
  synchronized String deviceFlushSummary() {
    List<Double> perFlush =
        rows.stream()
            .map(Row::device)
            .filter(d -> d != null && d.flushes() >= 0.5)
            .map(d -> d.flushMicros() / d.flushes())
            .sorted()
            .toList();
    if (perFlush.isEmpty()) {
      return null;
    }
    return String.format(
        Locale.ROOT,
        "disk cache flush: median %.0f us per flush (%.0f-%.0f) over the %d rows that flushed"
            + " at least once per two operations",
        median(perFlush),
        perFlush.get(0),
        perFlush.get(perFlush.size() - 1),
        perFlush.size());
  }

  /** The median of the values that are numbers (the mean of the middle two for an even count). */
  static double median(List<Double> values) {
    double[] v =
        values.stream().filter(x -> !Double.isNaN(x)).mapToDouble(x -> x).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /**
   * Tab-separated rows (with a header line) for scripts; after the columns older runs had, the
   * run's {@link #mode}, then how long the wait for the phase's tail took and the CPU per operation
   * it charged ({@link PhaseTail}; included in cpu_us_op), then the disks' writes, flushes, flush
   * microseconds and busy microseconds per operation ({@link BlockStat.PerOp}; "-" when unknown).
   */
  synchronized String tsv() {
    StringBuilder b =
        new StringBuilder(
            "topology\tclient\tc\tsize\top\tsystem\tops\terrors\tseconds\tops_s\tmib_s\tp50_ms\tp99_ms\tcpu_us_op\tx_ops\tx_p50\tx_cpu\tround\tmode\ttail_s\ttail_cpu_us_op"
                + "\tdev_writes_op\tdev_flushes_op\tdev_flush_us_op\tdev_busy_us_op\n");
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
                  num(cpuRatio(r), "%.3f"),
                  Integer.toString(r.round()),
                  mode,
                  r.tail() == null ? "-" : num(r.tail().seconds(), "%.2f"),
                  r.tail() == null
                      ? "-"
                      : num(
                          ServerCpu.microsPerOpFromNanos(r.tail().chargedNanos(), r.ops()), "%.1f"),
                  r.device() == null ? "-" : num(r.device().writes(), "%.2f"),
                  r.device() == null ? "-" : num(r.device().flushes(), "%.2f"),
                  r.device() == null ? "-" : num(r.device().flushMicros(), "%.0f"),
                  r.device() == null ? "-" : num(r.device().busyMicros(), "%.0f")))
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
