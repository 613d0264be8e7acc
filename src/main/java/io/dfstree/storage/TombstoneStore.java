package io.dfstree.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Names deleted on this storage, with when, kept on disk ({@code <store path
 * 0>/data/sync/tombstones}, one line {@code <unix seconds> <remote name>} per delete) so that a
 * delete outlives restarts, replays of a peer's binlog and catch-up: a copy of a deleted file that
 * arrives from a peer later (a stale replica, a replayed create line) is refused however many
 * deletes came in between.
 *
 * <p>A tombstone is kept for {@code retentionSeconds} (older ones are dropped when the file is
 * loaded and when it is compacted); memory is about 100 bytes per delete within that window. The
 * file is compacted when it holds more than twice the live entries. Appends are durable with the
 * delete they record when {@code fsync} is on (group-committed). Blocking: disk threads only.
 *
 * <p>With a {@link Binlog} beside it, a delete the binlog records ({@code D}/{@code d}, forced
 * there before the client hears of it) is appended here without a force of its own: the binlog line
 * is the durable record, and this file is forced now and then at a checkpoint, a line {@code #
 * <binlog offset>} saying that every delete the binlog holds before that offset is in this file for
 * good. Opening replays the binlog's deletes after the last checkpoint, so a crash between
 * checkpoints loses no tombstone; a delete costs one fsync fewer.
 */
final class TombstoneStore {
  private final Path file;
  private final long retentionSeconds;
  private final boolean fsync;
  private final Map<String, Long> deleted = new HashMap<>();
  private final GroupCommit durable = new GroupCommit();

  /**
   * A checkpoint is taken at a covered delete once this many are unforced, or the oldest of them is
   * this old: it bounds what opening after a crash replays (the binlog since the checkpoint).
   */
  static final int CHECKPOINT_EVERY = 256;

  static final long CHECKPOINT_MS = 1000;
  private static final String CHECKPOINT = "# ";

  private final Binlog binlog;
  private FileChannel channel;
  private long linesOnDisk;

  /** Appends since the last checkpoint that only the binlog holds durably. */
  private int uncheckpointed;

  private long oldestUnforcedMs;

  private TombstoneStore(Path file, long retentionSeconds, boolean fsync, Binlog binlog) {
    this.file = file;
    this.retentionSeconds = retentionSeconds;
    this.fsync = fsync;
    this.binlog = binlog;
  }

  /**
   * Blocking: loads (and compacts) the tombstones in {@code file}, dropping those older than the
   * retention.
   */
  static TombstoneStore open(Path file, long retentionSeconds, boolean fsync, long nowSeconds)
      throws IOException {
    return open(file, retentionSeconds, fsync, nowSeconds, null);
  }

  /**
   * Blocking: as {@link #open(Path, long, boolean, long)}, then replays the deletes {@code binlog}
   * recorded after this file's last checkpoint; {@link #bury(String, long, boolean)} may then leave
   * recorded deletes to the binlog's force.
   */
  static TombstoneStore open(
      Path file, long retentionSeconds, boolean fsync, long nowSeconds, Binlog binlog)
      throws IOException {
    Files.createDirectories(file.getParent());
    TombstoneStore store = new TombstoneStore(file, retentionSeconds, fsync, binlog);
    long checkpoint = store.load(nowSeconds);
    if (binlog != null) {
      store.replay(binlog, checkpoint, nowSeconds);
    }
    store.compact(nowSeconds);
    return store;
  }

  /** The deletes in {@code binlog} from {@code offset} on (whole lines). */
  private void replay(Binlog log, long offset, long nowSeconds) throws IOException {
    // a rotated binlog may have trimmed segments every member passed: replay what is left
    long at = Math.max(Math.max(0, offset), log.firstOffset());
    while (at < log.size()) {
      byte[] chunk = log.read(at, 1 << 20);
      if (chunk.length == 0) {
        break;
      }
      for (Binlog.Entry e : Binlog.parse(chunk, at)) {
        if (e.kind() == Binlog.DELETE && nowSeconds - e.timestamp() <= retentionSeconds) {
          deleted.merge(e.name(), e.timestamp(), Math::max);
        }
      }
      at += chunk.length;
    }
  }

