package io.dfstree.server;

import static io.dfstree.server.Launcher.defaultProperty;

import com.hazelcast.config.Config;
import io.vertx.core.json.JsonObject;

/**
 * How fast Hazelcast notices a dead or partitioned member and heals a split brain ({@code
 * cluster.failureDetectionSeconds}, {@code cluster.mergeDelaySeconds}).
 *
 * <p>Hazelcast's own defaults suit long-lived data grids: a member that stops answering stays in
 * the member list for 60 s ({@code hazelcast.max.no.heartbeat.seconds}), and after a partition
 * heals the two halves look for each other only after 300 s, then every 120 s ({@code
 * hazelcast.merge.first.run.delay.seconds} / {@code next.run}). For us that means a storage that
 * was cut off keeps a cluster of its own for minutes after the network is back: its heartbeats and
 * file events do not reach the trackers, and trackers keep a frozen member in their map. Our
 * cluster state is small (heartbeats, the shared secret), so merging early is cheap, and a false
 * suspicion only costs a member re-joining. A {@code -Dhazelcast.*} system property given on the
 * command line still wins.
 */
final class SplitBrain {
  static final int DEFAULT_FAILURE_DETECTION_SECONDS = 10;
  static final int DEFAULT_MERGE_DELAY_SECONDS = 10;

  private SplitBrain() {}

  static void apply(Config cfg, JsonObject cluster) {
    int detect = cluster.getInteger("failureDetectionSeconds", DEFAULT_FAILURE_DETECTION_SECONDS);
    int merge = cluster.getInteger("mergeDelaySeconds", DEFAULT_MERGE_DELAY_SECONDS);
    if (detect < 2 || merge < 1) {
      throw new IllegalArgumentException(
          "cluster.failureDetectionSeconds must be >= 2 and cluster.mergeDelaySeconds >= 1, got "
              + detect
              + " and "
              + merge);
    }
    // a beat every second (Hazelcast: 5 s) so that several can be missed within `detect`
    defaultProperty(cfg, "hazelcast.heartbeat.interval.seconds", "1");
    defaultProperty(cfg, "hazelcast.max.no.heartbeat.seconds", Integer.toString(detect));
    defaultProperty(cfg, "hazelcast.merge.first.run.delay.seconds", Integer.toString(merge));
    String nextRun = Integer.toString(Math.max(1, merge / 2));
    defaultProperty(cfg, "hazelcast.merge.next.run.delay.seconds", nextRun);
    // A member cut off from some members but not from the master (a storage that lost the
    // trackers, the master being a storage it still reaches) is otherwise kept: the master hears
    // it, so nobody removes it. Then neither side of the cut can reach the other over Hazelcast or
    // the event bus, and the cluster-manager calls it makes meanwhile (node-info lookups for new
    // event-bus connections) can wait out Hazelcast's 2 x 60 s invocation timeout: NemesisIT saw
    // a storage's heartbeats held back for 2 minutes after such a cut healed. With this the
    // master removes the fewest members that leave the rest fully connected, after 3 heartbeat
    // rounds of reports once a member has been suspected; the removed one merges back once the
    // network heals (benchmark/PROFILE.md, "nemfix"). Off (0) in Hazelcast by default.
    defaultProperty(cfg, "hazelcast.partial.member.disconnection.resolution.heartbeat.count", "3");
  }
}
