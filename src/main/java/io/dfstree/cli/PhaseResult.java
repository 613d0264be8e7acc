package io.dfstree.cli;

import org.HdrHistogram.Histogram;

/**
 * One benchmark phase's outcome, as {@code bench} and {@code bench-s3} print it ({@link
 * ResultTable}). Latencies are of successful operations, in nanoseconds ({@value #LATENCY_DIGITS}
 * significant digits); null for a phase that is not made of timed operations ({@code replicated}),
 * whose p50 and p99 print as "-" (null in JSON).
 */
record PhaseResult(
    String operation,
    int count,
    int errors,
    double seconds,
    long bytesPerOp,
    Histogram latencies,
    String firstError) {

  /** Latencies keep 3 significant digits: 0.1 % resolution, whatever their range. */
  static final int LATENCY_DIGITS = 3;

  boolean hasLatencies() {
    return latencies != null;
  }

  double opsPerSecond() {
    return seconds > 0 ? count / seconds : 0;
  }

  /** MiB/s, or -1 for operations that move no content. */
  double mibPerSecond() {
    return bytesPerOp <= 0 || seconds <= 0 ? -1 : count * (double) bytesPerOp / seconds / (1 << 20);
  }

  /** The percentile in milliseconds; 0 for a phase without latencies. */
  double percentileMillis(double p) {
    return latencies == null ? 0 : percentile(latencies, p) / 1e6;
  }

  /** The value at percentile {@code p} (0..100) of the recorded values; 0 for none. */
  static double percentile(Histogram values, double p) {
    return values.getTotalCount() == 0 ? 0 : values.getValueAtPercentile(p);
  }
}
