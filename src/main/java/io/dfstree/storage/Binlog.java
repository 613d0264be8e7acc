package io.dfstree.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The storage's operation log, FastDFS style (fastdfs-protocol.md §6.3): one text line per change,
 * {@code <timestamp> <op> <remote name>[ <second name>]}, upper-case ops for changes that
 * originated here, lower-case for changes received from a peer. Peers read it from a byte offset to
 * catch up; the offset of a reader is its progress. Appends are small, serialized by this object,
 * and written by disk threads (never an event loop).
 *
 * <p>Offsets are logical: the binlog rotates into segments ({@link BinlogSegments}) once the head
 * passes {@code segmentBytes}, and segments every reader has passed are {@linkplain #trim trimmed}.
 * A reader whose offset was trimmed away starts again from a snapshot ({@link Snapshot}).
 */
public final class Binlog {
  /** Upload, slave upload, appender upload. */
  public static final char CREATE = 'C';

  /** Whole-file content changed (append, modify, truncate): peers fetch the file again. */
  public static final char UPDATE = 'U';

  public static final char DELETE = 'D';

  /** Appender sealed under a new name: {@code new old}. */
  public static final char RENAME = 'R';

  /** Metadata set (the -m file was written or removed). */
  public static final char METADATA = 'S';

  /** One parsed line. */
  public record Entry(long timestamp, char op, String name, String secondName, long endOffset) {
    public boolean local() {
      return Character.isUpperCase(op);
    }

    public char kind() {
      return Character.toUpperCase(op);
    }
  }

  /** Never rotates (tests, tools). */
  static final long NO_ROTATION = Long.MAX_VALUE;

  private final Path file;
  private final BinlogSegments segments;
  private final long segmentBytes;
  private volatile FileChannel channel;

  /** Logical end: the offset the next line gets. */
  private volatile long size;

  /**
   * Under the lock: the head segment's logical length, where its next line is written (positional
   * writes), kept here so that an append asks the channel for nothing (an {@code lseek} per line,
   * benchmark/PROFILE.md w1grp).
   */
  private long headBytes;

  /**
   * With fsync on, how far past its logical end the head file is written with zeros (see {@link
   * #ZERO_AHEAD}); 0 without fsync: the file ends where the lines do, as always.
   */
  private final long zeroAhead;

  /**
   * Under the lock: how far the head file is written (lines, then zeros), i.e. its length. Equal to
   * {@link #headBytes} without {@link #zeroAhead}; the zeros past {@code headBytes} are never read
   * (every reader stops at {@link #size}), a rotation and a clean stop cut them off, and a restart
   * after a crash drops them as a torn end.
   */
  private long headWritten;

  /**
   * With fsync on, an append that would make the head file longer first writes this many bytes of
   * zeros past the line. An append that makes the file longer has its {@code fdatasync} commit the
   * inode (new size, new blocks) through ext4's journal; one inside zeros written and forced
   * already writes the data page only. Measured here with this class ({@code BinlogForceBench}: one
   * thread, 2,000 appends of an 84-byte line, each forced, p50 of two quieter rounds): 227-270 us
   * appending, 141-159 us written 64 KiB ahead (256 KiB 118-166 us, 1 MiB 168-169 us: no better).
   * One force per chunk pays for the zeros (16 pages at 64 KiB), as {@code VolumeGrower.GROW_AHEAD}
   * does for the packed volumes; see benchmark/PROFILE.md (zlog).
   */
  static final int ZERO_AHEAD = 64 * 1024;

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

  private volatile long lastTimestamp;
  private final GroupCommit durable = new GroupCommit();

  /** Counts the forces of appended lines (see {@link Forces}); none until the files set one. */
  private volatile java.util.concurrent.atomic.LongAdder forced =
      new java.util.concurrent.atomic.LongAdder();

  void countForces(java.util.concurrent.atomic.LongAdder counter) {
    this.forced = counter;
  }

  Binlog(Path file) throws IOException {
    this(file, NO_ROTATION);
  }

  /** Blocking: as {@link #Binlog(Path, long, boolean)} without fsync (no zeros ahead). */
  Binlog(Path file, long segmentBytes) throws IOException {
    this(file, segmentBytes, false);
  }

  /**
   * Blocking: opens the binlog whose head segment is {@code file}, rotating past {@code
   * segmentBytes}; with {@code fsync} (the storage's) the head is written {@link #ZERO_AHEAD}.
   */
  Binlog(Path file, long segmentBytes, boolean fsync) throws IOException {
    this(file, segmentBytes, fsync ? ZERO_AHEAD : 0);
  }

  /** Tests and measurements: {@code zeroAhead} bytes of zeros past the lines (0: none). */
  Binlog(Path file, long segmentBytes, long zeroAhead) throws IOException {
    Files.createDirectories(file.getParent());
    this.file = file;
    this.segmentBytes = segmentBytes;
    this.zeroAhead = zeroAhead;
    this.segments = new BinlogSegments(file);
    this.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    long head = dropTornTail(channel);
    this.channel.position(head);
    this.headBytes = head;
    this.headWritten = head; // dropTornTail cut any zeros off: the next append writes them again
    this.size = segments.headStart() + head;
  }

  private static FileChannel open(Path file) throws IOException {
    FileChannel c =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    c.position(c.size());
    return c;
  }

  /** How far back a restart looks for a torn end (lines written after the last sync). */
  static final int TAIL_CHECK = 1 << 20;

  /**
   * Lines of packed slots are written without a sync of their own (the slot is the truth, see
   * {@code PackedBlobEngine}), so a crash can leave the end of the log torn: zeros where pages
   * never reached the disk, or half a line. Everything from the first such byte on is dropped (a
   * restart writes those lines again from the volumes); returns the size kept. With fsync on the
   * head also ends in zeros written ahead ({@link #ZERO_AHEAD}) unless it was stopped cleanly: the
   * last 1 MiB looked at is the one before them, and they are cut off too.
   */
  private static long dropTornTail(FileChannel ch) throws IOException {
    long fileSize = ch.size();
    long size = pastLastNonZero(ch, fileSize);
    int n = (int) Math.min(size, TAIL_CHECK);
    long from = size - n;
    long keepTo;
    if (n == 0) {
      keepTo = 0;
    } else {
      ByteBuffer tail = ByteBuffer.allocate(n);
      while (tail.hasRemaining() && ch.read(tail, from + tail.position()) > 0) {
        // positional reads until full
      }
      byte[] b = tail.array();
      int keep = n;
      for (int i = 0; i < n; i++) {
        if (b[i] == 0) {
          keep = i;
          break;
        }
      }
      while (keep > 0 && b[keep - 1] != '\n') {
        keep--;
      }
      if (keep == 0 && from > 0 && b[0] != 0) {
        keepTo = size; // one line longer than the window: leave it alone
      } else {
        keepTo = from + keep;
      }
    }
    if (keepTo < fileSize) {
      if (keepTo < size) {
        org.slf4j.LoggerFactory.getLogger(Binlog.class)
            .warn("binlog {}: {} bytes of torn tail dropped", ch, size - keepTo);
      }
      ch.truncate(keepTo);
      ch.force(false);
    }
    return keepTo;
  }

  /** Blocking: the length of {@code ch} without the zeros it ends in. */
  private static long pastLastNonZero(FileChannel ch, long fileSize) throws IOException {
    ByteBuffer block = ByteBuffer.allocate(64 * 1024);
    long end = fileSize;
    while (end > 0) {
      int n = (int) Math.min(end, block.capacity());
      block.clear().limit(n);
      long from = end - n;
      while (block.hasRemaining() && ch.read(block, from + block.position()) > 0) {
        // positional reads until full
      }
      byte[] b = block.array();
      for (int i = block.position() - 1; i >= 0; i--) {
        if (b[i] != 0) {
          return from + i + 1;
        }
      }
      end = from;
    }
    return 0;
  }

  /**
   * Blocking. Appends a line; with {@code fsync} it returns once the line is on disk, with the
   * operation it records (group-committed: concurrent appends share one force).
   */
  void append(long timestamp, char op, String name, String secondName, boolean fsync)
      throws IOException {
    String line =
        timestamp + " " + op + " " + name + (secondName == null ? "" : " " + secondName) + "\n";
    ByteBuffer bb = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
    synchronized (this) {
      int bytes = bb.remaining();
      writeAll(bb);
      long headSize = headBytes += bytes;
      size = segments.headStart() + headSize;
      lastTimestamp = Math.max(lastTimestamp, timestamp);
      if (headSize >= segmentBytes) {
        rotate(headSize);
      }
    }
    if (fsync) {
      durable.commit(this::forceHead);
    }
  }

  /**
   * Under the lock: writes {@code bb} at the head's logical end, zeros ahead first when the file
   * would grow ({@link #zeroAhead}). A failed write leaves the logical end where it was (the next
   * line overwrites what reached the file; the file is cut back to it, or zeroed, if possible).
   */
  private void writeAll(ByteBuffer bb) throws IOException {
    long at = headBytes;
    int bytes = bb.remaining();
    try {
      if (zeroAhead > 0 && at + bytes > headWritten) {
        long need = at + bytes;
        // not much past a rotation: the zeros after the last line of a segment are cut off
        zeroTo(Math.max(need, Math.min(need + zeroAhead, Math.max(segmentBytes, need))));
      }
      while (bb.hasRemaining()) {
        at += channel.write(bb, at);
      }
      if (at > headWritten) {
        headWritten = at;
      }
    } catch (IOException e) {
      undo(headBytes, at);
      throw e;
    }
  }

  /** Under the lock: zeros from {@link #headWritten} to {@code end}. */
  private void zeroTo(long end) throws IOException {
    long at = headWritten;
    while (at < end) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), end - at));
      at += channel.write(z, at);
      headWritten = Math.max(headWritten, at);
    }
  }

  /** Under the lock, after a failed write: what reached {@code [from, to)} is not a line. */
  private void undo(long from, long to) {
    try {
      if (zeroAhead == 0) {
        channel.truncate(from);
        headWritten = from;
      } else if (to > from) {
        ByteBuffer z = ZEROS.duplicate();
        z.limit((int) Math.min(z.capacity(), to - from));
        channel.write(z, from);
      }
    } catch (IOException ignored) {
      // closed or the disk refuses: a restart drops a torn end
    }
  }

  /** Under the lock: the full head becomes an older segment (durable first), a new head opens. */
  private void rotate(long headSize) throws IOException {
    if (headWritten > headSize) {
      channel.truncate(headSize); // an older segment's length is its logical length
    }
    channel.force(false); // lines of callers still waiting for their group commit are in it
    channel.close();
    segments.rotate(headSize, true);
    channel = open(file);
    headBytes = channel.position();
    headWritten = headBytes;
  }

  private void forceHead() throws IOException {
    FileChannel c = channel;
    try {
      c.force(false);
      forced.increment();
    } catch (java.nio.channels.ClosedChannelException rotated) {
      // rotate() forced it before closing; the new head holds nothing of ours
    }
  }

  /**
   * Blocking. Appends lines written without a sync (packed slots: a restart rebuilds lost ones from
   * the volumes); {@link #force} makes them durable.
   */
  void appendUnsynced(List<String> lines) throws IOException {
    StringBuilder sb = new StringBuilder(lines.size() * 80);
    for (String l : lines) {
      sb.append(l).append('\n');
    }
    ByteBuffer bb = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
    synchronized (this) {
      int bytes = bb.remaining();
      writeAll(bb);
      // the logical end, as append keeps it (the head's position alone after a rotation was wrong)
      long headSize = headBytes += bytes;
      size = segments.headStart() + headSize;
      if (headSize >= segmentBytes) {
        rotate(headSize);
      }
    }
  }

  /**
   * Whether appending {@code bytes} now would fill the head segment, so that the append rotates it
   * (a force, a rename, a new file): what an event loop must not do ({@code DeleteCommitter}).
   */
  synchronized boolean appendWouldRotate(long bytes) {
    return size - segments.headStart() + bytes >= segmentBytes;
  }

  static String line(long timestamp, char op, String name) {
    return timestamp + " " + op + " " + name;
  }

  /**
   * Blocking: makes every appended line durable (shared with concurrent syncs, see {@link
   * GroupCommit}).
   */
  void forceShared() throws IOException {
    durable.commit(
        () -> {
          FileChannel c = channel;
          if (c.isOpen()) { // closed at stop, after a last force
            try {
              c.force(false);
              forced.increment();
            } catch (java.nio.channels.ClosedChannelException rotated) {
              // rotate() forced it before closing
            }
          }
        });
  }

  /** Blocking: makes every appended line durable. */
  void force() throws IOException {
    if (channel.isOpen()) {
      channel.force(false);
    }
  }

  /** The oldest offset still held; a reader behind it needs a {@link Snapshot}. */
  long firstOffset() {
    return segments.firstOffset();
  }

  /** Whether lines from {@code offset} were trimmed away. */
  boolean trimmed(long offset) {
    return offset < segments.firstOffset();
  }

  /** Segments on disk, the head included. */
  int segmentCount() {
    return segments.count();
  }

  /** Bytes on disk: older segments and the head. */
  long bytesOnDisk() {
    return segments.olderBytes() + (size - segments.headStart());
  }

  /** Blocking: deletes the segments that end at or before {@code upTo}; the bytes freed. */
  long trim(long upTo) throws IOException {
    return segments.trim(upTo);
  }

  long size() {
    return size;
  }

  /**
   * Blocking. Whole lines from {@code offset}, at most about {@code maxBytes}, from one segment (a
   * reader at a segment's end gets the next one's lines on its next read). Nothing for an offset
   * that was {@linkplain #trimmed trimmed}: callers check that first.
   */
  byte[] read(long offset, int maxBytes) throws IOException {
    long end = size;
    if (offset >= end || offset < 0 || trimmed(offset)) {
      return new byte[0];
    }
    RandomAccessFile raf;
    long start;
    synchronized (this) { // not while the head rotates: the file opened is the one the offsets mean
      BinlogSegments.Segment older = segments.olderHolding(offset);
      start = older != null ? older.start() : segments.headStart();
      if (older != null) {
        end = older.end();
      } else if (offset < start) {
        return new byte[0]; // trimmed just now
      }
      try {
        raf = new RandomAccessFile((older != null ? older.path() : file).toFile(), "r");
      } catch (java.io.FileNotFoundException trimmedMeanwhile) {
        return new byte[0];
      }
    }
    int want = (int) Math.min(maxBytes, end - offset);
    byte[] buf = new byte[want];
    try (raf) {
      raf.seek(offset - start);
      raf.readFully(buf);
    }
    int lastNewline = want - 1;
    while (lastNewline >= 0 && buf[lastNewline] != '\n') {
      lastNewline--;
    }
    if (lastNewline < 0) {
      return new byte[0];
    }
    return lastNewline + 1 == want ? buf : java.util.Arrays.copyOf(buf, lastNewline + 1);
  }

  /** Parses lines read from {@code startOffset}; each entry knows the offset just after it. */
  public static java.util.List<Entry> parse(byte[] chunk, long startOffset) {
    java.util.List<Entry> out = new java.util.ArrayList<>();
    int lineStart = 0;
    for (int i = 0; i < chunk.length; i++) {
      if (chunk[i] == '\n') {
        String line = new String(chunk, lineStart, i - lineStart, StandardCharsets.US_ASCII);
        String[] parts = line.split(" ");
        if (parts.length >= 3 && parts[1].length() == 1) {
          out.add(
              new Entry(
                  Long.parseLong(parts[0]),
                  parts[1].charAt(0),
                  parts[2],
                  parts.length > 3 ? parts[3] : null,
                  startOffset + i + 1));
        }
        lineStart = i + 1;
      }
    }
    return out;
  }

  /** Blocking: a clean stop cuts the zeros written ahead off (the file ends with its last line). */
  void close() throws IOException {
    synchronized (this) {
      if (channel.isOpen() && headWritten > headBytes) {
        channel.truncate(headBytes);
        channel.force(false);
        headWritten = headBytes;
      }
    }
    channel.close();
  }
}
