package io.dfstree.api;

/**
 * Event-bus addresses shared by servers and event-bus clients. Metadata only; bytes never travel
 * here.
 */
public final class Addresses {
  private Addresses() {}

  /** Storages publish {@link Heartbeat} JSON here; every tracker listens. */
  public static final String HEARTBEAT = "dfstree.storage.heartbeat";

  /** A storage that stops gracefully publishes {"storageId":N,"group":G} here. */
  public static final String STORAGE_LEAVING = "dfstree.storage.leaving";

  /**
   * Tracker request/reply queries (JSON {@code op}: groups, store, fetch, update); every tracker
   * consumes it, so requests are spread over the trackers. Failures carry the FastDFS errno as
   * code.
   */
  public static final String TRACKER_QUERY = "dfstree.tracker.query";

  /**
   * {@link FileEvent}s (created, deleted, updated, metadata) published by the storage that took the
   * write, in batches: {@code {"events": [event, ...]}} (see {@link FileEvent#fromMessage}).
   */
  public static final String FILE_EVENTS = "dfstree.file.events";

  /**
   * Storages with HTTP (and so with latency meters) publish their p99 latencies here with each
   * heartbeat: {@code {"storageId":N,"uploadP99Ms":x,"downloadP99Ms":y}} (negative = no requests
   * lately). The console's charts read them.
   */
  public static final String STORAGE_LATENCY = "dfstree.storage.latency";

  /**
   * The S3 bucket browser of the console (request/reply JSON {@code op}: buckets, list, head,
   * delete), answered by the storage that serves S3; every request carries the S3 access key and
   * secret the console user typed in ({@code accessKey}, {@code secretKey}), checked there.
   */
  public static final String S3_CONSOLE = "dfstree.s3.console";
}