  /** Reads the file; returns the binlog offset of its last checkpoint (0: none, replay it all). */
  private long load(long nowSeconds) throws IOException {
    long checkpoint = 0;
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(CHECKPOINT)) {
          try {
            checkpoint = Long.parseLong(line.substring(CHECKPOINT.length()));
          } catch (NumberFormatException torn) {
            // a torn checkpoint: the one before it stands
          }
          continue;
        }
        int space = line.indexOf(' ');
        if (space <= 0 || space == line.length() - 1) {
          continue; // a torn last line after a crash
        }
        long ts;
        try {
          ts = Long.parseLong(line.substring(0, space));
        } catch (NumberFormatException torn) {
          continue;
        }
        if (nowSeconds - ts <= retentionSeconds) {
          deleted.merge(line.substring(space + 1), ts, Math::max);
        }
      }
    } catch (NoSuchFileException none) {
      // no delete yet
    }
    return checkpoint;
  }

  /**
   * Blocking: remembers that {@code remoteName} was deleted at {@code ts}, on disk before it
   * returns (with fsync).
   */
  void bury(String remoteName, long ts) throws IOException {
    bury(remoteName, ts, false);
  }

  /**
   * Blocking: as {@link #bury(String, long)}; with {@code binlogRecordsIt} the caller appends the
   * delete to the binlog (forced) right after this returns, so this line is not forced now (see the
   * class comment). Call {@link #sync} if that binlog append then fails.
   */
  void bury(String remoteName, long ts, boolean binlogRecordsIt) throws IOException {
    if (append(remoteName, ts, binlogRecordsIt)) {
      sync();
    }
  }

  /**
   * Blocking: as {@link #bury(String, long, boolean)} without the force: true when the caller must
   * {@link #sync} before the delete counts as durable (fsync on, no binlog line covers it). A batch
   * of deletes appends all its lines, then syncs once ({@code DeleteRound}).
   */
  boolean append(String remoteName, long ts, boolean binlogRecordsIt) throws IOException {
    return appendAll(java.util.List.of(new Entry(remoteName, ts, binlogRecordsIt)));
  }

  /** A tombstone to append: {@code binlogRecordsIt} as in {@link #bury(String, long, boolean)}. */
  record Entry(String remoteName, long ts, boolean binlogRecordsIt) {}

  /**
   * Blocking: as {@link #append} for every entry, in one write (a round of deletes, {@code
   * DeleteRound}: one system call for all its tombstones, not one each). True when the caller
   * must {@link #sync} before these deletes count as durable (fsync on, some entry not covered by a
   * binlog line).
   */
  boolean appendAll(java.util.List<Entry> entries) throws IOException {
    return appendAll(entries, false);
  }

  /**
   * As {@link #appendAll(java.util.List)}; with {@code deferCheckpoint} a checkpoint that falls due
   * is left to {@link #checkpointIfDue}, which the caller runs once its deletes are answered: a
   * checkpoint only bounds what a start replays, so its force need not delay a delete (the first
   * delete after a quiet second used to wait for two forces, this file's and the binlog's).
   */
  boolean appendAll(java.util.List<Entry> entries, boolean deferCheckpoint) throws IOException {
    if (entries.isEmpty()) {
      return false;
    }
    StringBuilder text = new StringBuilder(entries.size() * 80);
    int covered = 0;
    long newest = Long.MIN_VALUE;
    for (Entry e : entries) {
      text.append(e.ts()).append(' ').append(e.remoteName()).append('\n');
      if (e.binlogRecordsIt() && binlog != null) {
        covered++;
      }
      newest = Math.max(newest, e.ts());
    }
    ByteBuffer lines = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
    boolean checkpoint = false;
    synchronized (this) {
      for (Entry e : entries) {
        deleted.merge(e.remoteName(), e.ts(), Math::max);
      }
      while (lines.hasRemaining()) {
        channel.write(lines);
      }
      linesOnDisk += entries.size();
      if (linesOnDisk > 1024 && linesOnDisk > 2L * deleted.size()) {
        compact(newest); // forced, with a checkpoint
      } else if (covered > 0 && fsync) {
        long now = System.currentTimeMillis();
        if (uncheckpointed == 0) {
          oldestUnforcedMs = now;
        }
        uncheckpointed += covered;
        checkpoint = uncheckpointed >= CHECKPOINT_EVERY || now - oldestUnforcedMs >= CHECKPOINT_MS;
      }
      if (checkpoint && deferCheckpoint) {
        checkpointDue = true;
        checkpoint = false;
      }
    }
    if (checkpoint) {
      checkpoint();
    }
    return !checkpoint && fsync && covered < entries.size();
  }

  /** A checkpoint fell due in a deferring {@link #appendAll(java.util.List, boolean)}. */
  private boolean checkpointDue;

  /**
   * Whether appending {@code n} entries now may compact the file (a rewrite and a force): what an
   * event loop must not do ({@code DeleteCommitter}). Errs towards true.
   */
  synchronized boolean appendMayCompact(int n) {
    long lines = linesOnDisk + n;
    return lines > 1024 && lines > 2L * deleted.size();
  }

  /** Whether {@link #checkpointIfDue} would take a checkpoint now. */
  synchronized boolean checkpointDue() {
    return checkpointDue;
  }

  /**
   * Blocking: takes the checkpoint a deferring append left due, if any. Call it after the binlog
   * lines of those appends were forced (a checkpoint covers the binlog up to its size when it
   * begins, and every line there has its tombstone in this file already).
   */
  void checkpointIfDue() throws IOException {
    synchronized (this) {
      if (!checkpointDue) {
        return;
      }
      checkpointDue = false;
    }
    checkpoint();
  }

  /** Counts the forces of this file that ran ({@code Forces.tombstones}). */
  void countForces(java.util.concurrent.atomic.LongAdder counter) {
    this.forced = counter;
  }

  private volatile java.util.concurrent.atomic.LongAdder forced =
      new java.util.concurrent.atomic.LongAdder();

  /**
   * Blocking: forces the file, then notes that every delete the binlog held before the force began
   * is in it (the caller of a covered bury wrote its line here before its binlog line).
   */
  void checkpoint() throws IOException {
    long covers = binlog.size();
    sync();
    ByteBuffer line =
        ByteBuffer.wrap((CHECKPOINT + covers + "\n").getBytes(StandardCharsets.US_ASCII));
    synchronized (this) {
      while (line.hasRemaining()) {
        channel.write(line);
      }
      linesOnDisk++;
      uncheckpointed = 0;
    }
  }

  /** Blocking: every line appended so far is on disk when it returns (group-committed). */
  void sync() throws IOException {
    if (fsync) {
      durable.commit(
          () -> {
            FileChannel c;
            synchronized (this) {
              c = channel;
            }
            try {
              c.force(false);
              forced.increment();
            } catch (java.nio.channels.ClosedChannelException compacted) {
              // compact() replaced the file meanwhile, with this line in it, and forced it
            }
          });
    }
  }

  /** Every name with a tombstone, a copy (a start's recovery of packed delete marks). */
  synchronized java.util.List<String> names() {
    return new java.util.ArrayList<>(deleted.keySet());
  }

  /** When {@code remoteName} was last deleted here (unix seconds), or null. */
  synchronized Long deletedAt(String remoteName) {
    return deleted.get(remoteName);
  }

  /**
   * Up to {@code limit} tombstones whose names sort after {@code after}, in name order (a
   * snapshot's deletes).
   */
  synchronized java.util.List<Map.Entry<String, Long>> after(String after, int limit) {
    java.util.List<Map.Entry<String, Long>> out = new java.util.ArrayList<>();
    for (Map.Entry<String, Long> e : deleted.entrySet()) {
      if (e.getKey().compareTo(after) > 0) {
        out.add(Map.entry(e.getKey(), e.getValue()));
      }
    }
    out.sort(Map.Entry.comparingByKey());
    return out.size() > limit ? new java.util.ArrayList<>(out.subList(0, limit)) : out;
  }

  synchronized int size() {
    return deleted.size();
  }

  /**
   * Blocking: drops expired tombstones and rewrites the file with the live ones (atomic rename).
   */
  synchronized void compact(long nowSeconds) throws IOException {
    // every delete the binlog holds now has its line in this file already (written before it)
    long covers = binlog == null ? -1 : binlog.size();
    deleted.values().removeIf(ts -> nowSeconds - ts > retentionSeconds);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Long> e : deleted.entrySet()) {
        sb.append(e.getValue()).append(' ').append(e.getKey()).append('\n');
        if (sb.length() > 64 * 1024) {
          write(out, sb);
        }
      }
      if (covers >= 0) {
        sb.append(CHECKPOINT).append(covers).append('\n');
      }
      write(out, sb);
      out.force(false);
    }
    if (channel != null) {
      channel.close();
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    linesOnDisk = deleted.size();
    uncheckpointed = 0;
  }

  private static void write(FileChannel out, StringBuilder sb) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
    while (b.hasRemaining()) {
      out.write(b);
    }
    sb.setLength(0);
  }

  synchronized void close() throws IOException {
    if (channel != null) {
      if (uncheckpointed > 0 && channel.isOpen()) {
        checkpoint(); // a clean stop leaves nothing to replay
      }
      channel.close();
    }
  }
}
