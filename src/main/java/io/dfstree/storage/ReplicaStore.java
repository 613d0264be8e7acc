package io.dfstree.storage;

import io.dfstree.api.StorageCounters;
import io.dfstree.config.StorageOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.StorageStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * This storage as its replication sees it: the changes a peer's binlog lists applied to the local
 * copy, peers' blobs received and placed, the counters and the member state they move. The one door
 * from {@code replication} into the store, so the store's parts stay package-private.
 */
public final class ReplicaStore {
  private final StorageNode node;

  ReplicaStore(StorageNode node) {
    this.node = node;
  }

  public StorageOptions options() {
    return node.options;
  }

  /**
   * Who this storage is to its peers: the proof it gives on each new peer connection (null until
   * loaded).
   */
  public PeerAuth peerAuth() {
    return node.peerAuth;
  }

  /**
   * Where replication keeps its own files (the marks of how far each peer's binlog was applied).
   */
  public Path syncDir() {
    return node.paths.all().get(0).data.resolve("sync");
  }

  /** Runs blocking work on the storage's disk threads. */
  public <T> Future<T> blocking(Callable<T> work) {
    return node.disk.executeBlocking(work, false);
  }

  public void status(StorageStatus next) {
    node.status(next);
  }

  public String group() {
    return node.files.group();
  }

  /**
   * Parses and checks a name; throws {@code FdfsException} (EINVAL) when it is not ours or not
   * valid.
   */
  public FileId validate(String group, String remoteName) {
    return node.files.validate(group, remoteName);
  }

  public Path pathOf(FileId id) {
    return node.files.pathOf(id);
  }

  public Future<Boolean> exists(FileId id) {
    return node.files.lookups().exists(id);
  }

  /** True when {@code id} was deleted here at or after {@code mtimeSeconds} (its copy is stale). */
  public boolean deletedSince(FileId id, long mtimeSeconds) {
    return node.files.deletedSince(id, mtimeSeconds);
  }

  /** True when {@code id} was deleted here at or after {@code ts} (a delete line of then is applied). */
  public boolean deletedAtOrAfter(FileId id, long ts) {
    return node.files.deletedAtOrAfter(id.remoteName(), ts);
  }

  /** Whether a copy of {@code remoteName} is being placed here right now. */
  public boolean isPlacing(String remoteName) {
    return node.files.isPlacing(remoteName);
  }

  /** Which of {@code ids} are here (remote names): one disk-thread hop at most. */
  public Future<java.util.Set<String>> present(java.util.List<FileId> ids) {
    return node.files.lookups().present(ids);
  }

  /** Completes once a copy of {@code remoteName} this storage is placing right now is in place. */
  public Future<Void> afterPlacing(Context ctx, String remoteName) {
    return node.files.afterPlacing(ctx, remoteName);
  }

  public Future<Void> applyDelete(Context ctx, FileId id, long ts) {
    return node.files.fromPeers().applyDelete(ctx, id, ts);
  }

  /**
   * After a batch of a peer's changes was applied: the binlog lines of its deletes, written without
   * a force of their own ({@code DeleteCommitter}: one force per poll, not one per round), made
   * durable; done at once when nothing waits for a force (a client delete's round forced them).
   */
  public Future<Void> forceApplied() {
    if (!node.files.changes().appliedUnforced()) {
      return Future.succeededFuture();
    }
    return blocking(
        () -> {
          node.files.changes().forceApplied();
          return null;
        });
  }

  /** Blocking: as {@link #forceApplied()}, on the calling disk thread (before a mark is saved). */
  public void forceAppliedNow() throws java.io.IOException {
    node.files.changes().forceApplied();
  }

  public Future<Boolean> applyRename(Context ctx, FileId newId, FileId oldId, long ts) {
    return node.files.fromPeers().applyRename(ctx, newId, oldId, ts);
  }

  /** {@code fromItsSource}: the peer's upper-case line (see {@code PeerChanges.applyMetadata}). */
  public Future<Void> applyMetadata(
      Context ctx, FileId id, byte[] raw, long ts, boolean fromItsSource) {
    return node.files.fromPeers().applyMetadata(ctx, id, raw, ts, fromItsSource);
  }

  /** Removes a new upload that did not reach its write quorum. */
  public Future<Void> retract(Context ctx, FileId id) {
    return node.files.retract(ctx, id);
  }

  /** A blob for a peer's copy of {@code id}, in the engine that holds names like it. */
  public NewBlob receive(FileId id) {
    return node.engines.forId(id).receive(id.storePathIndex(), -1);
  }

  /** FastDFS sync-in: bytes received from a peer, successful when the copy was placed. */
  public void countSyncIn(long bytes, boolean placed) {
    node.countBytes(StorageCounters.TOTAL_SYNC_IN_BYTES, bytes, placed);
  }

  /** FastDFS sync-out: a copy streamed to a peer, successful once the peer placed it. */
  public void countSyncOut(long bytes, boolean placed) {
    node.countBytes(StorageCounters.TOTAL_SYNC_OUT_BYTES, bytes, placed);
  }

  /** FastDFS's last_sync_update: a replicated change was applied now. */
  public void appliedNow() {
    node.lastSyncUpdate = System.currentTimeMillis() / 1000;
  }

  /** Seconds since the epoch, as the binlog and the file names count them. */
  public static long now() {
    return StoredFiles.now();
  }
}
