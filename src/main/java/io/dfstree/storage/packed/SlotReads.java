package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reads of a packed store, on the caller's thread: a slot found from its trunk file ID alone
 * and read with one positioned read, checked against its header, its ID and its CRC32; where a
 * slot's content lies; whether the index holds it; and the live slots listed from their headers.
 * The counterpart of {@link SlotWrites}, which only the committer runs.
 */
final class SlotReads {
  // its log lines are the store's, as they were before this class was cut from it
  private static final Logger LOG = LoggerFactory.getLogger(PackedStore.class);

  private final int storePathIndex;
  private final int sourceKey;
  private final VolumeSet volumes;

  SlotReads(int storePathIndex, int sourceKey, VolumeSet volumes) {
    this.storePathIndex = storePathIndex;
    this.sourceKey = sourceKey;
    this.volumes = volumes;
  }

  PackedStore.Slot readSlot(TrunkId id) throws IOException {
    ByteBuffer slot = ByteBuffer.allocate(SlotHeader.SIZE + id.fileSize());
    PackedStore.Location at = readSlotInto(id, slot);
    return new PackedStore.Slot(slot.position(SlotHeader.SIZE).slice(), at);
  }

  /**
   * The slot of {@code id}, header and content, read into {@code slot} (from its position, exactly
   * {@link SlotHeader#SIZE} + size bytes remaining) with one positioned read and checked as {@link
   * #readSlot} checks it: ENOENT when the header does not describe {@code id}, EIO when the content
   * fails its CRC32 — so a caller never holds unchecked bytes it did not ask for. Any buffer: a
   * caller sending the bytes passes direct memory, which the socket write takes without a copy.
   */
  PackedStore.Location readSlotInto(TrunkId id, ByteBuffer slot) throws IOException {
    if (slot.remaining() != SlotHeader.SIZE + id.fileSize()) {
      throw new IllegalArgumentException(
          "slot buffer of " + slot.remaining() + " bytes for a slot of " + id.fileSize());
    }
    Volume v = liveVolume(id);
    int start = slot.position();
    v.readFully(slot, id.offset());
    SlotHeader h = SlotHeader.decode(slot.duplicate().position(start));
    if (h == null || !h.matches(id)) {
      throw FdfsException.notFound("packed file not found: " + id);
    }
    CRC32 crc = new CRC32();
    crc.update(slot.duplicate().position(start + SlotHeader.SIZE));
    if ((int) crc.getValue() != id.crc32()) {
      LOG.warn("packed volume {}: slot at {} fails its CRC32", v.path, id.offset());
      throw new FdfsException(Errno.EIO, "packed file is damaged (CRC32 mismatch): " + id);
    }
    return new PackedStore.Location(v.path, (long) id.offset() + SlotHeader.SIZE, id.fileSize());
  }

  PackedStore.Location locate(TrunkId id) throws IOException {
    Volume v = liveVolume(id);
    SlotHeader h = v.readHeader(id.offset());
    if (h == null || !h.matches(id)) {
      throw FdfsException.notFound("packed file not found: " + id);
    }
    return new PackedStore.Location(v.path, (long) id.offset() + SlotHeader.SIZE, id.fileSize());
  }

  boolean damaged(TrunkId id) throws IOException {
    try {
      readSlot(id);
      return false;
    } catch (FdfsException e) {
      // a failing CRC, or a header that no longer matches while the index holds the slot
      return e.errno() == Errno.EIO || contains(id);
    }
  }

  boolean recentlyWritten(TrunkId id, long window) {
    if (window <= 0 || id.storePathIndex() != storePathIndex) {
      return false;
    }
    Volume v = volumes.get(id.sourceKey(), id.volume());
    if (v == null) {
      return false;
    }
    long off = id.offset();
    return off >= v.recentFrom && off >= v.recentEnd - window;
  }

  PackedStore.Residence residence(TrunkId id) {
    if (id.storePathIndex() != storePathIndex) {
      return PackedStore.Residence.UNKNOWN;
    }
    Volume v = volumes.get(id.sourceKey(), id.volume());
    if (v == null) {
      return PackedStore.Residence.UNKNOWN;
    }
    // what readSlotInto reads: the slot's header and content
    return v.pages.resident(id.offset(), SlotHeader.SIZE + id.fileSize());
  }

  boolean contains(TrunkId id) {
    if (id.storePathIndex() != storePathIndex) {
      return false;
    }
    Volume v = volumes.get(id.sourceKey(), id.volume());
    if (v == null) {
      return false;
    }
    synchronized (v) {
      int i = v.index.find(id.offset());
      return i >= 0 && v.index.live(i) && v.index.length(i) == id.slotLength();
    }
  }

  void list(Consumer<TrunkId> out) throws IOException {
    for (Volume v : volumes.all()) {
      int[] offsets;
      synchronized (v) {
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < v.index.count(); i++) {
          if (v.index.live(i)) {
            live.add(v.index.offset(i));
          }
        }
        offsets = live.stream().mapToInt(Integer::intValue).toArray();
      }
      for (int off : offsets) {
        SlotHeader h = v.readHeader(off);
        if (h != null && h.live()) {
          out.accept(idOf(v, off, h));
        }
      }
    }
  }

  List<TrunkId> recentSlots(long window, long sinceSeconds) throws IOException {
    List<TrunkId> out = new ArrayList<>();
    for (Volume v : volumes.all()) {
      if (v.sourceKey != sourceKey) {
        continue;
      }
      long from = volumes.dataEnd(v) - window; // not the file's size: zeros are written ahead
      List<Integer> offsets = new ArrayList<>();
      synchronized (v) {
        for (int i = v.index.count() - 1;
            i >= 0 && (long) v.index.offset(i) + v.index.length(i) > from;
            i--) {
          if (v.index.live(i)) {
            offsets.add(v.index.offset(i));
          }
        }
      }
      for (int off : offsets) {
        SlotHeader h = v.readHeader(off);
        if (h != null && h.live() && (h.createTime() & 0xFFFFFFFFL) >= sinceSeconds) {
          out.add(idOf(v, off, h));
        }
      }
    }
    return out;
  }

  /** The file ID of the slot at {@code offset} of {@code v}, as its header describes it. */
  private TrunkId idOf(Volume v, int offset, SlotHeader h) {
    return new TrunkId(
        storePathIndex,
        v.sourceKey,
        h.createTime(),
        h.sizeHigh(),
        h.fileSize(),
        h.crc32(),
        v.number,
        offset,
        h.slotLength(),
        h.extPart());
  }

  private Volume liveVolume(TrunkId id) {
    checkPath(id);
    if (!contains(id)) {
      throw FdfsException.notFound("packed file not found: " + id);
    }
    return volumes.get(id.sourceKey(), id.volume());
  }

  /**
   * Refuses an ID of another store path (EINVAL) or one whose slot length does not fit its size
   * (ENOENT: no slot was ever written so), before anything is read or queued.
   */
  void checkPath(TrunkId id) {
    if (id.storePathIndex() != storePathIndex) {
      throw FdfsException.invalid(
          "trunk file of M" + id.storePathIndex() + " asked of M" + storePathIndex);
    }
    if (id.slotLength() != SlotHeader.slotLength(id.fileSize())) {
      throw FdfsException.notFound(
          "packed file not found (slot length does not fit its size): " + id);
    }
  }
}
