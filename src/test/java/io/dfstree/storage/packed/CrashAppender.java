package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * The child process of {@link PackedCrashTest}: appends (and deletes some) from several threads
 * until it is killed, printing {@code A <name>} once an append is acknowledged and {@code D <name>}
 * once a delete is ({@code d <name>} when it is asked for). Content is {@link #content(long)}: the
 * seed in the first 8 bytes, so any slot can be checked against what it should hold. It checkpoints
 * the index every 100 ms, so the kill also meets checkpoints older than some deletes and appends.
 * Bounded: 60 s at most.
 */
public final class CrashAppender {
  private CrashAppender() {}

  static byte[] content(long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[8 + r.nextInt(20_000)];
    r.nextBytes(b);
    ByteBuffer.wrap(b).putLong(0, seed);
    return b;
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    long seedBase = Long.parseLong(args[1]);
    int threads = 8;
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
    PackedStore store =
        PackedStore.open(root, 0, 0x0100007F, PackedOptions.defaults(true).withVolumeSize(4 << 20));
    out.println("READY");
    out.flush();
    long deadline = System.currentTimeMillis() + 60_000;
    // index checkpoints all along, as the storage's minute timer takes them: the kill finds some
    Thread checkpointer =
        new Thread(
            () -> {
              while (System.currentTimeMillis() < deadline) {
                try {
                  Thread.sleep(100);
                  store.checkpoint();
                } catch (Exception e) {
                  return;
                }
              }
            });
    checkpointer.setDaemon(true);
    checkpointer.start();
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      workers.add(
          CompletableFuture.runAsync(
              () -> {
                List<TrunkId> mine = new ArrayList<>();
                for (long i = 0; i < 100_000 && System.currentTimeMillis() < deadline; i++) {
                  long seed = seedBase + thread * 1_000_000L + i;
                  TrunkId id = store.append(ByteBuffer.wrap(content(seed)), "bin").join();
                  synchronized (out) {
                    out.println("A " + id.remoteName());
                    out.flush();
                  }
                  mine.add(id);
                  if (i % 5 == 4) {
                    TrunkId victim = mine.remove(mine.size() / 2);
                    synchronized (out) {
                      out.println(
                          "d "
                              + victim
                                  .remoteName()); // asked: after a kill it may or may not be gone
                      out.flush();
                    }
                    store.delete(victim).join();
                    synchronized (out) {
                      out.println("D " + victim.remoteName());
                      out.flush();
                    }
                  }
                }
              },
              java.util.concurrent.Executors.newSingleThreadExecutor()));
    }
    CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
    System.exit(0);
  }
}
