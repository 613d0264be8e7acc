package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background scrub: reads every stored file whose name carries its size and CRC32, at most
 * {@code scrubBytesPerSecond}, on a thread of its own (never a disk thread clients wait for), and
 * has {@link Integrity} repair a damaged copy from a peer. A full pass, then a pause of {@code
 * scrubPauseMinutes}, forever. Progress: {@link #files}, {@link #bytes}, {@link #passes}.
 */
final class Scrubber {
  private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);
  private static final Pattern HEX2 = Pattern.compile("[0-9A-F]{2}");

  final AtomicLong files = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  final AtomicLong passes = new AtomicLong();
  private final Vertx vertx;
  private final Context context;
  private final StorageNode node;
  private final long bytesPerSecond;
  private final long pauseMs;
  private final WorkerExecutor thread;
  private volatile boolean stopped;
  private long timer = -1;

  Scrubber(Vertx vertx, Context context, StorageNode node) {
    this.vertx = vertx;
    this.context = context;
    this.node = node;
    this.bytesPerSecond = node.options.reliability().scrubBytesPerSecond();
    this.pauseMs = TimeUnit.MINUTES.toMillis(node.options.reliability().scrubPauseMinutes());
    this.thread =
        vertx.createSharedWorkerExecutor("dfstree-scrub-" + node.options.id(), 1, 1, TimeUnit.DAYS);
  }

  /** Starts the first pass after {@code delayMs}; nothing when the scrub is off. */
  void start(long delayMs) {
    if (bytesPerSecond > 0) {
      schedule(delayMs);
    }
  }

  private void schedule(long delayMs) {
    context.runOnContext(
        x ->
            timer =
                vertx.setTimer(
                    Math.max(1, delayMs),
                    t -> {
                      if (!stopped) {
                        runPass();
                      }
                    }));
  }

  private void runPass() {
    thread
        .executeBlocking(
            () -> {
              pass();
              return null;
            },
            false)
        .onComplete(
            ar -> {
              if (ar.failed() && !stopped) {
                LOG.warn(
                    "storage {}: scrub pass ended early: {}",
                    node.options.id(),
                    ar.cause().toString());
              }
              if (!stopped) {
                schedule(pauseMs);
              }
            });
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    thread.close();
  }

  /** Blocking: one pass over every store path. */
  private void pass() throws IOException {
    long started = System.nanoTime();
    long filesBefore = files.get();
    Throttle throttle = new Throttle(bytesPerSecond);
    for (StorePath p : node.paths.all()) {
      PackedBlobEngine packed = node.packed;
      if (packed != null) {
        // packed slots: each read checks the CRC32 in the slot header (it is the name's)
        packed.reads.scrub(p.index, throttle, this::repair, files, bytes, () -> stopped);
      }
      for (Path high : dirs(p.data)) {
        for (Path low : dirs(high)) {
          for (Path f : entries(low)) {
            if (stopped) {
              return;
            }
            check(p, high, low, f, throttle);
          }
        }
      }
    }
    passes.incrementAndGet();
    if (pauseMs >= 60_000 && LOG.isInfoEnabled()) {
      LOG.info(
          "storage {}: scrub pass {} checked {} files in {} s",
          node.options.id(),
          passes.get(),
          files.get() - filesBefore,
          (System.nanoTime() - started) / 1_000_000_000L);
    }
  }

  private void check(StorePath p, Path high, Path low, Path f, Throttle throttle) {
    String base = f.getFileName().toString();
    String remote =
        FileName.logicPath(
                p.index,
                Integer.parseInt(high.getFileName().toString(), 16),
                Integer.parseInt(low.getFileName().toString(), 16))
            + base;
    if (base.endsWith("-m") || !Integrity.checkable(remote)) {
      return;
    }
    try {
      boolean ok = Integrity.intact(f, remote, throttle);
      files.incrementAndGet();
      bytes.addAndGet(Files.size(f));
      if (!ok) {
        FileId id = node.files.validate(node.options.group(), remote);
        // one repair at a time: the scrub never floods peers
        node.integrity
            .repair(context, id)
            .toCompletionStage()
            .toCompletableFuture()
            .get(5, TimeUnit.MINUTES);
      }
    } catch (NoSuchFileException deletedMeanwhile) {
      // fine
    } catch (Exception e) {
      LOG.warn("storage {}: scrub of {}: {}", node.options.id(), remote, e.toString());
    }
  }

  /** Blocking: one repair at a time, so the scrub never floods peers. */
  private void repair(FileId id) {
    try {
      node.integrity
          .repair(context, id)
          .toCompletionStage()
          .toCompletableFuture()
          .get(5, TimeUnit.MINUTES);
    } catch (Exception e) {
      LOG.warn(
          "storage {}: scrub repair of {}: {}", node.options.id(), id.remoteName(), e.toString());
    }
  }

  private static List<Path> dirs(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : entries(dir)) {
      if (HEX2.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p)) {
        out.add(p);
      }
    }
    out.sort(null);
    return out;
  }

  private static List<Path> entries(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(out::add);
    } catch (NoSuchFileException gone) {
      // nothing there
    }
    return out;
  }

  /** Sleeps as needed to read no faster than {@code bytesPerSecond}. */
  static final class Throttle implements Integrity.Throttle {
    private final long bytesPerSecond;
    private final long startNanos = System.nanoTime();
    private long consumed;

    Throttle(long bytesPerSecond) {
      this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public void consumed(long n) {
      consumed += n;
      long dueNanos = consumed * 1_000_000_000L / bytesPerSecond;
      long aheadMs = (dueNanos - (System.nanoTime() - startNanos)) / 1_000_000;
      if (aheadMs > 0) {
        try {
          Thread.sleep(aheadMs);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
