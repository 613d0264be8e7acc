package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a plain file goes when it is deleted (issue 9, deletes): renamed into {@code
 * <store path>/data/.trash/} inside the delete's round, and unlinked behind the answer.
 *
 * <p>Why: on the benchmark machine {@code /} is ext4 without a journal, mounted {@code discard}; an
 * unlink of a file whose blocks are allocated (every fsynced upload) issues the discard inside the
 * system call, 0.5-1.4 ms per 1 MiB file, and the device takes them about one at a time; a rename
 * frees no block and costs tens of microseconds. And a delete no longer forces the directory it
 * left before it is answered: its binlog line, forced in the round, is the durable record (as for a
 * packed slot's mark), and the directories are forced here, behind the answers, many deletes to a
 * force of each directory.
 *
 * <p>Held while the storage is busy (issue 9, 1 MiB deletes with fsync, helper {@code big}): done
 * behind every round, the trash's discards and directory forces took the device between the next
 * rounds' binlog forces and the next uploads' forces. The trash thread now forces and unlinks only
 * once the storage recorded no change (no binlog line) and handed it no delete for {@link
 * #quietNanos}; while changes keep coming it holds them, up to {@link #forceAgeNanos} for a
 * directory force and up to {@link #maxHeldBytes} (and 1/64 of the path, and never below the
 * path's room above its reserve) of files per store path, past which the oldest are unlinked at
 * once as before. Durability is the same: the answer never waited for either, and a held file is
 * already gone from its name (its line forced), so a start after a crash redoes and empties as
 * below. What the hold costs: the held bytes come back to the free space up to the pause later.
 *
 * <p>Recovery: after the directories of every delete up to a binlog offset are forced, that offset
 * is written to {@code sync/deletes-synced} (not forced: it is only ever behind the truth). A start
 * ({@link #redo}) removes again every plain file whose last binlog line after that offset is a
 * delete (a crash may have brought back a file whose directory was not written yet), forces those
 * directories, and empties the trash (its files were deleted, or were being deleted when the
 * process died unanswered, as an unlink before this change left them). Without fsync nothing is
 * forced and only the trash is emptied.
 *
 * <p>A store path without room for uploads unlinks at once ({@link StoredFiles}), so a delete on a
 * full disk frees space before it is answered.
 */
final class Trash {
  static final String DIR = ".trash";
  static final String MARK = "deletes-synced";

  /** A file moved into the trash ({@code trashed}, null when nothing was there to move). */
  record Item(Path trashed, Path dir, int storePathIndex, long bytes) {
    Item(Path trashed, Path dir, int storePathIndex) {
      this(trashed, dir, storePathIndex, 0);
    }
  }

  private record Batch(List<Item> items, long binlogOffset, long handedNanos) {}

  private final StorePaths paths;
  private final FileChanges changes;
  private final boolean fsync;
  private final AtomicLong counter = new AtomicLong(System.nanoTime() & 0xFFFFFFFFL);
  private final ConcurrentLinkedQueue<Batch> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile ExecutorService worker;
  private volatile Path mark;

  /** The offset last written to the mark (see {@link #syncedOffset}). */
  private volatile long synced = Long.MAX_VALUE;

  /** Rounds between moving files in and handing them to {@link #later}. */
  private final java.util.concurrent.atomic.AtomicInteger rounds =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Files unlinked behind the answer, and directory forces run for deletes (tests). */
  final java.util.concurrent.atomic.LongAdder unlinked = new java.util.concurrent.atomic.LongAdder();

  /** Called (on the trash thread) after a store path was re-measured: see {@link StoredFiles}. */
  volatile java.util.function.IntConsumer afterUnlinks = i -> {};

  Trash(StorePaths paths, FileChanges changes, boolean fsync) {
    this.paths = paths;
    this.changes = changes;
    this.fsync = fsync;
  }

  static Path dirOf(StorePath p) {
    return p.data.resolve(DIR);
  }

  /**
   * Blocking, under the file's lock: moves {@code file} of store path {@code p} into its trash;
   * where it went, or null when it was not there.
   */
  Path moveIn(StorePath p, Path file) throws IOException {
    Path target = dirOf(p).resolve(counter.incrementAndGet() + "-" + file.getFileName());
    try {
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      if (Files.exists(file)) { // the trash itself is gone (removed by hand): recreate it
        Files.createDirectories(target.getParent());
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        return null;
      }
    }
    return target;
  }

  /** The size of a file just moved in (0 when it cannot be read: then it does not count). */
  static long sizeOf(Path trashed) {
    if (trashed == null) {
      return 0;
    }
    try {
      return Files.size(trashed);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * After a round of deletes was answered (their lines end at {@code binlogOffset} in the binlog):
   * forces their directories, then unlinks their files, on the trash thread — both held while the
   * storage is busy ({@link #busy}).
   */
  void later(List<Item> items, long binlogOffset) {
    if (items.isEmpty()) {
      return;
    }
    unforced.incrementAndGet(); // before the queue: syncedOffset must see it (see there)
    lastHandedNanos = System.nanoTime();
    queue.add(new Batch(items, binlogOffset, System.nanoTime()));
    if (running.compareAndSet(false, true)) {
      worker().execute(this::drain);
    }
  }

  private ExecutorService worker() {
    ExecutorService w = worker;
    if (w == null) {
      synchronized (this) {
        if (worker == null) {
          // one thread, gone after 30 s idle: a stopped storage leaves no thread behind
          java.util.concurrent.ThreadPoolExecutor pool =
              new java.util.concurrent.ThreadPoolExecutor(
                  1,
                  1,
                  30,
                  java.util.concurrent.TimeUnit.SECONDS,
                  new java.util.concurrent.LinkedBlockingQueue<>(),
                  r -> {
                    Thread t = new Thread(r, "dfstree-trash");
                    t.setDaemon(true);
                    return t;
                  });
          pool.allowCoreThreadTimeOut(true);
          worker = pool;
        }
        w = worker;
      }
    }
    return w;
  }

  /** A round that may move files in begins: until {@link #roundEnded}, the binlog is not trimmed. */
  void roundBegins() {
    synchronized (rounds) {
      rounds.incrementAndGet();
    }
  }

  /** The round's files were handed to {@link #later} (or none were moved). */
  void roundEnded() {
    rounds.decrementAndGet();
  }

  /**
   * The binlog offset before which every plain delete has its directory forced: a {@link
   * BinlogTrim} must not trim past it, or a start could not redo them. No limit when no delete
   * waits for its directory force (or without fsync); files held forced, only waiting for their
   * unlink, do not hold the binlog back.
   */
  long syncedOffset() {
    if (!fsync || mark == null) {
      return Long.MAX_VALUE;
    }
    synchronized (rounds) {
      Binlog log = changes.binlog();
      if (rounds.get() == 0 && unforced.get() == 0 && log != null) {
        // nothing waits for a directory force: every delete logged so far is durable; a round
        // beginning after this appends its lines after this offset (later() counts its batch
        // before the round ends)
        return log.size();
      }
    }
    return synced;
  }

  /** Whether deletes are waiting for their directory force or unlink (tests). */
  boolean idle() {
    return queue.isEmpty() && !running.get();
  }

  /** Files moved in and forced, waiting for their unlink (trash thread only). */
  private final java.util.ArrayDeque<Item> held = new java.util.ArrayDeque<>();

  /** Batches whose directories are not forced yet (trash thread only, after the queue). */
  private final java.util.ArrayDeque<Batch> toForce = new java.util.ArrayDeque<>();

  /** Batches handed to {@link #later} whose directories are not forced yet. */
  private final java.util.concurrent.atomic.AtomicInteger unforced =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Bytes of {@link #held} per store path index (trash thread only). */
  private final Map<Integer, Long> heldBytes = new HashMap<>();

  /**
   * How long the storage must have recorded no change (no binlog line: no upload, delete or copy
   * applied) and handed no delete here before the trash forces directories and unlinks files.
   * Issue 9, 1 MiB deletes with fsync: on ext4 mounted {@code discard} an unlink of a written file
   * issues its discards (a 1 MiB file: ~1 MiB of discard requests, 0.4-1 ms of the device each)
   * and a directory force is a write and a flush; done behind every round they sat in front of the
   * next rounds' binlog forces and the next uploads' forces on the same device. Held while changes
   * keep coming, they run in the pauses.
   */
  volatile long quietNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

  /** The longest a delete waits for its directory force while the storage stays busy. */
  volatile long forceAgeNanos = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);

  /**
   * The most bytes a store path holds in its trash while the storage is busy: past it the oldest
   * are unlinked even then (one unlink per delete, as without the hold). {@code min(1 GiB, 1/64 of
   * the path)}, and nothing is held on a path that would then lack room above its reserve.
   */
  volatile long maxHeldBytes = 1L << 30;

  /** How often the trash thread looks again while it holds files (ms). */
  private static final long TICK_MS = 20;

  private volatile long lastHandedNanos;
  private long lastLogSize = -1;
  private long lastChangeNanos;

  /**
   * Whether the storage recorded a change or handed deletes here within {@link #quietNanos}, or a
   * delete round is running (trash thread).
   */
  private boolean busy(long now) {
    if (rounds.get() > 0) {
      return true;
    }
    Binlog log = changes.binlog();
    long size = log == null ? -1 : log.size();
    if (size != lastLogSize) {
      lastLogSize = size;
      lastChangeNanos = now;
    }
    long quiet = quietNanos;
    return now - lastChangeNanos < quiet || now - lastHandedNanos < quiet;
  }

  /** The most bytes store path {@code index} may hold while busy. */
  private long holdLimit(int index) {
    try {
      StorePath p = paths.get(index);
      long limit = Math.min(maxHeldBytes, p.totalBytes() / 64);
      return paths.hasRoomFor(p, limit) ? limit : 0;
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Whether some store path holds more than it may while busy. */
  private boolean overHeld() {
    for (Map.Entry<Integer, Long> e : heldBytes.entrySet()) {
      if (e.getValue() > 0 && e.getValue() > holdLimit(e.getKey())) {
        return true;
      }
    }
    return false;
  }

  private void drain() {
    while (true) {
      for (Batch b; (b = queue.poll()) != null; ) {
        toForce.add(b);
      }
      if (toForce.isEmpty() && held.isEmpty()) {
        running.set(false);
        if (queue.isEmpty() || !running.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      try {
        long now = System.nanoTime();
        boolean busy = busy(now);
        if (!toForce.isEmpty()
            && (!busy
                || now - toForce.peekFirst().handedNanos() >= forceAgeNanos
                || overHeld())) {
          force();
        } else if (!held.isEmpty() && (!busy || overHeld())) {
          unlinkSome();
        } else {
          Thread.sleep(TICK_MS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running.set(false);
        return; // a start empties the trash
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Trash.class).warn("trash: {}", e.toString());
      }
    }
  }

  /** Forces the directories of every batch waiting for it, then holds their files for unlink. */
  private void force() {
    List<Batch> batches = new ArrayList<>(toForce);
    toForce.clear();
    long offset = -1;
    Set<Path> dirs = new LinkedHashSet<>();
    for (Batch b : batches) {
      offset = Math.max(offset, b.binlogOffset());
      for (Item i : b.items()) {
        dirs.add(i.dir());
      }
    }
    boolean forced = true;
    if (fsync) {
      for (Path dir : dirs) {
        try {
          changes.forceDirectory(dir);
        } catch (IOException | RuntimeException e) {
          forced = false; // a start redoes these deletes
        }
      }
      if (forced && offset >= 0) {
        writeMark(offset);
      }
    }
    for (Batch b : batches) {
      for (Item i : b.items()) {
        if (i.trashed() != null) {
          held.add(i);
          heldBytes.merge(i.storePathIndex(), i.bytes(), Long::sum);
        }
      }
      unforced.decrementAndGet();
    }
  }

  /**
   * Unlinks the oldest held files: while the storage stays quiet, or while a store path holds more
   * than it may; re-measures the paths it freed.
   */
  private void unlinkSome() {
    Set<Integer> freed = new TreeSet<>();
    for (int n = 0; n < 64 && !held.isEmpty(); n++) {
      if (n > 0 && busy(System.nanoTime()) && !overHeld()) {
        break; // changes came again: the rest waits for the next pause
      }
      Item i = held.poll();
      heldBytes.merge(i.storePathIndex(), -i.bytes(), Long::sum);
      try {
        Files.deleteIfExists(i.trashed());
        unlinked.increment();
        freed.add(i.storePathIndex());
      } catch (IOException | RuntimeException e) {
        // a start empties the trash
      }
    }
    for (int index : freed) {
      afterUnlinks.accept(index);
    }
  }

  /** Blocking: notes that every plain delete the binlog holds before {@code offset} is durable. */
  private void writeMark(long offset) {
    Path m = mark;
    if (m == null) {
      return;
    }
    byte[] text = String.format("%020d\n", offset).getBytes(StandardCharsets.US_ASCII);
    try (FileChannel ch = FileChannel.open(m, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(text), 0);
      synced = offset;
    } catch (IOException e) {
      // the older offset stands: a start redoes more
    }
  }

  /**
   * Blocking, at start, once the binlog and the tombstones are open and before any request: removes
   * again the plain files that a crash brought back after their delete was answered (see the class
   * comment), then empties the trash. {@code markFile}: where the synced offset is kept. Returns
   * how many files it removed again.
   */
  int redo(StoredFiles files, Binlog log, Path markFile) throws IOException {
    int redone = 0;
    if (fsync && log != null) {
      long from = readMark(markFile, log);
      Map<String, Boolean> lastIsDelete = new HashMap<>();
      long at = Math.max(from, log.firstOffset());
      while (at < log.size()) {
        byte[] chunk = log.read(at, 1 << 20);
        if (chunk.length == 0) {
          break;
        }
        for (Binlog.Entry e : Binlog.parse(chunk, at)) {
          lastIsDelete.put(e.name(), e.kind() == Binlog.DELETE && e.secondName() == null);
        }
        at += chunk.length;
      }
      Set<Path> dirs = new LinkedHashSet<>();
      for (Map.Entry<String, Boolean> e : lastIsDelete.entrySet()) {
        if (!e.getValue()) {
          continue;
        }
        FileId id;
        try {
          id = files.validate(files.group(), e.getKey());
        } catch (RuntimeException notOurs) {
          continue;
        }
        if (files.isPacked(id)) {
          continue; // the packed engine marks its slots again (PackedRecovery)
        }
        Path p = files.pathOf(id);
        boolean removed = Files.deleteIfExists(p);
        removed |= Files.deleteIfExists(StoredFiles.metadataPath(p));
        if (removed) {
          redone++;
          dirs.add(p.getParent());
        }
      }
      for (Path dir : dirs) {
        changes.forceDirectory(dir);
      }
      synced = from;
      mark = markFile;
      writeMark(log.size());
    }
    for (StorePath p : paths.all()) {
      emptyAtStart(dirOf(p));
    }
    return redone;
  }

  /** The synced offset; a missing mark is created (and forced) at the binlog's end: see below. */
  private long readMark(Path markFile, Binlog log) throws IOException {
    try {
      String s = Files.readString(markFile, StandardCharsets.US_ASCII).trim();
      return s.isEmpty() ? 0 : Long.parseLong(s);
    } catch (NoSuchFileException none) {
      // first start with this code: every delete before it forced its directory before answering
      Files.createDirectories(markFile.getParent());
      try (FileChannel ch =
          FileChannel.open(markFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(
            ByteBuffer.wrap(
                String.format("%020d\n", log.size()).getBytes(StandardCharsets.US_ASCII)));
        ch.force(false);
      }
      changes.forceDirectory(markFile.getParent());
      return log.size();
    } catch (NumberFormatException torn) {
      return 0; // redo all the binlog holds
    }
  }

  private static void emptyAtStart(Path trash) throws IOException {
    Files.createDirectories(trash);
    try (DirectoryStream<Path> left = Files.newDirectoryStream(trash)) {
      for (Path f : left) {
        Files.deleteIfExists(f);
      }
    }
  }
}
