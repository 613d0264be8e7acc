package io.dfstree.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * What a storage tells every tracker, every few seconds and on each state change. Trackers build
 * their whole group map from these (they persist nothing). Small JSON on the event bus.
 *
 * @param storageId numeric storage id as configured (also embedded in file names)
 * @param group group name
 * @param host address clients should connect to
 * @param port FastDFS storage port
 * @param httpPort HTTP port (0 when HTTP is off)
 * @param status the storage's own view of its state ({@code StorageStatus} name)
 * @param storePaths per store path: total, free, reserved bytes, read-only flag
 * @param subdirCount directories per level (256)
 * @param uploadPriority lower is preferred by store_server = 2
 * @param version software version
 * @param joinTime unix seconds when this storage first started on its data
 * @param upTime unix seconds when this process started
 * @param intervalMs how often the storage beats; trackers time out after a few missed beats
 * @param counters the 38 FastDFS statistics counters, in protocol order ({@link StorageCounters})
 * @param connections alloc, current and max connection counts
 * @param lastSourceUpdate unix seconds of the last client write here
 * @param lastSyncUpdate unix seconds of the last replicated write applied here
 * @param syncedUntil per source storage id: source timestamp applied up to (replication progress)
 * @param currentWritePath store path index this storage would pick next
 * @param nodeId the storage's cluster (Hazelcast member) id, null when not clustered: a tracker
 *     turns the storage OFFLINE as soon as that member leaves
 */
public record Heartbeat(
    int storageId,
    String group,
    String host,
    int port,
    int httpPort,
    String status,
    List<StorePathStat> storePaths,
    int subdirCount,
    int uploadPriority,
    String version,
    long joinTime,
    long upTime,
    long intervalMs,
    long[] counters,
    int[] connections,
    long lastSourceUpdate,
    long lastSyncUpdate,
    Map<String, Long> syncedUntil,
    int currentWritePath,
    String nodeId) {

  /** One store path as seen by its storage. */
  public record StorePathStat(
      int index, long totalBytes, long freeBytes, long reservedBytes, boolean readOnly) {
    /** Whether this path can take more uploads (free space above the reserve, not read-only). */
    public boolean writable() {
      return !readOnly && freeBytes > reservedBytes;
    }
  }

  /**
   * The JSON a storage publishes: the record's components by name, as Jackson's data binding wrote
   * them before (members of an older version decode it unchanged). Written and read by hand: every
   * JVM of a group encodes or decodes a heartbeat of every storage every few seconds, and going
   * through data binding there (a record serialiser, then a map converted back to a record) kept
   * the JIT compiling Jackson's bean code for minutes on an idle group (benchmark/PROFILE.md, "idle
   * (session 13)").
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject(new java.util.LinkedHashMap<>(32));
    json.put("storageId", storageId)
        .put("group", group)
        .put("host", host)
        .put("port", port)
        .put("httpPort", httpPort)
        .put("status", status);
    if (storePaths == null) {
      json.putNull("storePaths");
    } else {
      JsonArray paths = new JsonArray(new java.util.ArrayList<>(storePaths.size()));
      for (StorePathStat p : storePaths) {
        paths.add(
            new JsonObject(new java.util.LinkedHashMap<>(8))
                .put("index", p.index())
                .put("totalBytes", p.totalBytes())
                .put("freeBytes", p.freeBytes())
                .put("reservedBytes", p.reservedBytes())
                .put("readOnly", p.readOnly()));
      }
      json.put("storePaths", paths);
    }
    json.put("subdirCount", subdirCount)
        .put("uploadPriority", uploadPriority)
        .put("version", version)
        .put("joinTime", joinTime)
        .put("upTime", upTime)
        .put("intervalMs", intervalMs);
    if (counters == null) {
      json.putNull("counters");
    } else {
      JsonArray a = new JsonArray(new java.util.ArrayList<>(counters.length));
      for (long c : counters) {
        a.add(c);
      }
      json.put("counters", a);
    }
    if (connections == null) {
      json.putNull("connections");
    } else {
      JsonArray a = new JsonArray(new java.util.ArrayList<>(connections.length));
      for (int c : connections) {
        a.add(c);
      }
      json.put("connections", a);
    }
    json.put("lastSourceUpdate", lastSourceUpdate).put("lastSyncUpdate", lastSyncUpdate);
    if (syncedUntil == null) {
      json.putNull("syncedUntil");
    } else {
      JsonObject m = new JsonObject(new java.util.LinkedHashMap<>(syncedUntil.size() * 2 + 1));
      syncedUntil.forEach(m::put);
      json.put("syncedUntil", m);
    }
    return json.put("currentWritePath", currentWritePath).put("nodeId", nodeId);
  }

  /**
   * Reads {@link #toJson()}'s JSON (or the data-bound JSON of an older version): a missing field
   * reads as null or 0, a field this version does not know is ignored (a newer member's beat).
   *
   * @throws ClassCastException when a field has the wrong JSON type
   */
  public static Heartbeat fromJson(JsonObject json) {
    JsonArray paths = json.getJsonArray("storePaths");
    List<StorePathStat> storePaths = null;
    if (paths != null) {
      StorePathStat[] all = new StorePathStat[paths.size()];
      for (int i = 0; i < all.length; i++) {
        JsonObject p = paths.getJsonObject(i);
        all[i] =
            new StorePathStat(
                intOf(p, "index"),
                longOf(p, "totalBytes"),
                longOf(p, "freeBytes"),
                longOf(p, "reservedBytes"),
                p.getBoolean("readOnly", false));
      }
      storePaths = List.of(all);
    }
    JsonArray c = json.getJsonArray("counters");
    long[] counters = null;
    if (c != null) {
      counters = new long[c.size()];
      for (int i = 0; i < counters.length; i++) {
        counters[i] = ((Number) c.getValue(i)).longValue();
      }
    }
    JsonArray k = json.getJsonArray("connections");
    int[] connections = null;
    if (k != null) {
      connections = new int[k.size()];
      for (int i = 0; i < connections.length; i++) {
        connections[i] = ((Number) k.getValue(i)).intValue();
      }
    }
    JsonObject s = json.getJsonObject("syncedUntil");
    Map<String, Long> syncedUntil = null;
    if (s != null) {
      Map<String, Long> m = new java.util.LinkedHashMap<>(s.size() * 2 + 1);
      for (Map.Entry<String, Object> e : s) {
        m.put(e.getKey(), e.getValue() == null ? null : ((Number) e.getValue()).longValue());
      }
      syncedUntil = m;
    }
    return new Heartbeat(
        intOf(json, "storageId"),
        json.getString("group"),
        json.getString("host"),
        intOf(json, "port"),
        intOf(json, "httpPort"),
        json.getString("status"),
        storePaths,
        intOf(json, "subdirCount"),
        intOf(json, "uploadPriority"),
        json.getString("version"),
        longOf(json, "joinTime"),
        longOf(json, "upTime"),
        longOf(json, "intervalMs"),
        counters,
        connections,
        longOf(json, "lastSourceUpdate"),
        longOf(json, "lastSyncUpdate"),
        syncedUntil,
        intOf(json, "currentWritePath"),
        json.getString("nodeId"));
  }

  private static int intOf(JsonObject json, String key) {
    Number n = (Number) json.getValue(key);
    return n == null ? 0 : n.intValue();
  }

  private static long longOf(JsonObject json, String key) {
    Number n = (Number) json.getValue(key);
    return n == null ? 0 : n.longValue();
  }
}
