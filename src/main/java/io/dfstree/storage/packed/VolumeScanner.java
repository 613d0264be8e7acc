package io.dfstree.storage.packed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a volume's index from its headers at start. Reads headers through a window of {@value
 * #WINDOW} bytes, so for small slots it is a sequential read of the volume; content is read only
 * near the end.
 *
 * <p>What a crash can leave, and what the scan does with it:
 *
 * <ul>
 *   <li>zeros where a slot should be: a slot a replica has not received yet (peers place slots out
 *       of order) — skipped, 32 bytes at a time; zeros after the last slot (written ahead of the
 *       slots, or a reservation never filled) are where the next slot goes;
 *   <li>a header that is not one (torn write): the scan looks for the next well-formed header whose
 *       content checks out, so a slot acknowledged after an unfinished one is not lost; with none,
 *       the volume ends there and is truncated;
 *   <li>a well-formed header whose content is torn, in the last {@code verifyTail} bytes (where
 *       writes may not have reached the disk): the CRC is checked and a failing slot is marked
 *       deleted on disk, so it neither lists nor reads.
 * </ul>
 *
 * Elsewhere a bad CRC is left to the reader (every read checks it) and the scrubber.
 */
final class VolumeScanner {
  private static final Logger LOG = LoggerFactory.getLogger(VolumeScanner.class);
  static final int WINDOW = 1024 * 1024;

  private final Volume v;
  private final long verifyTail;
  private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
  private long windowStart = -1;
  private int windowLength;

  /** Slots found torn at the tail and marked deleted (for the caller's log and tests). */
  int tornSlots;

  long garbageBytes;

  VolumeScanner(Volume v, long verifyTail) {
    this.v = v;
    this.verifyTail = verifyTail;
  }

  void scan() throws IOException {
    scan(0);
  }

  /** Scans from {@code from} (0, or where an index checkpoint ends) to the end of the volume. */
  void scan(long from) throws IOException {
    long size = v.channel.size();
    // the last writes a crash may have torn lie before the zeros written ahead of the slots
    // (VolumeGrower.GROW_AHEAD), not before the end of the file
    long checkFrom = dataEnd(from, size) - verifyTail;
    long pos = from;
    long end = from; // after the last thing found that is not zeros
    while (pos + SlotHeader.SIZE <= size) {
      ByteBuffer h = header(pos, size);
      SlotHeader.Kind kind = SlotHeader.classify(h);
      if (kind == SlotHeader.Kind.ZERO) {
        pos += SlotHeader.ALIGN;
        continue;
      }
      SlotHeader sh = kind == SlotHeader.Kind.VALID ? SlotHeader.decode(h) : null;
      if (sh != null
          && pos + sh.slotLength() <= size
          && (sh.state() != SlotHeader.FILE
              || pos + sh.slotLength() < checkFrom
              || contentOk(pos, sh))) {
        v.index.add((int) pos, sh.slotLength(), sh.live());
        pos += sh.slotLength();
        end = pos;
        continue;
      }
      if (sh != null && pos + sh.slotLength() <= size) {
        // well-formed header, torn content near the end: never acknowledged; keep it from listing
        v.writeFully(sh.withState(SlotHeader.DELETED).encode(), pos);
        v.index.add((int) pos, sh.slotLength(), false);
        tornSlots++;
        pos += sh.slotLength();
        end = pos;
        continue;
      }
      long next = resync(pos + SlotHeader.ALIGN, size);
      garbageBytes += (next < 0 ? size : next) - pos;
      if (next < 0) {
        LOG.info(
            "packed volume {}: {} bytes after offset {} are an unfinished write; truncated",
            v.path,
            size - pos,
            pos);
        v.channel.truncate(pos);
        size = pos;
        break;
      }
      LOG.warn("packed volume {}: unreadable bytes {}..{} skipped", v.path, pos, next);
      pos = next;
    }
    // zeros after the last slot are room for the next ones (written ahead, or a reservation a
    // crash took before its bytes: its name was never acknowledged); zeros between slots stay
    v.tail = Math.max(v.index.end(), end);
    v.writtenEnd = size;
    v.index.trim();
  }

  /**
   * Where the last byte that is not zero ends, searched back from {@code size}: at most the zeros
   * written ahead and a verify window back (a volume ending in a punched run of deleted slots reads
   * as zeros far back; from there on every slot is CRC-checked anyway), and not before {@code from}.
   */
  private long dataEnd(long from, long size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64 * 1024);
    long stop = Math.max(from, size - verifyTail - 2 * VolumeGrower.GROW_AHEAD);
    long end = size;
    while (end > stop) {
      long start = Math.max(stop, end - b.capacity());
      b.clear().limit((int) (end - start));
      v.readFully(b, start);
      for (int i = b.limit() - 1; i >= 0; i--) {
        if (b.get(i) != 0) {
          return start + i + 1;
        }
      }
      end = start;
    }
    return stop;
  }

  /**
   * The next offset at or after {@code from} with a well-formed header and sound content, or -1.
   */
  private long resync(long from, long size) throws IOException {
    for (long p = from; p + SlotHeader.SIZE <= size; p += SlotHeader.ALIGN) {
      ByteBuffer h = header(p, size);
      SlotHeader sh = SlotHeader.decode(h);
      if (sh != null
          && p + sh.slotLength() <= size
          && (sh.state() != SlotHeader.FILE || contentOk(p, sh))) {
        return p;
      }
    }
    return -1;
  }

  private ByteBuffer header(long pos, long size) throws IOException {
    if (windowStart < 0
        || pos < windowStart
        || pos + SlotHeader.SIZE > windowStart + windowLength) {
      window.clear();
      window.limit((int) Math.min(WINDOW, size - pos));
      v.readFully(window, pos);
      windowStart = pos;
      windowLength = window.limit();
    }
    return window.duplicate().position((int) (pos - windowStart));
  }

  private boolean contentOk(long pos, SlotHeader sh) throws IOException {
    ByteBuffer content = ByteBuffer.allocate(sh.fileSize());
    v.readFully(content, pos + SlotHeader.SIZE);
    CRC32 crc = new CRC32();
    crc.update(content.flip());
    return (int) crc.getValue() == sh.crc32();
  }
}
