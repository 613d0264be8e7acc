package io.dfstree.replication;

import io.dfstree.storage.ReplicaStore;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Where catch-up stopped with each peer, on disk: {@code data/sync/<peer>.mark} holds the offset
 * reached in that peer's binlog and the peer's clock when we last held everything it had written.
 * A mark is replaced atomically; one older than the truth only makes catch-up read some lines
 * again, which is harmless (every change applies idempotently).
 */
final class PeerMarks {
  private final ReplicaStore store;
  private final Path dir;

  PeerMarks(ReplicaStore store) {
    this.store = store;
    this.dir = store.syncDir();
  }

  /** Blocking: every saved mark, by peer id, into {@code progress}. */
  void load(Map<Integer, PeerProgress> progress) throws IOException {
    Files.createDirectories(dir);
    try (var list = Files.newDirectoryStream(dir, "*.mark")) {
      for (Path p : list) {
        String n = p.getFileName().toString();
        int id = Integer.parseInt(n.substring(0, n.length() - 5));
        String[] v = Files.readString(p).trim().split(" ");
        PeerProgress pp = new PeerProgress();
        pp.offset = Long.parseLong(v[0]);
        pp.syncedUntil = v.length > 1 ? Long.parseLong(v[1]) : 0;
        progress.put(id, pp);
      }
    }
  }

  /** Saves {@code pp}'s position with {@code peerId} on a disk thread. */
  Future<Void> save(int peerId, PeerProgress pp) {
    String text = pp.offset + " " + pp.syncedUntil + "\n";
    pp.markDirty = false;
    pp.markSavedMillis = System.currentTimeMillis();
    Path mark = dir.resolve(peerId + ".mark");
    return store.blocking(
        () -> {
          // the peer's deletes applied so far are durable before a mark says they were applied
          store.forceAppliedNow();
          Path tmp = dir.resolve(peerId + ".mark.tmp");
          Files.writeString(tmp, text);
          Files.move(
              tmp, mark, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          return null;
        });
  }
}
