package io.dfstree.cli;

import io.dfstree.fileid.TrunkId;
import io.dfstree.storage.packed.PackedOptions;
import io.dfstree.storage.packed.PackedStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-packed}: the packed small-file engine alone, no network — appends per second with
 * group commit (and, with {@code --plain N}, the same load as one file each with its file and
 * directory synced, side by side), verified reads, the index's heap per file and the time to
 * rebuild it from the volumes at start. A benchmark command, not a test: numbers depend on the disk
 * and on what else runs.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "bench-packed",
    description =
        "Benchmark the packed small-file engine on a local directory (appends/s with group commit, RAM per file, rebuild time).")
final class PackedBenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--dir",
      required = true,
      description = "an empty scratch directory (removed afterwards unless --keep)")
  Path dir;

  @Option(
      names = "-n",
      defaultValue = "100000",
      description = "files to append (default ${DEFAULT-VALUE})")
  int files;

  @Option(
      names = "-s",
      defaultValue = "4K",
      converter = ByteSizeConverter.class,
      description = "file size (default ${DEFAULT-VALUE})")
  long size;

  @Option(
      names = "-c",
      defaultValue = "16",
      description = "concurrent appenders (default ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--no-fsync", description = "no fdatasync per batch")
  boolean noFsync;

  @Option(
      names = "--plain",
      defaultValue = "0",
      description =
          "also write this many files one file each (fsync file + directory), for the ratio")
  int plain;

  @Option(
      names = "--reads",
      defaultValue = "20000",
      description = "verified random reads (default ${DEFAULT-VALUE})")
  int reads;

  @Option(names = "--keep", description = "keep the directory")
  boolean keep;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    try {
      Files.createDirectories(dir);
      PackedOptions options = PackedOptions.defaults(!noFsync);
      byte[] content = new byte[(int) size];
      ThreadLocalRandom.current().nextBytes(content);
      List<TrunkId> ids = java.util.Collections.synchronizedList(new ArrayList<>(files));
      long batches;
      double appendSeconds;
      try (PackedStore store = PackedStore.open(dir, 0, 0x0100007F, options)) {
        long t0 = System.nanoTime();
        parallel(files, i -> ids.add(store.append(ByteBuffer.wrap(content), "jpg").join()));
        appendSeconds = (System.nanoTime() - t0) / 1e9;
        batches = store.committerBatches();
        out.printf(
            "append   %,d files of %,d B, %d threads, fsync %s: %,.0f files/s, %.1f MiB/s, %,d syncs (%.1f files per sync)%n",
            files,
            size,
            threads,
            !noFsync,
            files / appendSeconds,
            files * size / appendSeconds / (1 << 20),
            batches,
            (double) files / batches);
        int n = Math.min(reads, ids.size());
        t0 = System.nanoTime();
        parallel(
            n,
            i -> {
              TrunkId id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
              try {
                if (store.read(id).remaining() != size) {
                  throw new IllegalStateException("short read " + id);
                }
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
        double readSeconds = (System.nanoTime() - t0) / 1e9;
        out.printf(
            "read     %,d random verified reads (CRC32 checked): %,.0f reads/s%n",
            n, n / readSeconds);
        PackedStore.Stats st = store.stats();
        out.printf(
            "index    %,d files, %,d volumes, index arrays %,d B = %.1f B per file (before the restart trims them)%n",
            st.files(),
            st.volumes(),
            st.indexHeapBytes(),
            (double) st.indexHeapBytes() / st.files());
      }
      ids.clear();
      // a clean stop wrote index checkpoints: the restart reads them and the volumes' tails
      restart(out, options, "after a clean stop (index checkpoints)");
      // a crash before any checkpoint: every volume is read whole
      try (var idx = Files.newDirectoryStream(dir.resolve("data").resolve("packed"), "*.idx")) {
        for (Path p : idx) {
          Files.delete(p);
        }
      }
      restart(out, options, "without checkpoints (reads every volume once)");
      if (plain > 0) {
        benchPlain(out, content);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      if (!keep) {
        deleteTree(dir);
      }
    }
  }

  private void restart(PrintWriter out, PackedOptions options, String how) throws IOException {
    try (PackedStore store = PackedStore.open(dir, 0, 0x0100007F, options)) {
      PackedStore.Rebuild r = store.rebuild();
      PackedStore.Stats st = store.stats();
      out.printf(
          "restart  rebuilt %,d files in %,d volumes in %,d ms %s; index %.1f B per file%n",
          r.files(), r.volumes(), r.millis(), how, (double) st.indexHeapBytes() / st.files());
    }
  }

  /**
   * The same appends as one file each: temp file, write, fsync, link into place, fsync the
   * directory.
   */
  private void benchPlain(PrintWriter out, byte[] content) throws IOException {
    Path plainDir = dir.resolve("plain");
    for (int d = 0; d < 256; d++) {
      Files.createDirectories(plainDir.resolve(String.format("%02X", d)));
    }
    AtomicInteger seq = new AtomicInteger();
    long t0 = System.nanoTime();
    parallel(
        plain,
        i -> {
          int n = seq.incrementAndGet();
          Path sub = plainDir.resolve(String.format("%02X", n & 0xFF));
          Path tmp = sub.resolve(n + ".tmp");
          try {
            try (FileChannel ch =
                FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
              ByteBuffer b = ByteBuffer.wrap(content);
              while (b.hasRemaining()) {
                ch.write(b);
              }
              if (!noFsync) {
                ch.force(false);
              }
            }
            Files.move(tmp, sub.resolve(n + ".jpg"));
            if (!noFsync) {
              try (FileChannel d = FileChannel.open(sub, StandardOpenOption.READ)) {
                d.force(true);
              }
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    double s = (System.nanoTime() - t0) / 1e9;
    out.printf(
        "plain    %,d files of %,d B one file each, %d threads, fsync %s: %,.0f files/s%n",
        plain, content.length, threads, !noFsync, plain / s);
  }

  private interface Step {
    void run(int i);
  }

  private void parallel(int count, Step step) {
    AtomicInteger next = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                for (int i; (i = next.getAndIncrement()) < count && failure.get() == null; ) {
                  try {
                    step.run(i);
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                  }
                }
              });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      try {
        w.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException("benchmark step failed", failure.get());
    }
  }

  private static void deleteTree(Path root) {
    try (java.util.stream.Stream<Path> all = Files.walk(root)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a scratch directory
    }
  }
}
