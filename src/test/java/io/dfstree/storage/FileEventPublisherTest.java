package io.dfstree.storage;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.api.Addresses;
import io.dfstree.api.FileEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * File events leave a storage in batches: few messages, every event, in order per publisher thread.
 */
class FileEventPublisherTest {
  @Test
  void manyEventsTravelInAFewBatchesAndNoneIsLost() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());
      List<FileEvent> got = Collections.synchronizedList(new ArrayList<>());
      vertx
          .eventBus()
          .<JsonObject>consumer(
              Addresses.FILE_EVENTS,
              m -> {
                List<FileEvent> events = FileEvent.fromMessage(m.body());
                sizes.add(events.size());
                got.addAll(events);
              })
          .completion()
          .await(5, TimeUnit.SECONDS);
      FileEventPublisher publisher = new FileEventPublisher(vertx);
      Thread[] threads = new Thread[3];
      for (int t = 0; t < threads.length; t++) {
        int id = t;
        threads[t] =
            new Thread(
                () -> {
                  for (int i = 0; i < 400; i++) {
                    publisher.publish(
                        new FileEvent(FileEvent.CREATED, "g/M00/00/00/t" + id + "-" + i, i, id, i));
                  }
                });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      await("1200 events")
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> got.size() >= 1200);
      assertEquals(1200, got.size(), "every event arrives once");
      assertTrue(sizes.size() <= 6, "1200 events in a few messages, not one each: " + sizes);
      assertTrue(
          sizes.stream().allMatch(n -> n <= FileEventPublisher.MAX_BATCH),
          "batches are capped: " + sizes);
      for (int t = 0; t < threads.length; t++) {
        String prefix = "g/M00/00/00/t" + t + "-";
        List<String> mine =
            got.stream().map(FileEvent::fileId).filter(f -> f.startsWith(prefix)).toList();
        for (int i = 0; i < mine.size(); i++) {
          assertEquals(prefix + i, mine.get(i), "one publisher's events keep their order");
        }
      }
      // a lone event is not held back for long
      long before = System.nanoTime();
      got.clear();
      publisher.publish(new FileEvent(FileEvent.DELETED, "g/M00/00/00/late", -1, 1, 1));
      while (got.isEmpty() && System.nanoTime() - before < 5_000_000_000L) {
        Thread.sleep(5);
      }
      assertEquals("g/M00/00/00/late", got.get(0).fileId());
      assertTrue(
          (System.nanoTime() - before) / 1_000_000 < 2000, "delivered within the batching delay");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aBatchMessageRoundTripsAndASingleEventIsReadAsOne() {
    List<FileEvent> events =
        List.of(
            new FileEvent(FileEvent.CREATED, "g/M00/00/00/a", 5, 1, 10),
            new FileEvent(FileEvent.METADATA, "g/M00/00/00/b", -1, 2, 11));
    assertEquals(events, FileEvent.fromMessage(FileEvent.batch(events)));
    assertEquals(List.of(events.get(0)), FileEvent.fromMessage(events.get(0).toJson()));
    assertEquals(List.of(), FileEvent.fromMessage(null));
  }
}
