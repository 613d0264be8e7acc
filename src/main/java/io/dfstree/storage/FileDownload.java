package io.dfstree.storage;

import io.dfstree.api.StorageCounters;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageRequest.Download;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A download (14) or a peer's read (122) on the FastDFS port: a small copy read once and checked
 * ({@link SmallDownload}), anything else sent from the file with sendfile. A client's miss is
 * fetched from the group first (read-your-write); a peer's is not. Counted as FastDFS counts it.
 */
final class FileDownload {
  /** Under the command layer's name, where these lines always were. */
  private static final Logger LOG = LoggerFactory.getLogger(StorageCommands.class);

  private FileDownload() {}

  /**
   * The bytes of {@code id} as they may be served: with {@code fetchMissing}, a file this member
   * lacks is fetched from a peer first (read-your-write: a file acknowledged elsewhere in the group
   * may not have reached us yet); a small copy that does not match its name is repaired first, so
   * it is never served or spread to a peer, on the context {@code repairOn} gives at that moment.
   * The one path for every front end ({@link StorageService#locate}). {@code forPeer}: a peer's
   * read (catch-up, fetch-on-miss, repair), which is checked even when this process knows the file
   * good ({@link KnownGoodFiles}): copies spread only after a check.
   */
  static Future<BlobEngine.BlobRead> openToServe(
      StorageNode node,
      BlobEngine engine,
      FileId id,
      boolean fetchMissing,
      boolean forPeer,
      java.util.function.Supplier<Context> repairOn) {
    if (engine instanceof FileBlobEngine && node.integrity.checksDownloadOf(id)) {
      // the stat and the check in one disk call; a miss goes the general way below
      Future<BlobEngine.BlobRead> checked =
          node.integrity.openChecked(id, node.files.pathOf(id), forPeer, repairOn);
      return fetchMissing
          ? checked.recover(
              err ->
                  isMissing(err)
                      ? node.replication
                          .fetchMissing(id)
                          .compose(v -> engine.open(id))
                          .compose(st -> node.integrity.verifyForDownload(repairOn.get(), id, st))
                      : Future.failedFuture(err))
          : checked;
    }
    Future<BlobEngine.BlobRead> located = engine.open(id);
    if (fetchMissing) {
      located =
          located.recover(
              err ->
                  isMissing(err)
                      ? node.replication.fetchMissing(id).compose(v -> engine.open(id))
                      : Future.failedFuture(err));
    }
    return located.compose(st -> node.integrity.verifyForDownload(repairOn.get(), id, st));
  }

  private static boolean isMissing(Throwable err) {
    return err instanceof FdfsException f && f.errno() == Errno.ENOENT;
  }

  static void run(StorageNode node, Context ctx, Download d, StorageExchange ex) {
    FileId id = node.files.validate(d.group(), d.name());
    BlobEngine engine = node.engines.forId(id);
    if (SmallDownload.applies(node, engine, id)) {
      SmallDownload.run(node, ctx, d, id, ex); // read once, checked, sent from the same buffer
      return;
    }
    if (engine instanceof PackedBlobEngine packed && PackedReads.sendsWhole(id)) {
      SmallDownload.runPacked(node, packed.reads, d, id, ex); // the same, for a packed slot
      return;
    }
    long offset = d.offset();
    long started = System.nanoTime();
    // a peer asking us is never sent on to a peer in turn
    Future<BlobEngine.BlobRead> located =
        openToServe(node, engine, id, !d.peer(), d.peer(), Vertx::currentContext);
    located.onComplete(
        ar -> {
          if (ar.failed()) {
            node.count(StorageCounters.TOTAL_DOWNLOAD, false);
            ex.fail(ar.cause());
            return;
          }
          BlobEngine.BlobRead st = ar.result();
          // 6.15.4+: offset >= size is EINVAL; only a 0-byte file may be read at offset 0 (§3.4)
          if (offset > st.length() || (offset == st.length() && st.length() > 0)) {
            node.count(StorageCounters.TOTAL_DOWNLOAD, false);
            ex.fail(
                FdfsException.invalid(
                    "download offset " + offset + " is past the end (" + st.length() + " bytes)"));
            return;
          }
          long n =
              d.length() == 0 ? st.length() - offset : Math.min(d.length(), st.length() - offset);
          Future<Void> out =
              st.content() != null
                  ? ex.send(
                      st.content()
                          .slice(
                              (int) offset,
                              (int) (offset + n))) // read once, CRC checked: these bytes
                  : ex.sendFile(st.path().toString(), st.fileOffset(offset), n);
          out.onComplete(
              sent -> {
                node.count(StorageCounters.TOTAL_DOWNLOAD, sent.succeeded());
                if (n > 0) {
                  node.countBytes(StorageCounters.TOTAL_DOWNLOAD_BYTES, n, sent.succeeded());
                  if (d.peer()) { // a peer's catch-up or fetch-on-miss: FastDFS sync-out
                    node.countBytes(StorageCounters.TOTAL_SYNC_OUT_BYTES, n, sent.succeeded());
                  }
                  node.events.download("fdfs", sent.succeeded(), n, System.nanoTime() - started);
                }
                if (sent.succeeded()) {
                  ex.sent();
                } else {
                  // the header is out: the only honest signal left is to close
                  LOG.warn(
                      "storage: download of {} to {} failed after the header: {}",
                      id,
                      ex.remote(),
                      sent.cause().toString());
                  ex.close();
                }
              });
        });
  }
}
