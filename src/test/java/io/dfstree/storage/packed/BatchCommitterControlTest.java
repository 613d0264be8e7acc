package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.TrunkId;
import java.lang.reflect.ParameterizedType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The committer's rare ops (a snapshot of the indexes, the stop) run between batches, never inside
 * the batch method: that method's compiled code is specialised for the write ops its profile saw,
 * and a snapshot reaching it once a minute (the maintenance pass's checkpoint) deoptimized it
 * (benchmark/PROFILE.md, "jit26").
 */
class BatchCommitterControlTest extends PackedStoreFixture {

  @Test
  void theBatchMethodTakesWritesOnly() throws Exception {
    var commit = BatchCommitter.class.getDeclaredMethod("commit", List.class, boolean.class);
    var list = (ParameterizedType) commit.getGenericParameterTypes()[0];
    assertEquals(CommitQueue.Write.class, list.getActualTypeArguments()[0]);
    List<Class<?>> writes = Arrays.asList(CommitQueue.Write.class.getPermittedSubclasses());
    assertFalse(writes.contains(CommitQueue.Snapshot.class));
    assertFalse(writes.contains(CommitQueue.Stop.class));
    assertTrue(CommitQueue.Control.class.isAssignableFrom(CommitQueue.Snapshot.class));
    assertTrue(CommitQueue.Control.class.isAssignableFrom(CommitQueue.Stop.class));
  }

  /**
   * A snapshot queued while the committer is busy, with an append queued behind it: it copies the
   * indexes after the writes queued before it and before the append behind it, and takes no batch
   * of its own. Before, it went into the append's batch (and the batch method) and copied the index
   * after that append too.
   */
  @Test
  void aSnapshotRunsBetweenBatchesAfterTheWritesQueuedBeforeIt() throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    store.afterBatch(
        idle -> {
          if (first.getAndSet(false)) {
            holding.countDown();
            try {
              go.await(30, TimeUnit.SECONDS); // the committer waits here, after its first batch
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        });
    TrunkId a1 = append(bytes(1, 4096), "a");
    assertTrue(holding.await(30, TimeUnit.SECONDS));
    long batches = store.committerBatches();
    CompletableFuture<List<IndexCheckpoint.Snapshot>> snap = store.askSnapshot();
    CompletableFuture<TrunkId> a2 = store.append(ByteBuffer.wrap(bytes(2, 4096)), "b");
    go.countDown();
    List<IndexCheckpoint.Snapshot> snaps = snap.get(30, TimeUnit.SECONDS);
    TrunkId id2 = a2.get(30, TimeUnit.SECONDS);

    assertEquals(1, snaps.size());
    IndexCheckpoint.Snapshot s = snaps.get(0);
    assertArrayEquals(new int[] {a1.offset()}, s.offsets(), "the snapshot holds a1 alone");
    assertEquals((long) a1.offset() + a1.slotLength(), s.covered());
    assertTrue(id2.offset() >= s.covered());
    assertEquals(batches + 1, store.committerBatches(), "one batch: a2's");
    assertArrayEquals(bytes(2, 4096), array(store.read(id2)));
  }

  /** A snapshot alone is no batch (nothing forced or counted as one). */
  @Test
  void aSnapshotAloneIsNoBatch() throws Exception {
    append(bytes(1, 4096), "a");
    long batches = store.committerBatches();
    assertEquals(1, store.askSnapshot().get(30, TimeUnit.SECONDS).size());
    assertEquals(batches, store.committerBatches());
  }
}
