package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.TrunkId;
import io.dfstree.storage.packed.PackedOptions;
import io.dfstree.storage.packed.PackedStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a start repairs for the packed engine after a crash, from the volumes and the tombstones:
 * the binlog lines of new slots (written after the slot's force, synced later) and the delete marks
 * of slots (answered before their volume's force). The slots are the truth for the first, the
 * tombstones for the second. Blocking, at start, before the storage serves.
 */
final class PackedRecovery {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(PackedBlobEngine.class);

  private PackedRecovery() {}

  /**
   * Blocking, at start, once the binlog is open: writes again the {@code C} lines a crash took
   * (written after the slot's sync, synced later): the own slots of the last window of each volume,
   * created in the last {@value PackedBlobEngine#RECOVER_SECONDS} s before the newest, that no line of the binlog's
   * end names. Returns how many lines it wrote.
   */
  static int lines(StoredFiles files, PackedStore[] stores, PackedOptions options)
      throws IOException {
    Binlog log = files.binlog();
    if (log == null || !options.fsync()) {
      return 0;
    }
    Map<String, io.dfstree.fileid.TrunkId> missing = new HashMap<>();
    long newest = 0;
    List<io.dfstree.fileid.TrunkId> recent = new ArrayList<>();
    for (PackedStore s : stores) {
      recent.addAll(s.recentSlots(options.verifyTail(), 0));
    }
    for (io.dfstree.fileid.TrunkId t : recent) {
      newest = Math.max(newest, t.createTime() & 0xFFFFFFFFL);
    }
    for (io.dfstree.fileid.TrunkId t : recent) {
      if ((t.createTime() & 0xFFFFFFFFL) >= newest - PackedBlobEngine.RECOVER_SECONDS) {
        missing.put(t.remoteName(), t);
      }
    }
    // look back through the binlog's end until every recent slot has its line (or 64 MiB)
    long size = log.size();
    for (long back = 256 * 1024; !missing.isEmpty(); back *= 4) {
      long from = Math.max(0, size - back);
      byte[] chunk = log.read(from, (int) (size - from));
      int start = 0;
      if (from > 0) {
        while (start < chunk.length && chunk[start] != '\n') {
          start++;
        }
        start++;
      }
      if (start < chunk.length) {
        for (Binlog.Entry e :
            Binlog.parse(java.util.Arrays.copyOfRange(chunk, start, chunk.length), from + start)) {
          missing.remove(e.name());
        }
      }
      if (from == 0 || back >= 64L << 20) {
        break;
      }
    }
    if (missing.isEmpty()) {
      return 0;
    }
    List<io.dfstree.fileid.TrunkId> lost = new ArrayList<>(missing.values());
    lost.sort(
        Comparator.comparingLong((io.dfstree.fileid.TrunkId t) -> t.createTime() & 0xFFFFFFFFL)
            .thenComparing(io.dfstree.fileid.TrunkId::remoteName));
    List<String> lines = new ArrayList<>(lost.size());
    for (io.dfstree.fileid.TrunkId t : lost) {
      lines.add(Binlog.line(t.createTime() & 0xFFFFFFFFL, Binlog.CREATE, t.remoteName()));
    }
    log.appendUnsynced(lines);
    log.force();
    LOG.warn(
            "packed store: {} binlog lines of slots written before a crash were missing: written again",
            lines.size());
    return lines.size();
  }

  /**
   * Blocking, at start, once the tombstones are open (they replay the binlog's deletes since their
   * last checkpoint): marks deleted, with a force, every live slot that has a tombstone. A trunk
   * name is never given twice, so a live slot with a tombstone is always a delete's mark that a
   * crash took (it is answered before its volume is forced: see {@code PackedBlobEngine.deletesRecorded}). Returns how many slots it marked.
   */
  static int deletes(StoredFiles files, PackedBlobEngine engine) throws IOException {
    TombstoneStore tombstones = files.tombstones();
    if (tombstones == null) {
      return 0;
    }
    int marked = 0;
    for (String name : tombstones.names()) {
      if (name.length() != io.dfstree.fileid.FileName.TRUNK_NAME_LEN) {
        continue;
      }
      TrunkId t;
      FileId id;
      try {
        id = files.validate(files.group(), name);
        if (!engine.owns(id)) {
          continue;
        }
        t = TrunkId.parse(name);
      } catch (RuntimeException notOurs) {
        continue; // another group's name, or not a trunk name after all
      }
      PackedStore s = engine.store(id.storePathIndex());
      if (s.contains(t)) {
        try {
          s.delete(t, false).join();
          marked++;
        } catch (java.util.concurrent.CompletionException e) {
          LOG.warn("packed store: slot {} of a delete not marked again: {}", name, e.getCause());
        }
      }
    }
    if (marked > 0) {
      LOG.warn("packed store: {} deleted slots whose mark a crash took: marked again", marked);
    }
    return marked;
  }
}
