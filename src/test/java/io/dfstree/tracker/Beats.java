package io.dfstree.tracker;

import io.dfstree.api.Heartbeat;
import io.dfstree.api.Heartbeat.StorePathStat;
import io.dfstree.config.TrackerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** Test fixtures: heartbeats and tracker options with readable defaults. */
final class Beats {
  static final long GB = 1024L * 1024 * 1024;

  private Beats() {}

  /** An ACTIVE storage with one 100 GB path, 50 GB free, 1 GB reserved. */
  static Heartbeat active(int id, String group) {
    return beat(id, group, "ACTIVE", List.of(path(0, 50)), 10, Map.of());
  }

  static Heartbeat beat(
      int id,
      String group,
      String status,
      List<StorePathStat> paths,
      int priority,
      Map<String, Long> syncedUntil) {
    long[] counters = new long[38];
    for (int i = 0; i < counters.length; i++) {
      counters[i] = 1000 + i;
    }
    return new Heartbeat(
        id,
        group,
        "127.0.0." + (id % 100),
        23000,
        8888,
        status,
        paths,
        256,
        priority,
        "6.0.7",
        1_700_000_000L,
        1_700_000_100L + id,
        2000,
        counters,
        new int[] {5, 3, 9},
        1_700_000_200L,
        1_700_000_300L,
        syncedUntil,
        0,
        null);
  }

  static StorePathStat path(int index, long freeGb) {
    return new StorePathStat(index, 100 * GB, freeGb * GB, GB, false);
  }

  static TrackerOptions options(
      int storeLookup, int storeServer, int storePath, int downloadServer) {
    return TrackerOptions.from(
        new JsonObject()
            .put("host", "127.0.0.1")
            .put("port", 22122)
            .put("storeLookup", storeLookup)
            .put("storeGroup", "group2")
            .put("storeServer", storeServer)
            .put("storePath", storePath)
            .put("downloadServer", downloadServer)
            .put("listLayout", "legacy")
            .put("heartbeatTimeoutMs", 6000)
            .put("storageSyncFileMaxDelay", 86400)
            .put("storageSyncFileMaxTime", 300)
            .put("maxRequestBytes", 131072)
            .put("allowHosts", new JsonArray()));
  }
}
