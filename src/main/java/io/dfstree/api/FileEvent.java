package io.dfstree.api;

import io.vertx.core.json.JsonObject;

/**
 * A change to a stored file, published on {@link Addresses#FILE_EVENTS} by the storage that took
 * the client's write (never by the peers that received a replicated copy, so each change is
 * published once). JSON: {@code {type, fileId, size, storageId, time}}.
 *
 * @param type      {@link #CREATED}, {@link #DELETED}, {@link #UPDATED} (append, modify, truncate) or
 *                  {@link #METADATA}
 * @param fileId    {@code group/M00/AB/CD/name}
 * @param size      bytes of the file after the change (for created: the uploaded size; -1 when unknown)
 * @param storageId the storage that published the event
 * @param time      unix milliseconds at the storage
 */
public record FileEvent(String type, String fileId, long size, int storageId, long time) {
  public static final String CREATED = "created";
  public static final String DELETED = "deleted";
  public static final String UPDATED = "updated";
  public static final String METADATA = "metadata";

  public JsonObject toJson() {
    return new JsonObject().put("type", type).put("fileId", fileId).put("size", size)
        .put("storageId", storageId).put("time", time);
  }

  public static FileEvent fromJson(JsonObject json) {
    return new FileEvent(json.getString("type"), json.getString("fileId"), json.getLong("size", -1L),
        json.getInteger("storageId", 0), json.getLong("time", 0L));
  }
}
