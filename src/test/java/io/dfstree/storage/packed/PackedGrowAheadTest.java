package io.dfstree.storage.packed;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.TrunkId;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Lone uploads (c=1: every upload a batch of its own) find their room written ahead by the grow
 * thread ({@link VolumeGrower}): no batch but a new volume's first makes its file longer inside its
 * own force, on the source's volume and on the copy a peer holds; what was written reads back, also
 * after a restart, and when many writers race the grow thread.
 */
class PackedGrowAheadTest extends PackedStoreFixture {
  private static final int SIZE = 65536;

  /** Crowding writers in the race test; the lone writer comes after them. */
  private static final int CROWD = 5;

  /**
   * Waits (bounded) until the file holds at least {@link VolumeGrower#LOW_WATER} past {@code end}.
   */
  private static void awaitRoom(Path file, long end) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long room;
    while ((room = Files.size(file) - end) < VolumeGrower.LOW_WATER) {
      assertTrue(
          System.nanoTime() < deadline,
          "no zeros grown ahead of the slots: " + room + " bytes of room past " + end);
      Thread.sleep(2);
    }
  }

  private static long end(TrunkId t) {
    return (long) t.offset() + t.slotLength();
  }

  @Test
  void loneUploadsNeverGrowTheirVolumeInsideTheirOwnBatch() throws Exception {
    int n = (int) (3 * VolumeGrower.GROW_AHEAD / SIZE); // three lumps of zeros' worth
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrunkId t = append(bytes(i, SIZE), "jpg");
      ids.add(t);
      awaitRoom(volumeFile(t), end(t));
    }
    Volume v = store.volume(SOURCE, ids.get(0).volume());
    assertEquals(1, v.inlineGrows, "only the new volume's first slot grew it inside its batch");
    assertTrue(store.zerosGrownAhead() >= 2, "grown " + store.zerosGrownAhead());
    for (int i = 0; i < n; i++) {
      assertArrayEquals(bytes(i, SIZE), array(store.read(ids.get(i))));
    }
  }

  @Test
  void smallLoneUploadsToo() throws Exception {
    int n = (int) (VolumeGrower.GROW_AHEAD / 4096) + 64;
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrunkId t = append(bytes(i, 4096), "txt");
      ids.add(t);
      awaitRoom(volumeFile(t), end(t));
    }
    assertEquals(1, store.volume(SOURCE, ids.get(0).volume()).inlineGrows);
    for (int i = 0; i < n; i += 37) {
      assertArrayEquals(bytes(i, 4096), array(store.read(ids.get(i))));
    }
  }

  @Test
  void aPeersLoneCopiesFindTheirRoomGrownAheadToo() throws Exception {
    int n = (int) (2 * VolumeGrower.GROW_AHEAD / SIZE) + 4;
    Path peerRoot = Files.createTempDirectory("packed-peer");
    List<TrunkId> theirs = new ArrayList<>();
    try (PackedStore peer =
        PackedStore.open(peerRoot, 0, 0x0200007F, PackedOptions.defaults(true))) {
      for (int i = 0; i < n; i++) {
        theirs.add(peer.append(ByteBuffer.wrap(bytes(50 + i, SIZE)), "jpg").join());
      }
    } finally {
      io.dfstree.TempTrees.delete(peerRoot);
    }
    for (int i = 0; i < n; i++) {
      TrunkId t = theirs.get(i);
      assertTrue(store.place(t, ByteBuffer.wrap(bytes(50 + i, SIZE))).get(10, TimeUnit.SECONDS));
      awaitRoom(volumeFile(t), end(t));
    }
    Volume copy = store.volume(0x0200007F, theirs.get(0).volume());
    assertEquals(1, copy.inlineGrows, "only the first copy grew the peer's volume in its batch");
    for (int i = 0; i < n; i++) {
      assertArrayEquals(bytes(50 + i, SIZE), array(store.read(theirs.get(i))));
    }
  }

  @Test
  void aRestartAfterZerosGrownAheadReadsEverySlotAndAppendsAfterThem() throws Exception {
    int n = (int) (VolumeGrower.GROW_AHEAD / SIZE) + 12;
    List<TrunkId> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrunkId t = append(bytes(200 + i, SIZE), "jpg");
      ids.add(t);
      awaitRoom(volumeFile(t), end(t));
    }
    TrunkId last = ids.get(n - 1);
    assertTrue(Files.size(volumeFile(last)) >= end(last) + VolumeGrower.LOW_WATER);
    reopen();
    for (int i = 0; i < n; i++) {
      assertArrayEquals(bytes(200 + i, SIZE), array(store.read(ids.get(i))));
    }
    TrunkId after = append(bytes(999, SIZE), "jpg");
    assertEquals(end(last), after.offset(), "the zeros grown ahead are free room after a restart");
    assertArrayEquals(bytes(999, SIZE), array(store.read(after)));
    reopen();
    assertArrayEquals(bytes(999, SIZE), array(store.read(after)));
    assertArrayEquals(bytes(200, SIZE), array(store.read(ids.get(0))));
  }

  /**
   * Crowding writers (their batches often large enough to grow the file themselves) race a lone
   * writer whose 64 KiB batches ask the grow thread for zeros. The lone writer goes on until it has
   * written {@code aloneAfter} batches after the crowd stopped submitting: 16 x 64 KiB is a whole
   * {@link VolumeGrower#GROW_AHEAD}, so it asks for a grow however the crowd's batches fell (with a
   * slow fsync every crowded batch can be large, and none asks; CI, 2026-12-05).
   */
  @Test
  void manyWritersRacingTheGrowThreadLoseNoSlot() throws Exception {
    int writers = CROWD;
    int each = 120;
    int aloneAfter = (int) (VolumeGrower.GROW_AHEAD / SIZE);
    List<Thread> threads = new ArrayList<>();
    List<List<CompletableFuture<TrunkId>>> per = new ArrayList<>();
    CountDownLatch crowdDone = new CountDownLatch(writers);
    for (int w = 0; w < writers; w++) {
      List<CompletableFuture<TrunkId>> mine = new ArrayList<>();
      per.add(mine);
      int ww = w;
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < each; i++) {
                    CompletableFuture<TrunkId> f = appendOf(ww, i, "bin");
                    mine.add(f);
                    if (i % 3 == 0) {
                      f.join(); // lone batches among the crowded ones
                    }
                  }
                } finally {
                  crowdDone.countDown();
                }
              });
      threads.add(t);
      t.start();
    }
    List<CompletableFuture<TrunkId>> lone = new ArrayList<>();
    per.add(lone);
    int lw = writers;
    Thread loneWriter =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
              int after = 0;
              for (int i = 0; after < aloneAfter && System.nanoTime() < deadline; i++) {
                boolean crowdStopped = crowdDone.getCount() == 0;
                CompletableFuture<TrunkId> f = appendOf(lw, i, "jpg");
                lone.add(f);
                f.join();
                if (crowdStopped) {
                  after++;
                }
              }
            });
    threads.add(loneWriter);
    loneWriter.start();
    for (Thread t : threads) {
      t.join(90_000);
    }
    for (List<CompletableFuture<TrunkId>> mine : per) {
      for (CompletableFuture<TrunkId> f : mine) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    assertEquals(writers * each, per.stream().limit(writers).mapToInt(List::size).sum());
    assertTrue(lone.size() >= aloneAfter, "lone batches " + lone.size());
    assertTrue(store.zeroGrowsAsked() > 0, "the grow thread was asked for zeros");
    checkAll(per);
    reopen();
    checkAll(per);
  }

  /** Writer {@code w}'s {@code i}th file ({@link #checkAll} reads it back). */
  private CompletableFuture<TrunkId> appendOf(int w, int i, String ext) {
    return store.append(ByteBuffer.wrap(bytes(w * 10_000 + i, size(w, i))), ext);
  }

  /** A crowding writer's sizes vary from 1 byte to 70 KiB; the lone writer's are 64 KiB. */
  private static int size(int writer, int i) {
    return writer == CROWD ? SIZE : 1 + (int) ((writer * 7919L + i * 104729L) % (70 * 1024));
  }

  private void checkAll(List<List<CompletableFuture<TrunkId>>> per) throws Exception {
    for (int w = 0; w < per.size(); w++) {
      List<CompletableFuture<TrunkId>> mine = per.get(w);
      for (int i = 0; i < mine.size(); i++) {
        int size = size(w, i);
        assertArrayEquals(
            bytes(w * 10_000 + i, size), array(store.read(mine.get(i).join())), w + "/" + i);
      }
    }
  }
}
