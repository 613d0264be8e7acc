package io.dfstree.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idle connections to peer storages, kept per event loop: a socket's callbacks run on the loop
 * that opened it, so a connection is only ever handed back to code running on that same loop.
 */
final class PeerPool {
  private static final int MAX_IDLE_PER_PEER = 8;
  private static final long AUTH_TIMEOUT_MS = 5000;
  private final Vertx vertx;
  private final NetClient client;
  /** Proves this storage is a member on every new connection (PeerAuth); set once the secret is known. */
  volatile PeerAuth auth;
  private final Map<Context, Map<String, Deque<PeerConnection>>> idle = new java.util.concurrent.ConcurrentHashMap<>();

  PeerPool(Vertx vertx, String bindHost) {
    this.vertx = vertx;
    this.client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(3000)
        .setLocalAddress(bindHost));
  }

  /** A connection to {@code host:port} for the caller's event loop. */
  Future<PeerConnection> acquire(String host, int port) {
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
    String key = host + ":" + port;
    return client.connect(port, host).map(s -> new PeerConnection(vertx, s, key, eventLoopOf(ctx)))
        .compose(c -> auth == null ? Future.succeededFuture(c) : auth.authenticate(c, AUTH_TIMEOUT_MS));
  }

  /**
   * The event loop's own context. Vert.x runs each connection and timer on a duplicate of it:
   * keyed by the duplicates, idle connections would never be found again and would pile up.
   */
  static Context eventLoopOf(Context ctx) {
    return ctx instanceof io.vertx.core.internal.ContextInternal internal ? internal.unwrap() : ctx;
  }

  /**
   * Returns a connection after a successful exchange; broken ones are closed instead. It goes
   * back to the loop that opened it, whatever thread finishes the exchange (a disk thread may).
   */
  void release(PeerConnection c) {
    if (!c.usable()) {
      c.close();
      return;
    }
    Context ctx = c.owner;
    Deque<PeerConnection> q = idle.computeIfAbsent(ctx, x -> new HashMap<>()).computeIfAbsent(c.peer(), k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_PEER) {
      c.close();
    } else {
      q.addLast(c);
    }
  }

  Future<Void> close() {
    return client.close();
  }
}
