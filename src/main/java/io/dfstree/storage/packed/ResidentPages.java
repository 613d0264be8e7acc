package io.dfstree.storage.packed;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a byte range of a volume is in the page cache, asked without reading it: {@code
 * mincore(2)} on a read-only mapping of the volume ({@link MappedByteBuffer#isLoaded} of a slice is
 * exactly that in Java 17). mincore never faults a page in and this class never touches the
 * mapping's memory, so the answer costs one system call (2-4 µs on the benchmark's VM,
 * benchmark/PROFILE.md, resident27) and no I/O. The same idea as {@code RWF_NOWAIT} in io_uring and
 * Samba: a read the page cache can serve runs on the caller's thread, any other goes to a thread
 * that may block.
 *
 * <p>The volume is mapped in {@link #CHUNK}-sized pieces, each only as far as the file reaches when
 * it is mapped (never past the file's end: the mapping is made through a read-only channel, which
 * refuses to, where the volume's own read-write channel would lengthen the file). A volume grows
 * (zeros ahead, slots): a piece that does not yet reach a slot asked about is mapped again, at most
 * once per {@link VolumeGrower#GROW_AHEAD} the file grew, and the mapping it replaces is unmapped
 * at once ({@link #unmap}): left to the garbage collector, a busy volume's replaced mappings (one
 * per MiB written) stayed mapped until their objects were collected, and a process has at most
 * {@code vm.max_map_count} (65,530) mappings for everything it maps. A thread still asking the old
 * mapping gets no answer ({@link PackedStore.Residence#UNKNOWN}), or, were its addresses mapped
 * again meanwhile, an answer about what lies there now: only ever a hint of where to read, never a
 * read. Volumes are never deleted or shortened while open (compaction punches holes and keeps the
 * size; only the scan at open truncates a torn end, before any read), so a mapping never outlives
 * its file's bytes; a punched hole just reads as not resident. Address space: at most the volumes'
 * sizes, reserved not used (64-bit).
 *
 * <p>mincore reports the page cache of a shared file mapping only to a process that may write the
 * file (Linux 5.2 and later), which the storage is (it opens its volumes read-write); otherwise
 * every range reads as not resident and every read goes to a disk thread. Where a mapping cannot be
 * made at all, {@link #resident} answers {@link PackedStore.Residence#UNKNOWN}.
 */
final class ResidentPages {
  private static final Logger LOG = LoggerFactory.getLogger(ResidentPages.class);

  static final int CHUNK_SHIFT = 26;

  /** Bytes of the volume one mapping covers (64 MiB). */
  static final long CHUNK = 1L << CHUNK_SHIFT;

  private final Path path;

  /** The mappings by piece, each as far as the file reached when it was made; copied on change. */
  private volatile MappedByteBuffer[] pieces = new MappedByteBuffer[0];

  private volatile boolean closed;

  /** Guarded by this: a mapping failed (logged once); this volume is not asked again. */
  private boolean failed;

  /** Mappings made (tests, the profile). */
  volatile long mapped;

  ResidentPages(Path path) {
    this.path = path;
  }

  /**
   * {@link PackedStore.Residence#IN_MEMORY} when every page of {@code [offset, offset + length)} is
   * in the page cache, {@link PackedStore.Residence#ON_DISK} when one is not, {@link
   * PackedStore.Residence#UNKNOWN} when there is no mapping to ask. Any thread; no I/O but, once
   * per growth of the file, a new mapping of one piece.
   */
  PackedStore.Residence resident(long offset, int length) {
    if (closed || offset < 0 || length <= 0) {
      return PackedStore.Residence.UNKNOWN;
    }
    long end = offset + length;
    long at = offset;
    while (at < end) {
      int i = (int) (at >>> CHUNK_SHIFT);
      long pieceStart = (long) i << CHUNK_SHIFT;
      int from = (int) (at - pieceStart);
      int to = (int) (Math.min(end, pieceStart + CHUNK) - pieceStart);
      MappedByteBuffer[] ps = pieces;
      MappedByteBuffer m = i < ps.length ? ps[i] : null;
      if (m == null || m.capacity() < to) {
        PackedStore.Residence got = map(i, to);
        if (got != PackedStore.Residence.IN_MEMORY) {
          return got;
        }
        ps = pieces;
        m = i < ps.length ? ps[i] : null;
        if (m == null || m.capacity() < to) {
          return PackedStore.Residence.UNKNOWN; // closed meanwhile
        }
      }
      boolean loaded;
      try {
        loaded = m.slice(from, to - from).isLoaded();
      } catch (Exception e) {
        // mincore on a mapping another thread replaced and unmapped meanwhile (ENOMEM)
        return PackedStore.Residence.UNKNOWN;
      }
      if (!loaded) {
        return PackedStore.Residence.ON_DISK;
      }
      at = pieceStart + to;
    }
    return PackedStore.Residence.IN_MEMORY;
  }

  /**
   * Maps piece {@code i} as far as the file reaches now: {@link PackedStore.Residence#IN_MEMORY}
   * when that covers {@code need} bytes of it (then {@code pieces[i]} does), {@link
   * PackedStore.Residence#ON_DISK} when the file does not reach that far, {@link
   * PackedStore.Residence#UNKNOWN} when closed or the mapping failed.
   */
  private synchronized PackedStore.Residence map(int i, int need) {
    if (closed || failed) {
      return PackedStore.Residence.UNKNOWN;
    }
    MappedByteBuffer[] ps = pieces;
    MappedByteBuffer m = i < ps.length ? ps[i] : null;
    if (m != null && m.capacity() >= need) {
      return PackedStore.Residence.IN_MEMORY; // another thread mapped it meanwhile
    }
    // read-only: FileChannel.map refuses to pass the file's end instead of lengthening the file
    try (FileChannel ro = FileChannel.open(path, StandardOpenOption.READ)) {
      long start = (long) i << CHUNK_SHIFT;
      long length = Math.min(CHUNK, ro.size() - start);
      if (length < need) {
        return PackedStore.Residence.ON_DISK;
      }
      MappedByteBuffer made = ro.map(FileChannel.MapMode.READ_ONLY, start, length);
      MappedByteBuffer[] next = Arrays.copyOf(ps, Math.max(ps.length, i + 1));
      next[i] = made;
      pieces = next;
      mapped++;
      if (m != null) {
        unmap(m);
      }
      return PackedStore.Residence.IN_MEMORY;
    } catch (IOException | RuntimeException e) {
      failed = true; // not tried again on every read
      LOG.warn(
          "packed volume {}: not mapped to ask the page cache ({}); its small reads go by how"
              + " recently this process wrote them",
          path,
          e.toString());
      return PackedStore.Residence.UNKNOWN;
    }
  }

  /** The volume closes: no more answers, every mapping unmapped. */
  synchronized void close() {
    closed = true;
    MappedByteBuffer[] ps = pieces;
    pieces = new MappedByteBuffer[0];
    for (MappedByteBuffer m : ps) {
      if (m != null) {
        unmap(m);
      }
    }
  }

  /**
   * Unmaps {@code m} now (Java 17 has no public call for it; Netty's, which Lucene's MMapDirectory
   * also does through {@code Unsafe.invokeCleaner}). Nothing reads or writes a mapping's memory
   * here, only mincore asks about it, so an unmapped one cannot fault (see {@link #resident}).
   */
  private static void unmap(MappedByteBuffer m) {
    PlatformDependent.freeDirectBuffer(m);
  }
}
