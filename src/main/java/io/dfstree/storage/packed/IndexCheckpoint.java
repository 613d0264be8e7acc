package io.dfstree.storage.packed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A volume's index saved next to it ({@code <source>-<n>.idx}), so that a restart reads 8 bytes per
 * slot instead of the whole volume, then scans only what lies past the checkpoint (the tail).
 *
 * <pre>
 * "DFSTIDX1" | source key i32 | volume number i32 | covered i64 | count i32
 * count x (offset i32, slot length i32 — negative: deleted or free) | CRC32 of all before it i32
 * </pre>
 *
 * <p>Why it can be trusted: the checkpoint describes the first {@code covered} bytes of the volume
 * as they were between two batches (taken on the committer thread, so every slot in it was durable)
 * and the volume is forced before the file is written. Own appends only ever go past {@code
 * covered}, where the restart scans. Anything else that changes a slot inside {@code covered} — a
 * delete, a released reservation, a reserved slot filled, a peer's slot placed in a gap — first
 * removes the checkpoint file (and syncs its directory), so a crash after that change finds no
 * checkpoint and scans the volume whole. A checkpoint written from an older snapshot is never
 * installed over such a change ({@link Volume#checkpointGeneration}). A file that fails its CRC,
 * names another volume, or claims more than the volume holds is ignored and removed.
 */
final class IndexCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(IndexCheckpoint.class);
  static final String SUFFIX = ".idx";
  private static final long MAGIC = 0x4446535449445831L; // "DFSTIDX1"
  private static final int HEAD = 8 + 4 + 4 + 8 + 4;

  private IndexCheckpoint() {}

  /** A copy of a volume's index between two batches, to be written off the committer thread. */
  record Snapshot(Volume volume, int[] offsets, int[] lengths, long covered, long generation) {}

  static Path file(Volume v) {
    String name = v.path.getFileName().toString();
    return v.path.resolveSibling(name.substring(0, name.length() - 4) + SUFFIX);
  }

  /** On the committer thread, between batches: null when the volume is empty. */
  static Snapshot take(Volume v) {
    int[][] copy;
    long covered;
    synchronized (v) {
      if (v.index.count() == 0) {
        return null;
      }
      copy = v.index.copy();
      covered = v.index.end();
    }
    long generation;
    synchronized (v.checkpointLock) {
      generation = v.checkpointGeneration;
      v.pendingCovered = Math.max(v.pendingCovered, covered);
    }
    return new Snapshot(v, copy[0], copy[1], covered, generation);
  }

  /**
   * Blocking, off the committer thread: writes the snapshot's file and installs it, unless a change
   * inside what it covers came since (then it is dropped). True when installed.
   */
  static boolean write(Snapshot s) throws IOException {
    synchronized (s.volume().checkpointWriter) { // the minute's timer and a stop share the file
      return writeAlone(s);
    }
  }

  /** {@link #write} of each snapshot in turn; how many were installed. */
  static int writeAll(List<Snapshot> snaps) throws IOException {
    int n = 0;
    for (Snapshot s : snaps) {
      if (write(s)) {
        n++;
      }
    }
    return n;
  }

  private static boolean writeAlone(Snapshot s) throws IOException {
    Volume v = s.volume();
    v.channel.force(false); // what the checkpoint describes is on disk before the checkpoint is
    int count = s.offsets().length;
    ByteBuffer b = ByteBuffer.allocate(HEAD + 8 * count + 4);
    b.putLong(MAGIC).putInt(v.sourceKey).putInt(v.number).putLong(s.covered()).putInt(count);
    for (int i = 0; i < count; i++) {
      b.putInt(s.offsets()[i]).putInt(s.lengths()[i]);
    }
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue()).flip();
    Path target = file(v);
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(false);
    }
    synchronized (v.checkpointLock) {
      if (v.checkpointGeneration != s.generation()) {
        Files.deleteIfExists(tmp);
        return false;
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(target.getParent());
      v.checkpointCovered = s.covered();
      return true;
    }
  }

  /**
   * On the committer thread, before a write at {@code offset} that changes a slot's state: when a
   * checkpoint covers that place (or one being written will), it is removed first, durably.
   */
  static void beforeChange(Volume v, long offset) throws IOException {
    if (offset >= Math.max(v.checkpointCovered, v.pendingCovered)) {
      return;
    }
    synchronized (v.checkpointLock) {
      v.checkpointGeneration++;
      if (v.checkpointCovered > 0) {
        Path f = file(v);
        Files.deleteIfExists(f);
        syncDirectory(f.getParent());
        v.checkpointCovered = 0;
      }
    }
  }

  /**
   * At open, into the volume's empty index: the bytes the checkpoint covers (the scan starts there),
   * or 0 when there is none to trust (any bad file is removed).
   */
  static long load(Volume v) throws IOException {
    Path f = file(v);
    Files.deleteIfExists(f.resolveSibling(f.getFileName() + ".tmp"));
    byte[] raw;
    try {
      raw = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return 0;
    }
    String why = check(v, raw);
    if (why == null) {
      ByteBuffer b = ByteBuffer.wrap(raw);
      long covered = b.getLong(16);
      int count = b.getInt(24);
      int[] offsets = new int[count];
      int[] lengths = new int[count];
      for (int i = 0; i < count; i++) {
        offsets[i] = b.getInt(HEAD + 8 * i);
        lengths[i] = b.getInt(HEAD + 8 * i + 4);
      }
      if (v.index.restore(offsets, lengths, covered)) {
        v.checkpointCovered = covered;
        v.pendingCovered = covered;
        return covered;
      }
      why = "entries out of order or overlapping";
    }
    LOG.warn("packed volume {}: index checkpoint not used ({}); scanning it whole", v.path, why);
    Files.deleteIfExists(f);
    return 0;
  }

  private static String check(Volume v, byte[] raw) throws IOException {
    if (raw.length < HEAD + 4) {
      return "too short";
    }
    ByteBuffer b = ByteBuffer.wrap(raw);
    CRC32 crc = new CRC32();
    crc.update(raw, 0, raw.length - 4);
    if ((int) crc.getValue() != b.getInt(raw.length - 4)) {
      return "CRC32 mismatch";
    }
    if (b.getLong(0) != MAGIC || b.getInt(8) != v.sourceKey || b.getInt(12) != v.number) {
      return "not this volume's";
    }
    long covered = b.getLong(16);
    int count = b.getInt(24);
    if (count < 0 || raw.length != HEAD + 8L * count + 4) {
      return "bad entry count";
    }
    if (covered < 0 || covered > v.channel.size()) {
      return "covers " + covered + " bytes, the volume has " + v.channel.size();
    }
    return null;
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
