package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The writes of a packed store at a place a file's name gives, as the {@link BatchCommitter} thread
 * makes them inside a batch (it forces the volume afterwards): a delete's mark, a released
 * reservation's mark, and a slot placed from a peer or rewritten from a good copy. Each keeps the
 * volume's index in step with its header. Blocking; committer thread only, or (a delete's mark
 * without fsync) a thread holding the committer's write lock ({@link DeleteMarks#markNow}).
 */
final class SlotWrites {
  private SlotWrites() {}

  /** Marks a reserved slot given up: deleted on disk, never read, its place kept in the index. */
  static void release(Volume v, TrunkId id) throws IOException {
    SlotHeader h =
        new SlotHeader(
            SlotHeader.DELETED,
            id.slotLength(),
            id.fileSize(),
            id.crc32(),
            id.createTime(),
            id.sizeHigh(),
            id.extPart());
    IndexCheckpoint.beforeChange(v, id.offset());
    v.writeFully(h.encode(), id.offset());
    synchronized (v) {
      v.index.add(id.offset(), id.slotLength(), false);
    }
  }

  /** Marks a live slot deleted (header first, then the index); ENOENT when it is not here. */
  static void markDeleted(Volume v, TrunkId id) throws IOException {
    if (v == null) {
      throw FdfsException.notFound("packed file not found: " + id);
    }
    int i;
    synchronized (v) {
      i = v.index.find(id.offset());
      if (i < 0 || !v.index.live(i) || v.index.length(i) != id.slotLength()) {
        throw FdfsException.notFound("packed file not found: " + id);
      }
    }
    SlotHeader h = v.readHeader(id.offset());
    if (h == null || !h.matches(id)) {
      throw FdfsException.notFound("packed file not found: " + id);
    }
    // header first: the compactor must not see the slot free before its header says so
    v.writeFully(h.withState(SlotHeader.DELETED).encode(), id.offset());
    synchronized (v) {
      v.index.markFree(v.index.find(id.offset()));
    }
  }

  /**
   * Writes a replicated slot ({@code repair}: rewrites a live slot of this name); false when it was
   * here already (nothing written). {@code largeBatch}: see {@link VolumeGrower#growFor}.
   */
  static boolean place(
      PackedStore store, TrunkId id, ByteBuffer content, boolean repair, boolean largeBatch)
      throws IOException {
    Volume v = store.volumes.get(id.sourceKey(), id.volume());
    if (v == null) {
      if (id.sourceKey() == store.sourceKey) {
        throw FdfsException.invalid(
            "a replicated slot names a volume of our own that we do not have: " + id);
      }
      v = store.volumes.create(id.sourceKey(), id.volume());
    }
    synchronized (v) {
      int at = v.index.containing(id.offset());
      if (repair) {
        if (at < 0
            || v.index.offset(at) != id.offset()
            || !v.index.live(at)
            || v.index.length(at) != id.slotLength()) {
          throw FdfsException.notFound("no packed slot to repair: " + id);
        }
      } else if (at >= 0) {
        if (v.index.offset(at) == id.offset()
            && v.index.live(at)
            && v.index.length(at) == id.slotLength()) {
          SlotHeader h = v.readHeader(id.offset());
          if (h != null && h.matches(id)) {
            return false;
          }
        }
        if (!v.index.live(at)) {
          throw FdfsException.notFound("packed slot was deleted here: " + id);
        }
        throw new FdfsException(Errno.EEXIST, "another packed slot holds this place: " + id);
      }
      if (!repair && !v.index.add(id.offset(), id.slotLength(), true)) {
        throw new FdfsException(Errno.EEXIST, "another packed slot overlaps this place: " + id);
      }
    }
    if (!repair) {
      // a slot that appears inside what a checkpoint says: that checkpoint goes first
      IndexCheckpoint.beforeChange(v, id.offset());
    }
    SlotHeader h =
        new SlotHeader(
            SlotHeader.FILE,
            id.slotLength(),
            id.fileSize(),
            id.crc32(),
            id.createTime(),
            id.sizeHigh(),
            id.extPart());
    if (!repair) {
      VolumeGrower.growFor(store.options, v, (long) id.offset() + id.slotLength(), largeBatch);
    }
    v.wrote(id.offset(), (long) id.offset() + id.slotLength());
    // header, content and padding in one gathering write, without assembling the slot on the heap
    // first (a copy and an allocation of the whole slot per placed file)
    v.writeSlot(h.encode(), content.duplicate(), id.offset(), id.slotLength());
    store.volumes.extend(v, (long) id.offset() + id.slotLength());
    return true;
  }
}
