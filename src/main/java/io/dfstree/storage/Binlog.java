package io.dfstree.storage;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The storage's operation log, FastDFS style (fastdfs-protocol.md §6.3): one text line per
 * change, {@code <timestamp> <op> <remote name>[ <second name>]}, upper-case ops for changes
 * that originated here, lower-case for changes received from a peer. Peers read it from a byte
 * offset to catch up; the offset of a reader is its progress. Appends are small, serialized by
 * this object, and written by disk threads (never an event loop).
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

  private final Path file;
  private final FileChannel channel;
  private volatile long size;
  private volatile long lastTimestamp;
  private final GroupCommit durable = new GroupCommit();

  Binlog(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    this.size = channel.size();
    this.channel.position(size);
  }

  /**
   * Blocking. Appends a line; with {@code fsync} it returns once the line is on disk, with the
   * operation it records (group-committed: concurrent appends share one force).
   */
  void append(long timestamp, char op, String name, String secondName, boolean fsync) throws IOException {
    String line = timestamp + " " + op + " " + name + (secondName == null ? "" : " " + secondName) + "\n";
    ByteBuffer bb = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
    synchronized (this) {
      while (bb.hasRemaining()) {
        channel.write(bb);
      }
      size = channel.position();
      lastTimestamp = Math.max(lastTimestamp, timestamp);
    }
    if (fsync) {
      durable.commit(() -> channel.force(false));
    }
  }

  /** Blocking: makes every appended line durable. */
  void force() throws IOException {
    if (channel.isOpen()) {
      channel.force(false);
    }
  }

  long size() {
    return size;
  }

  /** Blocking. Whole lines from {@code offset}, at most about {@code maxBytes}. */
  byte[] read(long offset, int maxBytes) throws IOException {
    long end = size;
    if (offset >= end || offset < 0) {
      return new byte[0];
    }
    int want = (int) Math.min(maxBytes, end - offset);
    byte[] buf = new byte[want];
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(offset);
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
          out.add(new Entry(Long.parseLong(parts[0]), parts[1].charAt(0), parts[2],
              parts.length > 3 ? parts[3] : null, startOffset + i + 1));
        }
        lineStart = i + 1;
      }
    }
    return out;
  }

  void close() throws IOException {
    channel.close();
  }
}
