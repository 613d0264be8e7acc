package io.dfstree.storage;

/**
 * A stream that queues small writes on the event loop and writes them in batches: a client that
 * stalls mid-upload must not leave its bytes queued in memory, so the connection's guard asks for
 * them to be written out ({@link StorageClientGuard#flushIfStalled}).
 */
interface QueuedWrites {
  /** Starts writing what is queued now, if nothing is being written. */
  void flushQueued();
}
