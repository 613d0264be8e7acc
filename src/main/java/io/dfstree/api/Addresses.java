package io.dfstree.api;

/** Event-bus addresses shared by servers and event-bus clients. Metadata only; bytes never travel here. */
public final class Addresses {
  private Addresses() {}

  /** Storages publish {@link Heartbeat} JSON here; every tracker listens. */
  public static final String HEARTBEAT = "dfstree.storage.heartbeat";
  /** A storage that stops gracefully publishes {"storageId":N,"group":G} here. */
  public static final String STORAGE_LEAVING = "dfstree.storage.leaving";
  /** Request/reply to any tracker: {"op":"groups"} answers the group map as JSON. */
  public static final String TRACKER_QUERY = "dfstree.tracker.query";
  /** File events (created, deleted) published by storages. */
  public static final String FILE_EVENTS = "dfstree.file.events";
}
