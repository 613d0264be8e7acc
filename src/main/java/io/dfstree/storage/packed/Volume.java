package io.dfstree.storage.packed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One volume file: {@code <dir>/<source key, 8 hex>-<number, 5 digits>.vol}. A volume belongs to
 * the member whose source key it carries: only that member appends to it, and its peers place the
 * same slots at the same offsets, so members never need to agree on space. Reads and header
 * rewrites are positional and may run concurrently; {@link #index} is guarded by this.
 */
final class Volume {
  final int sourceKey;
  final int number;
  final Path path;
  final FileChannel channel;
  final VolumeIndex index = new VolumeIndex();

  /** Whether a range of this file is in the page cache ({@link SlotReads#residence}). */
  final ResidentPages pages;

  /**
   * Where the next own append goes (the committer thread's), or the end of what a replica holds.
   */
  long tail;

  /** Set by the committer when a write touched this volume in the current batch. */
  boolean dirty;

  /**
   * How far the file is written (slots or zeros), so that a write below it changes no block map and
   * no file size: its {@code fdatasync} then writes the data only, not the inode through the
   * journal as well. Committer thread; see {@link VolumeGrower#GROW_AHEAD}.
   */
  long writtenEnd;

  /**
   * Zeros being written past {@link #writtenEnd} on the store's grow thread, or null. Set and
   * cleared by the committer thread only ({@link VolumeGrower}).
   */
  VolumeGrower.Grow grow;

  /**
   * Writes past {@link #writtenEnd} that made this file longer inside their own batch (zeros ahead,
   * or a large batch's slots): committer thread (tests, the profile).
   */
  long inlineGrows;

  /**
   * The span of this volume this process has written since it opened it (own slots, a peer's
   * copies): the lowest offset written and the highest end. Set by the committer thread before the
   * slot enters the index; read by {@link SlotReads#recentlyWritten} on any thread. Such slots were
   * written through the page cache moments ago, so a read of one is a copy from memory.
   */
  volatile long recentFrom = Long.MAX_VALUE;

  volatile long recentEnd;

  /** Committer thread: slot bytes {@code start..end} were written by this process. */
  void wrote(long start, long end) {
    if (start < recentFrom) {
      recentFrom = start;
    }
    if (end > recentEnd) {
      recentEnd = end;
    }
  }

  // ---- the index checkpoint (see IndexCheckpoint) ----

  /** Guards installing and removing the checkpoint file against each other. */
  final Object checkpointLock = new Object();

  /** One checkpoint written at a time (they share the temporary file). */
  final Object checkpointWriter = new Object();

  /** Bytes of the volume the checkpoint file on disk describes; 0: no file. */
  volatile long checkpointCovered;

  /** Bytes the last snapshot taken describes (a checkpoint may be being written from it). */
  volatile long pendingCovered;

  /** Under checkpointLock: bumped by every change inside what a checkpoint covers. */
  long checkpointGeneration;

  /** Committer thread: writes to this volume, and their count at the last snapshot. */
  long changes;

  long checkpointedChanges = -1;

  private Volume(int sourceKey, int number, Path path, FileChannel channel) {
    this.sourceKey = sourceKey;
    this.number = number;
    this.path = path;
    this.channel = channel;
    this.pages = new ResidentPages(path);
  }

  static String fileName(int sourceKey, int number) {
    return String.format("%08x-%05d.vol", sourceKey, number);
  }

  /** Parses a volume file name: {@code {sourceKey, number}}, or null when it is not one. */
  static int[] parseName(String name) {
    if (name.length() != 18 || !name.endsWith(".vol") || name.charAt(8) != '-') {
      return null;
    }
    try {
      return new int[] {
        Integer.parseUnsignedInt(name.substring(0, 8), 16), Integer.parseInt(name.substring(9, 14))
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Volume open(Path dir, int sourceKey, int number) throws IOException {
    Path p = dir.resolve(fileName(sourceKey, number));
    FileChannel ch =
        FileChannel.open(
            p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    Volume v = new Volume(sourceKey, number, p, ch);
    v.writtenEnd = ch.size();
    return v;
  }

  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 * 1024);

  /**
   * Writes zeros from {@link #writtenEnd} to {@code end}. Only where nothing was written yet: the
   * committer calls it before a write that would pass {@code writtenEnd} (committer thread).
   */
  void zeroTo(long end) throws IOException {
    long at = writtenEnd;
    while (at < end) {
      ByteBuffer z = ZEROS.duplicate();
      z.limit((int) Math.min(z.capacity(), end - at));
      at += channel.write(z, at);
    }
    writtenEnd = Math.max(writtenEnd, end);
  }

  void writeFully(ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
  }

  /**
   * Writes a slot of {@code length} bytes at {@code position}: {@code header}, {@code content},
   * then zeros to the end. Moves the channel's position: the committer thread only (as its batches'
   * gathering writes); positional reads and writes elsewhere do not use the position.
   */
  void writeSlot(ByteBuffer header, ByteBuffer content, long position, int length)
      throws IOException {
    int pad = length - header.remaining() - content.remaining();
    if (pad < 0) {
      throw new IllegalArgumentException("slot of " + length + " bytes cannot hold its content");
    }
    ByteBuffer[] srcs =
        pad > 0
            ? new ByteBuffer[] {header, content, ZEROS.duplicate().limit(pad)}
            : new ByteBuffer[] {header, content};
    channel.position(position);
    long remaining = length;
    while (remaining > 0) {
      remaining -= channel.write(srcs);
    }
  }

  void readFully(ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      int n = channel.read(b, at);
      if (n < 0) {
        throw new java.io.EOFException(path + " ends at " + at);
      }
      at += n;
    }
  }

  /** The header at {@code offset}, or null where no well-formed header is. */
  SlotHeader readHeader(long offset) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(SlotHeader.SIZE);
    readFully(b, offset);
    return SlotHeader.decode(b.flip());
  }

  void close() throws IOException {
    pages.close();
    channel.close();
  }
}
