package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes of one packed store path, by source key and number: opened from the directory with
 * their index rebuilt ({@link #load}), created as own slots or peers' copies need them, and where
 * this member's own next slot goes ({@link #allocate}).
 */
final class VolumeSet {
  // its log lines are the store's, as they were before this class was cut from it
  private static final Logger LOG = LoggerFactory.getLogger(PackedStore.class);

  private final Path dir;
  private final int storePathIndex;
  private final int sourceKey;
  private final PackedOptions options;
  private final Map<Long, Volume> volumes = new ConcurrentHashMap<>();

  /**
   * Guards where own slots go: the committer's appends and {@code PackedStore.reserve} share the
   * active volume.
   */
  private final Object allocation = new Object();

  private Volume active;

  VolumeSet(Path dir, int storePathIndex, int sourceKey, PackedOptions options) {
    this.dir = dir;
    this.storePathIndex = storePathIndex;
    this.sourceKey = sourceKey;
    this.options = options;
  }

  /**
   * Opens every volume file of the directory (creating the directory when new) and rebuilds each
   * index: from its checkpoint, then a scan of what lies past it ({@link VolumeScanner}). Blocking.
   */
  PackedStore.Rebuild load() throws IOException {
    long t0 = System.nanoTime();
    Files.createDirectories(dir);
    long files = 0;
    int checkpointed = 0;
    int torn = 0;
    long garbage = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.vol")) {
      for (Path p : ds) {
        int[] name = Volume.parseName(p.getFileName().toString());
        if (name == null || name[1] < 1 || name[1] > TrunkId.MAX_VOLUME) {
          continue;
        }
        Volume v = Volume.open(dir, name[0], name[1]);
        long from = IndexCheckpoint.load(v);
        if (from > 0) {
          checkpointed++;
        }
        VolumeScanner scan = new VolumeScanner(v, options.verifyTail());
        scan.scan(from);
        if (scan.tornSlots > 0) {
          v.channel.force(false);
        }
        if (from > 0 && v.index.end() <= from) {
          v.checkpointedChanges = v.changes; // the checkpoint on disk is the whole story
        }
        torn += scan.tornSlots;
        garbage += scan.garbageBytes;
        files += v.index.liveCount();
        volumes.put(key(name[0], name[1]), v);
      }
    }
    PackedStore.Rebuild rebuild =
        new PackedStore.Rebuild(
            files,
            volumes.size(),
            (System.nanoTime() - t0) / 1_000_000,
            torn,
            garbage,
            checkpointed);
    if (!volumes.isEmpty()) {
      LOG.info(
          "packed store M{}: {} files in {} volumes ({} from index checkpoints) indexed in {} ms",
          String.format("%02X", storePathIndex),
          files,
          volumes.size(),
          checkpointed,
          rebuild.millis());
    }
    return rebuild;
  }

  private static long key(int sourceKey, int number) {
    return ((long) sourceKey << 32) | (number & 0xFFFFFFFFL);
  }

  /**
   * The place for {@code len} more bytes of our own: {@code {volume, offset}}, opening the next
   * volume when the active one is full.
   */
  long[] allocate(int len) throws IOException {
    synchronized (allocation) {
      if (active == null) {
        for (Volume v : volumes.values()) {
          if (v.sourceKey == sourceKey && (active == null || v.number > active.number)) {
            active = v;
          }
        }
      }
      if (active == null || active.tail + len > options.volumeSize()) {
        int number = active == null ? 1 : active.number + 1;
        if (number > TrunkId.MAX_VOLUME) {
          throw new FdfsException(
              Errno.ENOSPC, "packed store M" + storePathIndex + " has no volume numbers left");
        }
        active = create(sourceKey, number);
      }
      long offset = active.tail;
      active.tail += len;
      return new long[] {active.number, offset};
    }
  }

  /**
   * Raises a volume's end to cover a slot placed in it (peers' volumes: the end of what we hold).
   */
  void extend(Volume v, long end) {
    synchronized (allocation) {
      v.tail = Math.max(v.tail, end);
    }
  }

  /** The end of a volume's slots (its file may hold zeros past it, written ahead). */
  long dataEnd(Volume v) {
    synchronized (allocation) {
      return v.tail;
    }
  }

  /** The volume, or null when it is not here. */
  Volume get(int sourceKey, int number) {
    return volumes.get(key(sourceKey, number));
  }

  /** The volume, opened (and created on disk) when it is not here yet. */
  Volume create(int sourceKey, int number) throws IOException {
    Volume existing = volumes.get(key(sourceKey, number));
    if (existing != null) {
      return existing;
    }
    Volume v = Volume.open(dir, sourceKey, number);
    v.tail = v.channel.size();
    volumes.put(key(sourceKey, number), v);
    return v;
  }

  /** A copy of the volumes now. */
  List<Volume> all() {
    return new ArrayList<>(volumes.values());
  }

  /** The volumes as they come and go (a live view, no copy). */
  Collection<Volume> view() {
    return volumes.values();
  }

  PackedStore.Stats stats() throws IOException {
    long files = 0;
    long live = 0;
    long disk = 0;
    long heap = 0;
    for (Volume v : volumes.values()) {
      synchronized (v) {
        files += v.index.liveCount();
        live += v.index.liveBytes();
        heap += v.index.heapBytes();
      }
      disk += v.channel.size();
    }
    return new PackedStore.Stats(volumes.size(), files, live, disk, heap);
  }
}
