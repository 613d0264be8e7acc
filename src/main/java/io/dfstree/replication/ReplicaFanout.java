package io.dfstree.replication;

import io.dfstree.storage.Replication;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An upload's bytes streamed to peers while they arrive from the client (DistributedFSTree's
 * REPLICA_UPLOAD, command 120): a prefix (size, store path), the content, then a trailer with the
 * name and time the source chose once the content was complete. Each peer acknowledges after its
 * copy is placed (and fsynced when configured). A peer that fails or stalls is dropped; the caller
 * counts acknowledgements against the write quorum.
 *
 * <p>A small upload ({@link #sendsWhole}) is not streamed: its connections are taken from the pool
 * when the upload opens, but its prefix, content and trailer go to each peer as one write once the
 * name is known. Streamed, a 4 KiB copy took three writes (prefix, content, trailer), each a
 * {@code sendto} here, a wake-up and a read on the peer; whole, it takes one, and the peer reads
 * the request in one go. The deadline of such a copy starts when it is sent.
 */
final class ReplicaFanout implements Replication.Fanout {
  static final int TRAILER = io.dfstree.protocol.StorageCodec.REPLICA_TRAILER;

  /**
   * Copies up to this size are sent whole ({@link #sendsWhole}): at most this much is held per
   * upload in flight (a packed upload holds its bytes anyway), and on a fast link streaming so
   * little gains nothing.
   */
  static final long SEND_WHOLE_MAX = 64 * 1024;

  private final List<PeerConnection> conns = new ArrayList<>();
  private final List<Future<Buffer>> acks = new ArrayList<>();
  private final PeerPool pool;
  private final int required;

  /** A write quorum of 1's push ({@link #push}): the client does not wait for these copies. */
  private final boolean push;

  /** Sent whole: the request so far (prefix, then content); null once sent, or when streamed. */
  private Buffer whole;

  /** Sent whole: the connections taken for it, and how each starts its copy. */
  private final List<PeerConnection> held = new ArrayList<>();

  private final List<Starter> starters = new ArrayList<>();

  /** Starts a copy's request on a connection with its first bytes; completes with the answer. */
  interface Starter {
    Future<Buffer> start(PeerConnection c, Buffer first);
  }

  ReplicaFanout(PeerPool pool, int required) {
    this(pool, required, false);
  }

  private ReplicaFanout(PeerPool pool, int required, boolean push) {
    this.pool = pool;
    this.required = required;
    this.push = push;
  }

  /** True when a copy of {@code size} bytes goes to each peer in one write at the end. */
  static boolean sendsWhole(long size) {
    return size >= 0 && size <= SEND_WHOLE_MAX;
  }

  /**
   * The copies of a write quorum of 1: streamed to the peers while the upload arrives, named once
   * this storage placed its own ({@link WriteQuorum#placeWithPeers}), never awaited by the client.
   * The bytes keep the back-pressure of a quorum copy (a peer's socket buffer bounds what waits in
   * memory); a peer that stalls is closed at its deadline and dropped, and its copy then comes by
   * catch-up, from the binlog line every upload writes, as it did before there was a push.
   */
  static ReplicaFanout push(PeerPool pool) {
    return new ReplicaFanout(pool, 0, true);
  }

  /** True for a write quorum of 1's push: the client is answered without these copies. */
  boolean isPush() {
    return push;
  }

  /** Acknowledgements needed from peers (write quorum minus this storage). */
  @Override
  public int required() {
    return required;
  }

  @Override
  public int targets() {
    return conns.size() + held.size();
  }

  static Buffer prefix(long size, int storePathIndex) {
    return io.dfstree.protocol.StorageCodec.encode(
        new io.dfstree.protocol.StorageRequest.ReplicaUpload(size, storePathIndex));
  }

  void add(PeerConnection c, Future<Buffer> ack) {
    conns.add(c);
    acks.add(ack);
  }

  /**
   * Takes {@code c} for a copy sent whole: nothing is written until {@link #finish}, when {@code
   * starter} sends the prefix, the content and the trailer at once.
   */
  void hold(PeerConnection c, Buffer prefix, long size, Starter starter) {
    if (whole == null) {
      whole = Buffer.buffer((int) (prefix.length() + size + TRAILER)).appendBuffer(prefix);
    }
    held.add(c);
    starters.add(starter);
  }

  @Override
  public void write(Buffer chunk) {
    if (whole != null) {
      whole.appendBuffer(chunk);
      return;
    }
    for (int i = 0; i < conns.size(); i++) {
      PeerConnection c = conns.get(i);
      if (!acks.get(i).failed()) {
        c.write(chunk);
        if (!c.writeQueueFull()) {
          c.progress();
        }
      }
    }
  }

  @Override
  public boolean writeQueueFull() {
    for (int i = 0; i < conns.size(); i++) {
      if (!acks.get(i).failed() && conns.get(i).writeQueueFull()) {
        return true;
      }
    }
    return false;
  }

  /** Calls {@code h} once the first full peer drains (or fails: its deadline closes it). */
  @Override
  public void drainHandler(Handler<Void> h) {
    for (int i = 0; i < conns.size(); i++) {
      if (!acks.get(i).failed() && conns.get(i).writeQueueFull()) {
        boolean[] once = {false};
        Handler<Void> fire =
            v -> {
              if (!once[0]) {
                once[0] = true;
                h.handle(null);
              }
            };
        conns.get(i).drainHandler(fire);
        acks.get(i).onFailure(err -> fire.handle(null));
        return;
      }
    }
    h.handle(null);
  }

  /** Sends the trailer and resolves with the number of peers that placed their copy. */
  @Override
  public Future<Integer> finish(String remoteName, long mtimeSeconds) {
    Buffer trailer =
        io.dfstree.protocol.StorageCodec.encodeTrailer(
            new io.dfstree.protocol.StorageRequest.ReplicaTrailer(mtimeSeconds, remoteName));
    if (whole != null) {
      Buffer request = whole.appendBuffer(trailer);
      whole = null;
      for (int i = 0; i < held.size(); i++) {
        PeerConnection c = held.get(i);
        Future<Buffer> ack;
        if (c.usable()) {
          ack = starters.get(i).start(c, request);
        } else {
          // closed by the peer while the upload arrived
          ack =
              Future.failedFuture(
                  new io.dfstree.protocol.FdfsException(
                      io.dfstree.protocol.Errno.EIO,
                      "peer " + c.peer() + " closed the connection before the copy was sent"));
        }
        add(c, ack);
      }
      held.clear();
      starters.clear();
      trailer = null; // sent with the request
    }
    for (int i = 0; trailer != null && i < conns.size(); i++) {
      if (!acks.get(i).failed()) {
        conns.get(i).write(trailer);
      }
    }
    return Future.join(acks)
        .transform(
            ar -> {
              int ok = 0;
              for (int i = 0; i < acks.size(); i++) {
                if (acks.get(i).succeeded()) {
                  ok++;
                  pool.release(conns.get(i));
                } else {
                  conns.get(i).close();
                }
              }
              return Future.succeededFuture(ok);
            });
  }

  /**
   * The client went away or the upload failed: peers drop their partial copies on close. A
   * connection held for a copy not sent yet carried nothing of it and goes back to the pool.
   */
  @Override
  public void abort() {
    whole = null;
    held.forEach(pool::release);
    held.clear();
    starters.clear();
    conns.forEach(PeerConnection::close);
  }
}
