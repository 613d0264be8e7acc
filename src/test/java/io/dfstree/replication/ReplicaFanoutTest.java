package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageCodec;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A small upload's copy goes to its peer as one request once the name is known ({@link
 * ReplicaFanout#sendsWhole}): the peer sees no byte of it while the upload arrives, then the
 * prefix, the content and the trailer in one write. Streamed, the same copy cost three writes here
 * and three reads on the peer.
 */
class ReplicaFanoutTest {
  Vertx vertx;
  NetServer server;

  /** What the fake peer received, read by read, and the sockets it answers on. */
  final List<Buffer> reads = new CopyOnWriteArrayList<>();

  final List<NetSocket> accepted = new CopyOnWriteArrayList<>();
  int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        vertx
            .createNetServer()
            .connectHandler(
                s -> {
                  accepted.add(s);
                  s.handler(reads::add);
                })
            .listen(0, "127.0.0.1")
            .await();
    port = server.actualPort();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private int receivedBytes() {
    return reads.stream().mapToInt(Buffer::length).sum();
  }

  /** Runs {@code body} on {@code ctx} and waits for the future it returns. */
  private static <T> T on(Context ctx, java.util.function.Supplier<Future<T>> body)
      throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    ctx.runOnContext(
        v ->
            body.get()
                .onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        done.complete(ar.result());
                      } else {
                        done.completeExceptionally(ar.cause());
                      }
                    }));
    return done.get(10, TimeUnit.SECONDS);
  }

  @Test
  void smallCopiesAreSentWholeAndLargeOnesStreamed() {
    assertTrue(ReplicaFanout.sendsWhole(0));
    assertTrue(ReplicaFanout.sendsWhole(4096));
    assertTrue(ReplicaFanout.sendsWhole(ReplicaFanout.SEND_WHOLE_MAX));
    assertFalse(ReplicaFanout.sendsWhole(ReplicaFanout.SEND_WHOLE_MAX + 1));
    assertFalse(ReplicaFanout.sendsWhole(-1)); // size unknown: nothing to hold it against
  }

  @Test
  void aSmallCopyReachesThePeerInOneWriteOnceNamed() throws Exception {
    PeerPool pool = new PeerPool(vertx, "127.0.0.1", () -> null);
    Context ctx = vertx.getOrCreateContext();
    byte[] content = new byte[4096];
    new java.util.Random(7).nextBytes(content);
    Buffer prefix = ReplicaFanout.prefix(content.length, 0);
    ReplicaFanout fanout = new ReplicaFanout(pool, 1);
    on(
        ctx,
        () ->
            pool.acquire("127.0.0.1", port)
                .map(
                    c -> {
                      fanout.hold(
                          c, prefix, content.length, (conn, first) -> conn.begin(first, 5000));
                      // the upload's bytes arrive in pieces
                      fanout.write(Buffer.buffer(content).slice(0, 1000));
                      fanout.write(Buffer.buffer(content).slice(1000, content.length));
                      return c;
                    }));
    assertEquals(1, fanout.targets());
    assertFalse(fanout.writeQueueFull());
    Thread.sleep(300);
    assertEquals(0, receivedBytes(), "nothing goes to the peer before the name is known");

    Future<Integer>[] acks = new Future[1];
    on(
        ctx,
        () -> {
          acks[0] = fanout.finish("M00/00/00/somename.bin", 1234);
          return Future.succeededFuture();
        });
    int whole = prefix.length() + content.length + StorageCodec.REPLICA_TRAILER; // header included
    long until = System.currentTimeMillis() + 5000;
    while (receivedBytes() < whole && System.currentTimeMillis() < until) {
      Thread.sleep(10);
    }
    Buffer got = Buffer.buffer();
    reads.forEach(got::appendBuffer);
    assertEquals(whole, got.length());
    assertEquals(
        prefix, got.slice(0, prefix.length()), "the request starts with the header and prefix");
    assertEquals(
        Buffer.buffer(content), got.slice(prefix.length(), prefix.length() + content.length));
    assertEquals(
        StorageCodec.decodeTrailer(got.slice(prefix.length() + content.length, got.length())),
        new io.dfstree.protocol.StorageRequest.ReplicaTrailer(1234, "M00/00/00/somename.bin"));

    // the peer places it and answers: one copy acknowledged, the connection back in the pool
    accepted.get(0).write(PacketHeader.responseHeader(0));
    assertEquals(1, on(ctx, () -> acks[0]));
    PeerConnection again = on(ctx, () -> pool.acquire("127.0.0.1", port));
    assertEquals(1, accepted.size(), "the pooled connection is used again");
    assertTrue(again.usable());
  }

  /**
   * A write quorum of 1's push: the client is answered before the copy goes to the peer. The
   * continuation that answers the client runs first; the copy leaves in the next task on the
   * context (sent first, its sendto and the peer's wake-up were in front of every answer).
   */
  @Test
  void aPushedCopyLeavesAfterTheClientIsAnswered() throws Exception {
    PeerPool pool = new PeerPool(vertx, "127.0.0.1", () -> null);
    Context ctx = vertx.getOrCreateContext();
    byte[] content = new byte[4096];
    ReplicaFanout push = ReplicaFanout.push(pool);
    boolean[] copySent = {false};
    on(
        ctx,
        () ->
            pool.acquire("127.0.0.1", port)
                .map(
                    c -> {
                      push.hold(
                          c,
                          ReplicaFanout.prefix(content.length, 0),
                          content.length,
                          (conn, first) -> {
                            copySent[0] = true;
                            return conn.begin(first, 5000);
                          });
                      push.write(Buffer.buffer(content));
                      return c;
                    }));
    String name = "M00/00/00/pushedcopy.bin";
    io.dfstree.storage.NewBlob placed =
        (io.dfstree.storage.NewBlob)
            java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {io.dfstree.storage.NewBlob.class},
                (proxy, m, args) ->
                    switch (m.getName()) {
                      case "name" -> name;
                      case "placeAs" -> Future.succeededFuture(name); // placed here
                      default -> throw new UnsupportedOperationException(m.getName());
                    });
    boolean[] copySentBeforeAnswer = {true};
    String answered =
        on(
            ctx,
            () ->
                WriteQuorum.placeWithPeers(null, ctx, push, placed, 0)
                    .map(
                        remote -> {
                          // where the storage writes the client's answer
                          copySentBeforeAnswer[0] = copySent[0];
                          return remote;
                        }));
    assertEquals(name, answered);
    assertFalse(copySentBeforeAnswer[0], "the copy went out before the client's answer");
    // and it still goes out, whole, right after
    long until = System.currentTimeMillis() + 5000;
    int whole =
        ReplicaFanout.prefix(content.length, 0).length()
            + content.length
            + StorageCodec.REPLICA_TRAILER;
    while (receivedBytes() < whole && System.currentTimeMillis() < until) {
      Thread.sleep(10);
    }
    assertTrue(copySent[0]);
    assertEquals(whole, receivedBytes());
  }

  @Test
  void anAbortedSmallUploadSendsNothingAndKeepsItsConnection() throws Exception {
    PeerPool pool = new PeerPool(vertx, "127.0.0.1", () -> null);
    Context ctx = vertx.getOrCreateContext();
    ReplicaFanout fanout = new ReplicaFanout(pool, 1);
    PeerConnection held =
        on(
            ctx,
            () ->
                pool.acquire("127.0.0.1", port)
                    .map(
                        c -> {
                          fanout.hold(
                              c,
                              ReplicaFanout.prefix(100, 0),
                              100,
                              (conn, first) -> conn.begin(first, 5000));
                          fanout.write(Buffer.buffer(new byte[40]));
                          fanout.abort(); // the client went away
                          return c;
                        }));
    Thread.sleep(200);
    assertEquals(0, receivedBytes());
    assertTrue(held.usable());
    assertSame(held, on(ctx, () -> pool.acquire("127.0.0.1", port)));
  }

  /**
   * The deadline timer outlives an answered request (one timer per deadline, not per request on a
   * busy connection): a request that follows one with a longer deadline still gets its own.
   */
  @Test
  void aStalledRequestFailsAtItsOwnDeadlineAfterALongerOne() throws Exception {
    PeerPool pool = new PeerPool(vertx, "127.0.0.1", () -> null);
    Context ctx = vertx.getOrCreateContext();
    PeerConnection c = on(ctx, () -> pool.acquire("127.0.0.1", port));
    Future<Buffer>[] first = new Future[1];
    on(
        ctx,
        () -> {
          first[0] = c.begin(Buffer.buffer("one"), 60_000);
          return Future.succeededFuture();
        });
    long until = System.currentTimeMillis() + 5000;
    while (accepted.isEmpty() && System.currentTimeMillis() < until) {
      Thread.sleep(10);
    }
    accepted.get(0).write(PacketHeader.responseHeader(0));
    on(ctx, () -> first[0]);
    assertTrue(c.usable());

    long t0 = System.nanoTime();
    Exception e =
        assertThrows(
            java.util.concurrent.ExecutionException.class,
            () -> on(ctx, () -> c.begin(Buffer.buffer("two"), 300))); // the peer never answers
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(e.getCause().getMessage().contains("no progress"), e.getCause().toString());
    assertTrue(ms < 5000, "failed after " + ms + " ms, its deadline is 300 ms");
    // closed right after the failure is reported, on the connection's loop
    long closeBy = System.currentTimeMillis() + 2000;
    while (c.usable() && System.currentTimeMillis() < closeBy) {
      Thread.sleep(10);
    }
    assertFalse(c.usable(), "a stalled peer's connection is closed");
  }
}
