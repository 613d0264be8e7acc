package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.storage.os.Libc;
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
 * Where a plain file goes when it is deleted (issue 9, deletes): renamed into {@code <store
 * path>/data/.trash/} inside the delete's round, and unlinked behind the answer.
 *
 * <p>Why: on the benchmark machine {@code /} is ext4 without a journal, mounted {@code discard}; an
 * unlink of a file whose blocks are allocated (every fsynced upload) issues the discard inside the
 * system call, 0.5-1.4 ms per 1 MiB file, and the device takes them about one at a time; a rename
 * frees no block and costs tens of microseconds. And a delete no longer forces the directory it
 * left before it is answered: its binlog line, forced in the round, is the durable record (as for a
 * packed slot's mark), and the directories are forced here, behind the answers, many deletes to a
 * force of each directory.
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
 * full disk frees space before it is answered. With fsync, a file whose directory is forced is kept
 * for a new upload to write into instead of unlinked, while its store path has room for it ({@link
 * RecycledFiles}): its unlink's discards and the upload's allocation both go.
 */
final class Trash {
  static final String DIR = ".trash";
  static final String MARK = "deletes-synced";

  /** A file moved into the trash ({@code trashed}, null when nothing was there to move). */
  record Item(Path trashed, Path dir, int storePathIndex) {}

  private record Batch(List<Item> items, long binlogOffset) {}

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
  final java.util.concurrent.atomic.LongAdder unlinked =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * The least time between two starts of the trash's batches (with fsync: of its directory forces).
   * Behind the answers, nothing waits for them but the keeping or unlink of the files and the
   * synced offset; but each force is a device round trip plus a cache flush, and the rounds' binlog
   * forces, which the answers do wait for, queued behind them (benchmark/PROFILE.md, deltrash:
   * about one directory force per 1 MiB delete before). Spaced, the deletes of the interval share
   * one force per directory. Without fsync the spacing shares the thread's wake-up instead: a c=1
   * client's deletes each woke it for its own unlink (w1del26). A batch that comes after a quiet
   * interval is emptied at once. 0: no spacing (as before; tests).
   */
  volatile long forceSpacingNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);

  /**
   * The trash thread's nice value, the lowest: what it keeps where {@link #IDLE_CLASS} cannot be
   * set. The trash's work is all behind the answers, but it comes in bursts: the deletes of a 20 ms
   * interval unlinked together, ~100 us of kernel CPU per 1 MiB file, ~10 ms at a c=1 client's
   * rate. At nice 0 that burst took a core from the event loops and the client on a two-core
   * machine, and a delete answered while it ran waited 1-8 ms: a W=1 group's c=1 1 MiB deletes had
   * a stall every 20 ms that held a quarter to half of the phase's time. Nice 19 alone did not
   * remove them (a niced thread keeps its CPU for the rest of its slice); {@code SCHED_IDLE} did
   * (benchmark/PROFILE.md, trashnice29). {@code dfstree.trash.nice} (0: as before).
   */
  static final int NICE = Integer.getInteger("dfstree.trash.nice", 19);

  /**
   * Whether the trash thread runs in {@code SCHED_IDLE} ({@code dfstree.trash.idle}): it gets every
   * cycle the request threads leave, and gives up its CPU the moment one of them wakes. On a
   * machine kept busy it falls behind; {@link #maxPending} bounds how far.
   */
  static final boolean IDLE_CLASS =
      Boolean.parseBoolean(System.getProperty("dfstree.trash.idle", "true"));

  /**
   * Past this many files handed to {@link #later} and not yet unlinked or kept, a delete unlinks
   * its file in its own round, as on a store path without room ({@link #backlogged}). The trash
   * thread runs only on CPU the request threads leave ({@link #IDLE_CLASS}); on a machine kept busy
   * it can fall behind, and this keeps its queue, and the disk space its files hold, bounded.
   */
  volatile int maxPending = 10_000;

  private final java.util.concurrent.atomic.AtomicInteger pending =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Whether the trash is {@link #maxPending} files behind: a delete then unlinks in its round. */
  boolean backlogged() {
    return pending.get() >= maxPending;
  }

  /** When the last batch (with fsync: its directory forces) began ({@link System#nanoTime}). */
  private volatile long lastForceNanos = System.nanoTime() - (1L << 40);

  /** Directory forces the trash ran (tests: forces per delete). */
  final java.util.concurrent.atomic.LongAdder directoryForces =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * Where deleted files go instead of their unlink, while there is room ({@link RecycledFiles}).
   */
  volatile RecycledFiles recycled;

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

  /**
   * After a round of deletes was answered (their lines end at {@code binlogOffset} in the binlog):
   * forces their directories, then unlinks their files, on the trash thread.
   */
  void later(List<Item> items, long binlogOffset) {
    if (items.isEmpty()) {
      return;
    }
    pending.addAndGet(items.size());
    queue.add(new Batch(items, binlogOffset));
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
                  Libc.lowPriorityThreads("dfstree-trash", NICE, IDLE_CLASS));
          pool.allowCoreThreadTimeOut(true);
          worker = pool;
        }
        w = worker;
      }
    }
    return w;
  }

  /**
   * A round that may move files in begins: until {@link #roundEnded}, the binlog is not trimmed.
   */
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
   * BinlogTrim} must not trim past it, or a start could not redo them. No limit when nothing is
   * pending (or without fsync).
   */
  long syncedOffset() {
    if (!fsync || mark == null) {
      return Long.MAX_VALUE;
    }
    synchronized (rounds) {
      Binlog log = changes.binlog();
      if (rounds.get() == 0 && idle() && log != null) {
        // nothing pending: every delete logged so far is durable; a round beginning after this
        // appends its lines after this offset
        return log.size();
      }
    }
    return synced;
  }

  /** Whether deletes are waiting for their directory force or unlink (tests). */
  boolean idle() {
    return queue.isEmpty() && !running.get();
  }

  /** Times the trash's thread was handed work while idle: its wake-ups (tests). */
  final java.util.concurrent.atomic.LongAdder wakeUps = new java.util.concurrent.atomic.LongAdder();

  /** Batches emptied: one per spacing interval while deletes keep coming (tests). */
  final java.util.concurrent.atomic.LongAdder emptied = new java.util.concurrent.atomic.LongAdder();

  private void drain() {
    wakeUps.increment();
    while (true) {
      List<Batch> batches = new ArrayList<>();
      for (Batch b; (b = queue.poll()) != null; ) {
        batches.add(b);
      }
      if (batches.isEmpty()) {
        running.set(false);
        if (queue.isEmpty() || !running.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      long wait = lastForceNanos + forceSpacingNanos - System.nanoTime();
      if (wait > 0) {
        // the last batch began less than the spacing ago: the deletes answered meanwhile join
        // these (their files stay in the trash until then: none is kept or unlinked unforced).
        // Without fsync too: a c=1 client's deletes then wake this thread once per interval, not
        // once each (w1del26: each wake-up, its futex on the round's thread and the batch's two
        // statvfs cost ~25-35 us of CPU per delete and member, beside the unlink itself)
        java.util.concurrent.locks.LockSupport.parkNanos(wait);
        for (Batch b; (b = queue.poll()) != null; ) {
          batches.add(b);
        }
      }
      try {
        emptied.increment();
        empty(batches);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(Trash.class).warn("trash: {}", e.toString());
      }
    }
  }

  private void empty(List<Batch> batches) {
    int count = 0;
    for (Batch b : batches) {
      count += b.items().size();
    }
    try {
      emptyAll(batches);
    } finally {
      pending.addAndGet(-count);
    }
  }

  private void emptyAll(List<Batch> batches) {
    long offset = -1;
    Set<Path> dirs = new LinkedHashSet<>();
    for (Batch b : batches) {
      offset = Math.max(offset, b.binlogOffset());
      for (Item i : b.items()) {
        dirs.add(i.dir());
      }
    }
    boolean forced = true;
    lastForceNanos = System.nanoTime(); // the spacing counts from here, with or without fsync
    if (fsync) {
      for (Path dir : dirs) {
        directoryForces.increment();
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
    Set<Integer> freed = new TreeSet<>();
    for (Batch b : batches) {
      for (Item i : b.items()) {
        if (i.trashed() == null) {
          continue;
        }
        try {
          RecycledFiles r = recycled;
          freed.add(i.storePathIndex());
          // kept only once its directory is forced: the file can no longer come back at its name
          if (forced && r != null && r.keep(paths.get(i.storePathIndex()), i.trashed())) {
            continue;
          }
          Files.deleteIfExists(i.trashed());
          unlinked.increment();
        } catch (IOException | RuntimeException e) {
          // a start empties the trash
        }
      }
    }
    for (int index : freed) {
      afterUnlinks.accept(index);
      RecycledFiles r = recycled;
      if (r != null) {
        r.trim(paths.get(index));
      }
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
