package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Map;

/**
 * What the storage asks of its group's replication (the port {@code io.dfstree.replication}
 * implements; {@code server.Roles} plugs it in): copies of an upload streamed to peers while it
 * arrives, the write-quorum verdict, a file fetched from a peer on a miss, and the catch-up that
 * runs beside the storage. The storage only answers peers (replica receive, binlog fetch, peer
 * download, member proof); whatever calls a peer lives behind this interface, so {@code storage}
 * never imports {@code replication}.
 */
public interface Replication {

  /**
   * Builds a storage's replication, once, while its verticle starts (on the verticle's context).
   */
  @FunctionalInterface
  interface Factory {
    Replication create(Vertx vertx, ReplicaStore store);
  }

  /** Blocking: reads where catch-up stopped last time. */
  void load() throws IOException;

  /**
   * Starts catching up; {@code discoveryMs} is how long to listen for peers before deciding we are
   * alone.
   */
  void start(long discoveryMs);

  /** Stops catching up and closes the peer connections. */
  Future<Void> stop();

  /** Per source storage id: that storage's clock when we last held everything it had written. */
  Map<String, Long> syncedUntil();

  /**
   * For an upload whose size is not known up front: EBUSY before its body is read when the group
   * refuses degraded writes and too few peers are up.
   */
  Future<Void> admit();

  /**
   * The peers a new upload of {@code size} bytes streams to; null when no peer takes copies. Fails
   * with EBUSY when too few are active and the group refuses degraded writes.
   */
  Future<Fanout> openFanout(long size, int storePathIndex);

  /**
   * A file whose size was unknown until its last byte, already placed here, streamed from disk to
   * the quorum peers; null when no peer takes copies. Await their copies with {@link #await}.
   */
  Future<Fanout> pushPlaced(FileId id, long size);

  /**
   * Names the file to the peers of {@code f} (null: none) and waits for their copies; too few
   * copies are accepted with a warning or, when the group refuses degraded writes, the local copy
   * is removed and the upload fails.
   */
  Future<String> await(Context ctx, Fanout f, String remoteName);

  /**
   * Places a new upload streamed to {@code f} while the peers place theirs, then judges the quorum.
   */
  Future<String> placeWithPeers(Context ctx, Fanout f, NewBlob upload, int crc32);

  /** A client asked for a file we do not hold: fetches it from its source or another peer. */
  Future<Void> fetchMissing(FileId id);

  /** Replaces our copy of {@code id} with a peer's (a damaged copy: {@link Integrity}). */
  Future<Void> fetchReplacing(FileId id);

  /** An upload's bytes on their way to the quorum peers, written as they arrive from the client. */
  interface Fanout {
    /** Acknowledgements needed from peers (write quorum minus this storage). */
    int required();

    /** Peers the bytes go to. */
    int targets();

    void write(Buffer chunk);

    boolean writeQueueFull();

    /** Calls {@code h} once the first full peer drains (or fails). */
    void drainHandler(Handler<Void> h);

    /** Sends the name and time and resolves with the number of peers that placed their copy. */
    Future<Integer> finish(String remoteName, long mtimeSeconds);

    /** The client went away or the upload failed: peers drop their partial copies. */
    void abort();
  }
}
