package io.dfstree.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A change to a stored file, published on {@link Addresses#FILE_EVENTS} by the storage that took
 * the client's write (never by the peers that received a replicated copy, so each change is
 * published once). JSON: {@code {type, fileId, size, storageId, time}}; a storage publishes the
 * events of up to a tenth of a second together as {@code {"events": [...]}}, because every publish
 * on the clustered event bus costs a cluster-wide lookup of its subscribers.
 *
 * @param type {@link #CREATED}, {@link #DELETED}, {@link #UPDATED} (append, modify, truncate) or
 *     {@link #METADATA}
 * @param fileId {@code group/M00/AB/CD/name}
 * @param size bytes of the file after the change (for created: the uploaded size; -1 when unknown)
 * @param storageId the storage that published the event
 * @param time unix milliseconds at the storage
 */
public record FileEvent(String type, String fileId, long size, int storageId, long time) {
  public static final String CREATED = "created";
  public static final String DELETED = "deleted";
  public static final String UPDATED = "updated";
  public static final String METADATA = "metadata";

  public JsonObject toJson() {
    return new JsonObject()
        .put("type", type)
        .put("fileId", fileId)
        .put("size", size)
        .put("storageId", storageId)
        .put("time", time);
  }

  /** One event-bus message of events. */
  public static JsonObject batch(List<FileEvent> events) {
    JsonArray a = new JsonArray();
    events.forEach(e -> a.add(e.toJson()));
    return new JsonObject().put("events", a);
  }

  /** The events in a message on {@link Addresses#FILE_EVENTS}: a batch, or a single event. */
  public static List<FileEvent> fromMessage(JsonObject message) {
    if (message == null) {
      return List.of();
    }
    JsonArray a = message.getJsonArray("events");
    if (a == null) {
      return List.of(fromJson(message));
    }
    List<FileEvent> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(fromJson(a.getJsonObject(i)));
    }
    return out;
  }

  public static FileEvent fromJson(JsonObject json) {
    return new FileEvent(
        json.getString("type"),
        json.getString("fileId"),
        json.getLong("size", -1L),
        json.getInteger("storageId", 0),
        json.getLong("time", 0L));
  }
}
