package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.s3.EndWatchTest.HandStream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A PUT body's digests ({@link BodyStream}, {@link DigestLane}): computed in order off the event
 * loop, right whatever the chunk sizes, checked before the body ends, and holding the body back
 * when they fall behind instead of queueing it in memory.
 */
class S3BodyDigestTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  /** Runs {@code body} on an event loop and waits for what it completes. */
  static <T> T onLoop(java.util.function.Consumer<CompletableFuture<T>> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.runOnContext(
        v -> {
          try {
            body.accept(result);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result.get(20, TimeUnit.SECONDS);
  }

  static byte[] content(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  static String md5Hex(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
  }

  /** Feeds {@code bytes} in chunks of 1 byte to 100 KiB (small ones may be digested inline). */
  static void feed(HandStream source, byte[] bytes) {
    Random r = new Random(7);
    for (int at = 0; at < bytes.length; ) {
      int n = Math.min(bytes.length - at, r.nextBoolean() ? 1 + r.nextInt(8192) : 1 + r.nextInt(100_000));
      source.data.handle(Buffer.buffer().appendBytes(bytes, at, n));
      at += n;
    }
    source.end.handle(null);
  }

  @Test
  void md5OfManyChunksIsTheBodysMd5() throws Exception {
    byte[] bytes = content(5 * 1024 * 1024 + 17);
    String md5 =
        onLoop(
            done -> {
              HandStream source = new HandStream();
              BodyStream body = new BodyStream(source, null, null, null, null, null, Long.MAX_VALUE);
              body.handler(b -> {});
              body.exceptionHandler(done::completeExceptionally);
              body.endHandler(v -> body.md5Hex().onSuccess(done::complete).onFailure(done::completeExceptionally));
              feed(source, bytes);
            });
    assertEquals(md5Hex(bytes), md5);
  }

  @Test
  void contentMd5AndSignedSha256AreCheckedBeforeTheEnd() throws Exception {
    byte[] bytes = content(3 * 1024 * 1024);
    String good = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    String sha = SigV4.hex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertEquals("ended", end(bytes, sha, good));
    assertEquals("BadDigest", end(bytes, sha, Base64.getEncoder().encodeToString(new byte[16])));
    String otherSha = SigV4.hex(MessageDigest.getInstance("SHA-256").digest(new byte[1]));
    assertEquals("XAmzContentSHA256Mismatch", end(bytes, otherSha, good));
  }

  private static String end(byte[] bytes, String sha256, String contentMd5) throws Exception {
    return onLoop(
        done -> {
          HandStream source = new HandStream();
          BodyStream body = new BodyStream(source, null, sha256, contentMd5, null, null, Long.MAX_VALUE);
          body.handler(b -> {});
          body.exceptionHandler(err -> done.complete(((S3Exception) err).code()));
          body.endHandler(v -> done.complete("ended"));
          feed(source, bytes);
        });
  }

  @Test
  void chunksAreDigestedInOrderOffTheCallersThread() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<Thread> threads = new CopyOnWriteArrayList<>();
    DigestLane lane =
        new DigestLane(
            DigestLane.POOL,
            b -> {
              order.add(b.getInt(0));
              threads.add(Thread.currentThread());
            });
    for (int i = 0; i < 200; i++) {
      lane.update(ByteBuffer.allocate(64 * 1024).putInt(0, i));
    }
    assertEquals(200, lane.after(order::size).get(10, TimeUnit.SECONDS));
    for (int i = 0; i < 200; i++) {
      assertEquals(i, order.get(i));
    }
    assertFalse(threads.contains(Thread.currentThread()), "a 64 KiB chunk is not digested inline");
    assertEquals(0, lane.queuedBytes());
  }

  @Test
  void aMibIn64KiBChunksReachesTheDigestPoolInAFewHandOffs() throws Exception {
    // each hand-off wakes a pool thread; one per 64 KiB chunk cost ~0.3 ms per 1 MiB PUT
    java.util.concurrent.atomic.AtomicInteger handOffs = new java.util.concurrent.atomic.AtomicInteger();
    Executor counting =
        r -> {
          handOffs.incrementAndGet();
          r.run(); // at once: the lane is idle again before the next chunk comes
        };
    MessageDigest md5 = MessageDigest.getInstance("MD5");
    DigestLane lane = new DigestLane(counting, md5::update);
    byte[] bytes = content(1 << 20);
    for (int at = 0; at < bytes.length; at += 64 * 1024) {
      lane.update(ByteBuffer.wrap(bytes, at, 64 * 1024).slice().asReadOnlyBuffer());
    }
    String digest = lane.after(() -> HexFormat.of().formatHex(md5.digest())).get(10, TimeUnit.SECONDS);
    assertEquals(md5Hex(bytes), digest);
    assertEquals((1 << 20) / DigestLane.HAND_OFF_BYTES, handOffs.get(), "hand-offs for 16 chunks of 64 KiB");
    assertEquals(0, lane.queuedBytes());
  }

  @Test
  void digestsFallingBehindPauseTheBodyUntilTheyCatchUp() throws Exception {
    ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
    Executor holding = held::add; // digests run only when the test lets them
    HandStream source = new HandStream();
    byte[] chunk = content(256 * 1024);
    List<Boolean> pausedAfter = new ArrayList<>();
    BodyStream body =
        onLoop(
            done -> {
              BodyStream b =
                  new BodyStream(source, null, null, null, null, null, Long.MAX_VALUE, holding);
              b.handler(x -> {});
              b.resume();
              for (int i = 0; i < 20; i++) { // 5 MiB, more than MAX_UNDIGESTED
                source.data.handle(Buffer.buffer(chunk));
                pausedAfter.add(source.paused);
              }
              done.complete(b);
            });
    int limitChunks = (int) (BodyStream.MAX_UNDIGESTED / chunk.length);
    assertFalse(pausedAfter.get(limitChunks - 1), "paused before the digests were behind");
    assertTrue(pausedAfter.get(limitChunks), "not paused with the digests behind");
    // the reader asks for more: the body stays paused while the digests are behind
    onLoop(done -> { body.resume(); done.complete(null); });
    assertTrue(source.paused);
    for (Runnable r; (r = held.poll()) != null; ) {
      r.run();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (source.paused && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertFalse(source.paused, "not resumed once the digests caught up");
    assertNotEquals(0, pausedAfter.size());
  }
}
