package io.dfstree.replication;

import io.dfstree.storage.PeerAuth;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Idle connections to peer storages, kept per event loop: a socket's callbacks run on the loop that
 * opened it, so a connection is only ever handed back to code running on that same loop.
 */
final class PeerPool {
  /** Handshake failures are logged under PeerAuth, beside the server side of the same exchange. */
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PeerAuth.class);

  /**
   * Every upload in flight holds a connection to each peer until the peer answers (a quorum copy or
   * a W=1 push): with 16 clients at once, a pool of 8 closed half of them on return and the next
   * uploads paid a connect and the member handshake again.
   */
  private static final int MAX_IDLE_PER_PEER = 32;
  private static final long AUTH_TIMEOUT_MS = 5000;
  private final Vertx vertx;
  private final NetClient client;

  /**
   * Proves this storage is a member on every new connection (PeerAuth); null until the secret is
   * known.
   */
  private final Supplier<PeerAuth> auth;

  private final Map<Context, Map<String, Deque<PeerConnection>>> idle =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Set by {@link #close}: work still in flight when the storage stops (a catch-up page, a fetch)
   * then gets a failed future, where the closed NetClient would throw at the caller.
   */
  private volatile boolean closed;

  /** What a closed pool answers: the storage is stopping. */
  static final class Closed extends IllegalStateException {
    Closed() {
      super("peer connections closed: the storage is stopping");
    }
  }

  PeerPool(Vertx vertx, String bindHost, Supplier<PeerAuth> auth) {
    this.vertx = vertx;
    this.auth = auth;
    this.client =
        vertx.createNetClient(
            new NetClientOptions()
                .setTcpNoDelay(true)
                .setConnectTimeout(3000)
                .setLocalAddress(bindHost));
  }

  /** A connection to {@code host:port} for the caller's event loop. */
  Future<PeerConnection> acquire(String host, int port) {
    if (closed) {
      return Future.failedFuture(new Closed());
    }
    Context ctx = eventLoopOf(vertx.getOrCreateContext());
    String key = host + ":" + port;
    Deque<PeerConnection> q = idle.computeIfAbsent(ctx, c -> new HashMap<>()).get(key);
    while (q != null && !q.isEmpty()) {
      PeerConnection c = q.pollFirst();
      if (c.usable()) {
        return Future.succeededFuture(c);
      }
    }
    return connect(host, port, ctx);
  }

  /** A new connection outside the pool, owned by {@code ctx}'s event loop. */
  Future<PeerConnection> connect(String host, int port, Context ctx) {
    if (closed) {
      return Future.failedFuture(new Closed());
    }
    String key = host + ":" + port;
    return client
        .connect(port, host)
        .map(s -> new PeerConnection(vertx, s, key, eventLoopOf(ctx)))
        .compose(
            c -> {
              PeerAuth a = auth.get();
              return a == null ? Future.succeededFuture(c) : authenticate(a, c, AUTH_TIMEOUT_MS);
            });
  }

  /**
   * The event loop's own context. Vert.x runs each connection and timer on a duplicate of it: keyed
   * by the duplicates, idle connections would never be found again and would pile up.
   */
  static Context eventLoopOf(Context ctx) {
    return ctx instanceof io.vertx.core.internal.ContextInternal internal ? internal.unwrap() : ctx;
  }

  /**
   * Returns a connection after a successful exchange; broken ones are closed instead. It goes back
   * to the loop that opened it, whatever thread finishes the exchange (a disk thread may).
   */
  void release(PeerConnection c) {
    if (!c.usable()) {
      c.close();
      return;
    }
    Context ctx = c.owner;
    Deque<PeerConnection> q =
        idle.computeIfAbsent(ctx, x -> new HashMap<>())
            .computeIfAbsent(c.peer(), k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_PEER) {
      c.close();
    } else {
      q.addLast(c);
    }
  }

  Future<Void> close() {
    closed = true;
    return client.close();
  }

  /**
   * Runs the member handshake ({@link PeerAuth}) on a fresh connection; fails (and closes it) if
   * the peer refuses us.
   */
  private static Future<PeerConnection> authenticate(
      PeerAuth auth, PeerConnection c, long timeoutMs) {
    return c.call(new io.dfstree.protocol.StorageRequest.PeerAuthChallenge(), timeoutMs)
        .compose(
            nonce -> {
              if (nonce.length() != PeerAuth.NONCE_LEN) {
                return Future.failedFuture(
                    new io.dfstree.protocol.FdfsException(
                        io.dfstree.protocol.Errno.EIO,
                        "peer " + c.peer() + " sent a nonce of " + nonce.length() + " bytes"));
              }
              return c.call(auth.prove(nonce.getBytes()), timeoutMs);
            })
        .map(ok -> c)
        .onFailure(
            err -> {
              LOG.warn("storage: cannot prove membership to {}: {}", c.peer(), err.toString());
              c.close();
            });
  }
}
