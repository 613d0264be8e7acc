package io.dfstree.api;

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

  public JsonObject toJson() {
    return JsonObject.mapFrom(this);
  }

  /** The record's field names: what {@link #fromJson} reads. */
  private static final java.util.Set<String> FIELDS =
      java.util.Arrays.stream(Heartbeat.class.getRecordComponents())
          .map(java.lang.reflect.RecordComponent::getName)
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  /**
   * A field this version does not know is left out, not an error: a newer member's beat (a rolling
   * upgrade) must not be dropped as malformed by the trackers nor throw in the storages' heartbeat
   * handlers. A missing field reads as null or 0.
   */
  public static Heartbeat fromJson(JsonObject json) {
    if (!FIELDS.containsAll(json.fieldNames())) {
      JsonObject known = new JsonObject();
      for (String name : json.fieldNames()) {
        if (FIELDS.contains(name)) {
          known.put(name, json.getValue(name));
        }
      }
      json = known;
    }
    return json.mapTo(Heartbeat.class);
  }
}
