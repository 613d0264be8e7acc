package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Watches of one event loop share one tick: each still trips on its own windows (an idle one after
 * the idle timeout, never before), a stopped one never does, and a flush asked for with {@code
 * soon} runs once.
 */
class ClientWatchTest {
  static final ClientLimits LIMITS = new ClientLimits(16, 400, 100, 10, 10_000);
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void idleWatchesOnOneLoopTripAfterTheTimeoutAndAStoppedOneNever() throws Exception {
    Context loop = vertx.getOrCreateContext();
    List<String> trips = new CopyOnWriteArrayList<>();
    CompletableFuture<Long> tripped = new CompletableFuture<>();
    long[] started = new long[1];
    AtomicInteger flushed = new AtomicInteger();
    loop.runOnContext(
        v -> {
          started[0] = System.nanoTime();
          ClientWatch stopped =
              new ClientWatch(
                  vertx, LIMITS, () -> ClientPace.Phase.IDLE, r -> trips.add("stopped: " + r));
          for (int i = 0; i < 3; i++) {
            int n = i;
            ClientWatch[] w = new ClientWatch[1];
            w[0] =
                new ClientWatch(
                    vertx,
                    LIMITS,
                    () -> ClientPace.Phase.IDLE,
                    r -> {
                      trips.add(n + ": " + r);
                      tripped.complete(System.nanoTime());
                      w[0].stop(); // as the connection's close does
                    });
            w[0].soon(flushed::incrementAndGet);
            w[0].soon(flushed::incrementAndGet); // already scheduled: not twice
          }
          stopped.soon(flushed::incrementAndGet);
          stopped.stop();
        });
    long tookMs = (tripped.get(10, TimeUnit.SECONDS) - started[0]) / 1_000_000;
    Thread.sleep(300);
    assertTrue(
        tookMs >= LIMITS.idleTimeoutMs(),
        "tripped after " + tookMs + " ms, not before the idle timeout");
    assertEquals(
        3, trips.stream().filter(t -> t.contains("idle for 400 ms")).count(), trips.toString());
    assertTrue(trips.stream().noneMatch(t -> t.startsWith("stopped")), trips.toString());
    assertEquals(3, flushed.get(), "one flush per watch that asked, none for the stopped one");
  }

  @Test
  void aTrickleInTheMiddleOfARequestTripsAndBytesKeepItAlive() throws Exception {
    Context loop = vertx.getOrCreateContext();
    CompletableFuture<String> slow = new CompletableFuture<>();
    List<String> busyTrips = new CopyOnWriteArrayList<>();
    ClientWatch[] busy = new ClientWatch[1];
    loop.runOnContext(
        v -> {
          ClientWatch[] trickle = new ClientWatch[1];
          trickle[0] =
              new ClientWatch(
                  vertx,
                  LIMITS,
                  () -> ClientPace.Phase.READING,
                  r -> {
                    slow.complete(r);
                    trickle[0].stop();
                  });
          busy[0] = new ClientWatch(vertx, LIMITS, () -> ClientPace.Phase.READING, busyTrips::add);
          vertx.setPeriodic(
              20, t -> busy[0].received(100)); // well above 10 bytes per 100 ms window
        });
    String reason = slow.get(10, TimeUnit.SECONDS);
    assertTrue(reason.contains("in the middle of a request"), reason);
    Thread.sleep(400);
    assertEquals(List.of(), busyTrips, "a client that keeps sending is not closed");
  }

  /**
   * An idle connection held open (a peer's catch-up connection) wakes its loop once a window, not
   * every {@link ClientWatch#STALL_FLUSH_MS}; a flush asked for meanwhile still runs about {@link
   * ClientWatch#STALL_FLUSH_MS} later, not at the window's end.
   */
  @Test
  void anIdleWatchWakesItsLoopOncePerWindowAndAFlushStillRunsSoon() throws Exception {
    ClientLimits tenSecondWindows = new ClientLimits(16, 900_000, 10_000, 10, 10_000);
    Context loop = vertx.getOrCreateContext();
    ClientWatch[] w = new ClientWatch[1];
    CompletableFuture<Long> before = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          w[0] = new ClientWatch(vertx, tenSecondWindows, () -> ClientPace.Phase.IDLE, r -> {});
          before.complete(ClientWatch.ticksRun(vertx));
        });
    long ticks0 = before.get(5, TimeUnit.SECONDS);
    Thread.sleep(1_500);
    CompletableFuture<Long> after = new CompletableFuture<>();
    CompletableFuture<Long> flushedAfterMs = new CompletableFuture<>();
    loop.runOnContext(
        v -> {
          after.complete(ClientWatch.ticksRun(vertx));
          long asked = System.nanoTime();
          w[0].soon(() -> flushedAfterMs.complete((System.nanoTime() - asked) / 1_000_000));
        });
    long idleTicks = after.get(5, TimeUnit.SECONDS) - ticks0;
    // a periodic 100 ms tick ran ~15 times in 1.5 s
    assertTrue(idleTicks <= 1, idleTicks + " ticks in 1.5 s with one idle watch");
    long ms = flushedAfterMs.get(5, TimeUnit.SECONDS);
    assertTrue(
        ms >= ClientWatch.STALL_FLUSH_MS - 1 && ms < 1_000,
        "flushed " + ms + " ms after asking (window 10 s)");
    loop.runOnContext(v -> w[0].stop());
  }
}
