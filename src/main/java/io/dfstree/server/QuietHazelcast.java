package io.dfstree.server;

import com.hazelcast.config.Config;

/**
 * Hazelcast's background work that a DistributedFSTree cluster never reads, switched off: its
 * metrics collection (every 5 s each member gathers and compresses the statistics of every
 * structure for Management Center and JMX, on its partition threads) and its health monitor. An
 * idle group of three JVMs spent a visible part of its ~150 ms of CPU per second there (perf,
 * benchmark/PROFILE.md), which weighs on every operation at low rates. Our own metrics are
 * Micrometer's ({@code /metrics}). A {@code -Dhazelcast.*} system property given on the command
 * line still wins, e.g. {@code -Dhazelcast.metrics.enabled=true} for Management Center.
 */
final class QuietHazelcast {
  private QuietHazelcast() {}

  static void apply(Config cfg) {
    if (System.getProperty("hazelcast.metrics.enabled") == null) {
      cfg.getMetricsConfig().setEnabled(false);
    }
    Launcher.defaultProperty(cfg, "hazelcast.health.monitoring.level", "OFF");
  }
}
