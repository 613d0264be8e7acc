package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageReply;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of a storage's file set, for a member whose binlog position was trimmed away (or a new
 * member once the history is gone): the live files of every store path, as the blob engines list
 * them with tombstoned names left out, then the recent deletes (tombstones), so a member that was
 * away removes what was deleted meanwhile. It is taken at a binlog offset: the member applies the
 * snapshot, then follows the binlog from that offset.
 *
 * <p>Why that is enough: the offset is read before the listing starts, so every change made while
 * it runs is also in the binlog after the offset. A file created meanwhile is fetched from the
 * snapshot or from its binlog line; a file deleted meanwhile may be listed (its fetch finds
 * nothing, or the later delete line removes it again). Every change is idempotent on the member.
 *
 * <p>Pages ({@code 125 SNAPSHOT_FETCH}) are read by section and name: sections {@code 0..n-1} are
 * the store paths, section {@code n} the tombstones. Lines: {@code <op> <time> <size> <name>} with
 * op {@code C} (a live file, time = its mtime), {@code S} (that file has metadata, fetched with
 * GET_METADATA), {@code D} (deleted at time). The member side is {@code
 * replication.SnapshotCursor}.
 */
final class Snapshot {
  private Snapshot() {}

  /** The refusal of a binlog read behind the oldest line held. */
  static FdfsException trimmed(long offset, long first) {
    return new FdfsException(
        Errno.ERANGE,
        "binlog offset "
            + offset
            + " was trimmed (oldest held "
            + first
            + "): catch up from a snapshot (command 125)");
  }

  /** Server side: one page of this storage's snapshot, taken at binlog offset {@code position}. */
  static Future<StorageReply.SnapshotPage> page(
      StorageNode node, int section, String after, int limit, long position) {
    int paths = node.paths.all().size();
    long now = StoredFiles.now();
    int max = Math.max(1, Math.min(limit, 10_000));
    if (section < 0 || section > paths) {
      return Future.succeededFuture(
          new StorageReply.SnapshotPage(position, now, -1, "", new byte[0]));
    }
    if (section == paths) {
      return node.disk.executeBlocking(
          () -> {
            List<Map.Entry<String, Long>> buried = node.files.tombstonesAfter(after, max);
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Long> e : buried) {
              sb.append("D ").append(e.getValue()).append(" 0 ").append(e.getKey()).append('\n');
            }
            boolean last = buried.size() < max;
            return new StorageReply.SnapshotPage(
                position,
                now,
                last ? -1 : section,
                last ? "" : buried.get(buried.size() - 1).getKey(),
                sb.toString().getBytes(StandardCharsets.US_ASCII));
          },
          false);
    }
    List<Future<List<BlobEngine.BlobEntry>>> listed = new ArrayList<>();
    for (BlobEngine e : node.engines.all()) {
      listed.add(e.list(section, after, max));
    }
    return Future.all(listed)
        .compose(
            all ->
                node.disk.executeBlocking(
                    () -> {
                      List<BlobEngine.BlobEntry> merged = new ArrayList<>();
                      boolean more = false;
                      for (int i = 0; i < listed.size(); i++) {
                        List<BlobEngine.BlobEntry> one = all.resultAt(i);
                        more |= one.size() >= max;
                        merged.addAll(one);
                      }
                      merged.sort(Comparator.comparing(BlobEngine.BlobEntry::remoteName));
                      if (merged.size() > max) {
                        merged = merged.subList(0, max);
                        more = true;
                      }
                      StringBuilder sb = new StringBuilder();
                      for (BlobEngine.BlobEntry b : merged) {
                        FileId id;
                        try {
                          id = node.files.validate(node.files.group(), b.remoteName());
                        } catch (FdfsException notOurs) {
                          continue;
                        }
                        if (node.files.deletedSince(id, b.mtimeSeconds())) {
                          continue; // deleted, its bytes not yet gone (a packed slot being freed)
                        }
                        sb.append("C ")
                            .append(b.mtimeSeconds())
                            .append(' ')
                            .append(b.size())
                            .append(' ')
                            .append(b.remoteName())
                            .append('\n');
                        if (Files.exists(StoredFiles.metadataPath(node.files.pathOf(id)))) {
                          sb.append("S ")
                              .append(b.mtimeSeconds())
                              .append(" 0 ")
                              .append(b.remoteName())
                              .append('\n');
                        }
                      }
                      int next = more ? section : section + 1;
                      String nextAfter = more ? merged.get(merged.size() - 1).remoteName() : "";
                      return new StorageReply.SnapshotPage(
                          position,
                          now,
                          next,
                          nextAfter,
                          sb.toString().getBytes(StandardCharsets.US_ASCII));
                    },
                    false));
  }
}
