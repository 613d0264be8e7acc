package io.dfstree.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where the binlog's bytes live on disk. Offsets are logical and only grow: the binlog is one long
 * stream of lines, cut into segments. The head segment (the one appended to) keeps the historical
 * name {@code binlog}, so a storage that never rotated looks as before; older segments are {@code
 * binlog.<first offset, 16 digits>}, and {@code binlog.base} holds the head's first offset once no
 * older segment is left to derive it from.
 *
 * <p>Rotation renames the head to its segment name, then records the new head's first offset, then
 * creates the new head: a crash between any two steps is repaired on open (an older segment present
 * says where the head starts; a missing head is created). Trimming deletes only older segments,
 * never the head. Blocking; the {@link Binlog} serializes calls.
 */
final class BinlogSegments {
  static final String BASE = ".base";
  private static final Pattern SEGMENT = Pattern.compile("\\.(\\d{16})");

  /** An older segment: lines from {@code start} (inclusive) to {@code end} (exclusive). */
  record Segment(long start, long end, Path path) {}

  private final Path head;
  private final List<Segment> older = new ArrayList<>();
  private long headStart;

  /** Blocking: finds the segments of the binlog whose head is {@code head}. */
  BinlogSegments(Path head) throws IOException {
    this.head = head;
    String prefix = head.getFileName().toString();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(head.getParent(), prefix + ".*")) {
      for (Path p : ds) {
        var m = SEGMENT.matcher(p.getFileName().toString().substring(prefix.length()));
        if (m.matches()) {
          long start = Long.parseLong(m.group(1));
          older.add(new Segment(start, start + Files.size(p), p));
        }
      }
    }
    older.sort(java.util.Comparator.comparingLong(Segment::start));
    Path base = baseFile();
    if (!older.isEmpty()) {
      headStart = older.get(older.size() - 1).end();
    } else if (Files.exists(base)) {
      headStart = Long.parseLong(Files.readString(base, StandardCharsets.US_ASCII).trim());
    } else {
      headStart = 0; // never rotated: the head is the whole binlog, as before segments existed
    }
  }

  Path head() {
    return head;
  }

  /** Logical offset of the head's first byte. */
  long headStart() {
    return headStart;
  }

  /** The oldest offset still held: before it, lines were trimmed away. */
  synchronized long firstOffset() {
    return older.isEmpty() ? headStart : older.get(0).start();
  }

  /** The older segment holding {@code offset}, or null when it is in the head (or trimmed). */
  synchronized Segment olderHolding(long offset) {
    for (Segment s : older) {
      if (offset >= s.start() && offset < s.end()) {
        return s;
      }
    }
    return null;
  }

  synchronized int count() {
    return older.size() + 1;
  }

  /** Bytes held in older segments (the head not counted). */
  synchronized long olderBytes() {
    long sum = 0;
    for (Segment s : older) {
      sum += s.end() - s.start();
    }
    return sum;
  }

  /**
   * Blocking: the head, {@code headSize} bytes long and closed by the caller, becomes an older
   * segment; the caller opens a fresh head afterwards. Returns the new head's first offset.
   */
  synchronized long rotate(long headSize, boolean fsync) throws IOException {
    Path segment =
        head.resolveSibling(head.getFileName() + "." + String.format("%016d", headStart));
    Files.move(head, segment, StandardCopyOption.ATOMIC_MOVE);
    older.add(new Segment(headStart, headStart + headSize, segment));
    headStart += headSize;
    Path tmp = head.resolveSibling(head.getFileName() + BASE + ".tmp");
    Files.writeString(tmp, headStart + "\n", StandardCharsets.US_ASCII);
    Files.move(
        tmp, baseFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    if (fsync) {
      new DirectorySync().force(head.getParent());
    }
    return headStart;
  }

  /**
   * Blocking: deletes the older segments that end at or before {@code upTo} (every reader is past
   * them). Returns the bytes freed.
   */
  synchronized long trim(long upTo) throws IOException {
    long freed = 0;
    while (!older.isEmpty() && older.get(0).end() <= upTo) {
      Segment s = older.remove(0);
      Files.deleteIfExists(s.path());
      freed += s.end() - s.start();
    }
    return freed;
  }

  private Path baseFile() {
    return head.resolveSibling(head.getFileName() + BASE);
  }
}
