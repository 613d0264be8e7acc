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
 * Names deleted on this storage, with when, kept on disk ({@code <store path 0>/data/sync/tombstones},
 * one line {@code <unix seconds> <remote name>} per delete) so that a delete outlives restarts,
 * replays of a peer's binlog and catch-up: a copy of a deleted file that arrives from a peer later
 * (a stale replica, a replayed create line) is refused however many deletes came in between.
 *
 * <p>A tombstone is kept for {@code retentionSeconds} (older ones are dropped when the file is
 * loaded and when it is compacted); memory is about 100 bytes per delete within that window. The
 * file is compacted when it holds more than twice the live entries. Appends are durable with the
 * delete they record when {@code fsync} is on (group-committed). Blocking: disk threads only.
 */
final class TombstoneStore {
  private final Path file;
  private final long retentionSeconds;
  private final boolean fsync;
  private final Map<String, Long> deleted = new HashMap<>();
  private final GroupCommit durable = new GroupCommit();
  private FileChannel channel;
  private long linesOnDisk;

  private TombstoneStore(Path file, long retentionSeconds, boolean fsync) {
    this.file = file;
    this.retentionSeconds = retentionSeconds;
    this.fsync = fsync;
  }

  /** Blocking: loads (and compacts) the tombstones in {@code file}, dropping those older than the retention. */
  static TombstoneStore open(Path file, long retentionSeconds, boolean fsync, long nowSeconds) throws IOException {
    Files.createDirectories(file.getParent());
    TombstoneStore store = new TombstoneStore(file, retentionSeconds, fsync);
    store.load(nowSeconds);
    store.compact(nowSeconds);
    return store;
  }

  private void load(long nowSeconds) throws IOException {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
      for (String line; (line = r.readLine()) != null; ) {
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
  }

  /** Blocking: remembers that {@code remoteName} was deleted at {@code ts}, on disk before it returns (with fsync). */
  void bury(String remoteName, long ts) throws IOException {
    ByteBuffer line = ByteBuffer.wrap((ts + " " + remoteName + "\n").getBytes(StandardCharsets.US_ASCII));
    synchronized (this) {
      deleted.merge(remoteName, ts, Math::max);
      while (line.hasRemaining()) {
        channel.write(line);
      }
      linesOnDisk++;
      if (linesOnDisk > 1024 && linesOnDisk > 2L * deleted.size()) {
        compact(ts);
      }
    }
    if (fsync) {
      durable.commit(() -> {
        FileChannel c;
        synchronized (this) {
          c = channel;
        }
        try {
          c.force(false);
        } catch (java.nio.channels.ClosedChannelException compacted) {
          // compact() replaced the file meanwhile, with this line in it, and forced it
        }
      });
    }
  }

  /** When {@code remoteName} was last deleted here (unix seconds), or null. */
  synchronized Long deletedAt(String remoteName) {
    return deleted.get(remoteName);
  }

  /** Up to {@code limit} tombstones whose names sort after {@code after}, in name order (a snapshot's deletes). */
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

  /** Blocking: drops expired tombstones and rewrites the file with the live ones (atomic rename). */
  synchronized void compact(long nowSeconds) throws IOException {
    deleted.values().removeIf(ts -> nowSeconds - ts > retentionSeconds);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Long> e : deleted.entrySet()) {
        sb.append(e.getValue()).append(' ').append(e.getKey()).append('\n');
        if (sb.length() > 64 * 1024) {
          write(out, sb);
        }
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
      channel.close();
    }
  }
}
