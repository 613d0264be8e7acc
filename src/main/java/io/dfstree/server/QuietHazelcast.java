package io.dfstree.server;

import com.hazelcast.config.CRDTReplicationConfig;
import com.hazelcast.config.Config;

/**
 * Hazelcast's background work that a DistributedFSTree cluster never reads, switched off: its
 * metrics collection (every 5 s each member gathers and compresses the statistics of every
 * structure for Management Center and JMX, on its partition threads) and its health monitor. An
 * idle group of three JVMs spent a visible part of its ~150 ms of CPU per second there (perf,
 * benchmark/PROFILE.md), which weighs on every operation at low rates. Our own metrics are
 * Micrometer's ({@code /metrics}). A {@code -Dhazelcast.*} system property given on the command
 * line still wins, e.g. {@code -Dhazelcast.metrics.enabled=true} for Management Center.
 *
 * <p>Also slowed down: the replication of Hazelcast's CRDTs (PN counters), which every member runs
 * every second whether or not a PN counter exists (a scheduled-thread wake-up handing a task to a
 * cached thread, 1-2 wake-ups a second per JVM). Nothing here uses a CRDT: Vert.x 5's cluster-wide
 * counters and locks are IMap entries ({@code __vertx.map.counter}, {@code __vertx.map.lock}), its
 * registry a MultiMap, and our code reads only an async map ({@code PeerAuth}). A Hazelcast config
 * file that sets a replication period of its own keeps it.
 */
final class QuietHazelcast {
  /** Ten minutes between CRDT replication rounds (Hazelcast: 1 s); see the class comment. */
  static final int CRDT_REPLICATION_PERIOD_MILLIS = 600_000;

  private QuietHazelcast() {}

  static void apply(Config cfg) {
    if (System.getProperty("hazelcast.metrics.enabled") == null) {
      cfg.getMetricsConfig().setEnabled(false);
    }
    Launcher.defaultProperty(cfg, "hazelcast.health.monitoring.level", "OFF");
    CRDTReplicationConfig crdt = cfg.getCRDTReplicationConfig();
    if (crdt.getReplicationPeriodMillis()
        == CRDTReplicationConfig.DEFAULT_REPLICATION_PERIOD_MILLIS) {
      crdt.setReplicationPeriodMillis(CRDT_REPLICATION_PERIOD_MILLIS);
    }
  }
}
