package io.dfstree.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far each member of the group has read this storage's binlog, and so which segments can go.
 * Members report their position themselves: every binlog read (121) carries the offset the reader
 * has applied and saved up to, and every snapshot page (125) the offset the snapshot was taken at.
 * A member silent for longer than {@code forgetAfterMs} (dead, removed) no longer holds segments
 * back; it starts from a snapshot if it comes back.
 *
 * <p>The positions are kept on disk ({@code data/sync/binlog.readers}) so that a restart does not
 * forget a member that happens to be down meanwhile. Thread-safe; {@link #save} blocks.
 */
final class BinlogReaders {
  /** A reader's last report: applied up to {@code offset}, heard at {@code lastMillis}. */
  record Position(long offset, long lastMillis) {}

  private final Path file;
  private final long forgetAfterMs;
  private final Map<Integer, Position> readers = new TreeMap<>();
  private boolean dirty;

  BinlogReaders(Path file, long forgetAfterMs) {
    this.file = file;
    this.forgetAfterMs = forgetAfterMs;
  }

  /** Blocking: the positions saved last time. */
  static BinlogReaders load(Path file, long forgetAfterMs) throws IOException {
    BinlogReaders r = new BinlogReaders(file, forgetAfterMs);
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        String[] v = line.trim().split(" ");
        if (v.length == 3) {
          r.readers.put(
              Integer.parseInt(v[0]), new Position(Long.parseLong(v[1]), Long.parseLong(v[2])));
        }
      }
    } catch (NoSuchFileException none) {
      // no reader yet
    } catch (NumberFormatException torn) {
      // a torn file: start without positions (peers report again within a poll interval)
      r.readers.clear();
    }
    return r;
  }

  /**
   * Reader {@code id} has applied everything before {@code offset} (its latest word counts, even
   * when lower).
   */
  synchronized void reported(int id, long offset, long nowMillis) {
    readers.put(id, new Position(offset, nowMillis));
    dirty = true;
  }

  synchronized Position get(int id) {
    return readers.get(id);
  }

  /**
   * The offset below which no member still needs lines: the lowest position among readers heard
   * within the window, and 0 while a member heard of lately ({@code knownMembers}: id and when it
   * was last heard) has not read at all yet. {@code end} (the binlog's size) when nobody reads.
   */
  synchronized long trimPoint(
      long end, Collection<Map.Entry<Integer, Long>> knownMembers, long nowMillis) {
    long point = end;
    for (Position p : readers.values()) {
      if (nowMillis - p.lastMillis() <= forgetAfterMs) {
        point = Math.min(point, p.offset());
      }
    }
    for (Map.Entry<Integer, Long> m : knownMembers) {
      if (!readers.containsKey(m.getKey()) && nowMillis - m.getValue() <= forgetAfterMs) {
        return 0; // a member we know of that has not read yet: it may need everything
      }
    }
    return point;
  }

  /** Blocking: writes the positions when they changed (atomic rename). */
  void save() throws IOException {
    StringBuilder sb = new StringBuilder();
    synchronized (this) {
      if (!dirty) {
        return;
      }
      dirty = false;
      readers.forEach(
          (id, p) ->
              sb.append(id)
                  .append(' ')
                  .append(p.offset())
                  .append(' ')
                  .append(p.lastMillis())
                  .append('\n'));
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
