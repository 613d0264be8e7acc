package io.dfstree.api;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;

/**
 * One storage as a tracker sees it, in the answer to {@code {"op":"groups"}} on {@link
 * Addresses#TRACKER_QUERY} (an element of {@link GroupView#storages()}).
 *
 * @param id storage id
 * @param host address clients connect to
 * @param port FastDFS storage port
 * @param httpPort HTTP port (0 when off)
 * @param state the tracker's view of its state ({@code StorageStatus} name: ACTIVE, OFFLINE, ...)
 * @param totalMb capacity over its writable store paths
 * @param freeMb free space over them
 * @param reservedMb space kept free
 * @param lastBeatMs when the tracker last heard it (epoch ms)
 * @param lastSyncedTimestamp how far its peers have been replicated to it (unix seconds)
 * @param syncedUntil per source storage id: source timestamp applied up to
 */
public record MemberView(
    int id,
    String host,
    int port,
    int httpPort,
    String state,
    long totalMb,
    long freeMb,
    long reservedMb,
    long lastBeatMs,
    long lastSyncedTimestamp,
    Map<String, Long> syncedUntil) {
  /** Whether the tracker counts it as a member to wait for (not timed out or removed). */
  public boolean present() {
    return !state.equals("OFFLINE") && !state.equals("DELETED");
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("host", host)
        .put("port", port)
        .put("httpPort", httpPort)
        .put("state", state)
        .put("totalMb", totalMb)
        .put("freeMb", freeMb)
        .put("reservedMb", reservedMb)
        .put("lastBeatMs", lastBeatMs)
        .put("lastSyncedTimestamp", lastSyncedTimestamp)
        .put("syncedUntil", new JsonObject(new TreeMap<String, Object>(syncedUntil)));
  }

  /** Reads what {@link #toJson()} wrote; absent fields read as empty or 0 (an older tracker). */
  public static MemberView fromJson(JsonObject json) {
    Map<String, Long> synced = new TreeMap<>();
    json.getJsonObject("syncedUntil", new JsonObject())
        .forEach(e -> synced.put(e.getKey(), ((Number) e.getValue()).longValue()));
    return new MemberView(
        json.getInteger("id", 0),
        json.getString("host", ""),
        json.getInteger("port", 0),
        json.getInteger("httpPort", 0),
        json.getString("state", ""),
        json.getLong("totalMb", 0L),
        json.getLong("freeMb", 0L),
        json.getLong("reservedMb", 0L),
        json.getLong("lastBeatMs", 0L),
        json.getLong("lastSyncedTimestamp", 0L),
        synced);
  }
}
