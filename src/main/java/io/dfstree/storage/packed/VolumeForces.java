package io.dfstree.storage.packed;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Forces the volumes one batch touched at the same time: the first on the committer's thread, the
 * others on a helper thread of this store, and returns once all of them are durable (or throws).
 * In a group a member's batch usually touches two volumes, its own (its uploads) and its peer's
 * (the copies it holds); forced one after the other the second {@code fdatasync} only started once
 * the first had written and flushed, so a batch of 64 KiB slots waited for two device round trips
 * of half a megabyte each. Together the device takes both requests at once (benchmark/PROFILE.md,
 * up64). What the batch's answers wait for is unchanged: every volume it wrote is forced first.
 */
final class VolumeForces {
  private record Job(List<Volume> volumes, CompletableFuture<Void> done) {}

  private final BlockingQueue<Job> jobs = new ArrayBlockingQueue<>(1);
  private final Thread helper;
  private volatile boolean closed;

  /** Batches whose volumes were forced two or more at a time (tests, the profile). */
  volatile long together;

  VolumeForces(int storePathIndex) {
    helper = new Thread(this::run, String.format("packed-force-M%02X", storePathIndex));
    helper.setDaemon(true);
    helper.start();
  }

  /** Forces every volume in {@code touched}; committer thread. Returns the forces run. */
  int force(List<Volume> touched) throws IOException {
    if (touched.isEmpty()) {
      return 0;
    }
    if (touched.size() == 1 || closed) {
      for (Volume v : touched) {
        v.channel.force(false);
      }
      return touched.size();
    }
    Job job = new Job(touched.subList(1, touched.size()), new CompletableFuture<>());
    if (!jobs.offer(job)) {
      throw new IllegalStateException("a batch's volumes are forced one batch at a time");
    }
    IOException first = null;
    try {
      touched.get(0).channel.force(false);
    } catch (IOException e) {
      first = e;
    }
    try {
      job.done.get(); // the others: the batch is answered only once all of them are durable
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while forcing a batch's volumes", e);
    } catch (ExecutionException e) {
      if (first == null) {
        first =
            e.getCause() instanceof IOException io ? io : new IOException(e.getCause().toString());
      }
    }
    if (first != null) {
      throw first;
    }
    together++;
    return touched.size();
  }

  private void run() {
    while (true) {
      Job job;
      try {
        job = jobs.take();
      } catch (InterruptedException e) {
        return;
      }
      if (job.volumes == null) {
        return; // closed
      }
      try {
        for (Volume v : job.volumes) {
          v.channel.force(false);
        }
        job.done.complete(null);
      } catch (Throwable t) {
        job.done.completeExceptionally(t);
      }
      if (closed) {
        return;
      }
    }
  }

  /**
   * After the committer's last batch. Not by interrupting the helper: an interrupt inside {@code
   * force} would close the volume's channel.
   */
  void close() {
    closed = true;
    jobs.offer(new Job(null, null)); // when full, the helper is on a last job of a late batch
  }
}
