package io.dfstree.storage;

import io.dfstree.api.FileEvent;
import io.dfstree.api.StorageCounters;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Metadata;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.StorageRequest.BinlogFetch;
import io.dfstree.protocol.StorageRequest.Delete;
import io.dfstree.protocol.StorageRequest.Download;
import io.dfstree.protocol.StorageRequest.GetMetadata;
import io.dfstree.protocol.StorageRequest.QueryFileInfo;
import io.dfstree.protocol.StorageRequest.RegenerateAppenderName;
import io.dfstree.protocol.StorageRequest.ReplicaUpload;
import io.dfstree.protocol.StorageRequest.SetMetadata;
import io.dfstree.protocol.StorageRequest.Truncate;
import io.dfstree.protocol.StorageRequest.Upload;
import io.dfstree.protocol.StorageRequest.UploadSlave;
import io.dfstree.protocol.StorageRequest.WriteAppender;
import io.dfstree.protocol.Wire;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one decoded storage request (fastdfs-protocol.md §3, peer commands 120–122) against the
 * storage: validates names against this storage, streams content through the {@link
 * StorageExchange}, counts, announces file events, and ends the request. No sockets here: {@link
 * StorageConnection} does the framing. Whatever a request needs to remember lives in its own call
 * (locals and futures), never in fields.
 */
final class StorageCommands {
  private static final Logger LOG = LoggerFactory.getLogger(StorageCommands.class);

  private final StorageNode node;
  private final StoredFiles files;
  private final Context ctx;

  StorageCommands(StorageNode node, Context ctx) {
    this.node = node;
    this.files = node.files;
    this.ctx = ctx;
  }

  /**
   * Runs {@code req}; a validation failure thrown here is the caller's to answer (its body is
   * unread).
   */
  void execute(StorageRequest req, StorageExchange ex) {
    if (req instanceof Upload u) {
      upload(u, ex);
    } else if (req instanceof UploadSlave s) {
      uploadSlave(s, ex);
    } else if (req instanceof WriteAppender w) {
      writeAppender(w, ex);
    } else if (req instanceof ReplicaUpload r) {
      ReplicaReceive.run(node, ctx, r, ex);
    } else if (req instanceof Download d) {
      FileDownload.run(node, ctx, d, ex);
    } else if (req instanceof Delete d) {
      FileId id = files.validate(d.group(), d.name());
      answerEmpty(
          ex,
          node.engines
              .forId(id)
              .delete(ctx, id)
              .onSuccess(v -> node.announce(FileEvent.DELETED, id.remoteName(), -1)),
          StorageCounters.TOTAL_DELETE);
    } else if (req instanceof GetMetadata g) {
      FileId id = files.validate(g.group(), g.name());
      files
          .metadata()
          .get(id)
          .onComplete(
              ar -> {
                node.count(StorageCounters.TOTAL_GET_META, ar.succeeded());
                if (ar.succeeded()) {
                  ex.reply(new StorageReply.RawMetadata(ar.result()));
                } else {
                  ex.fail(ar.cause());
                }
              });
    } else if (req instanceof SetMetadata m) {
      FileId id = files.validate(m.group(), m.name());
      answerEmpty(
          ex,
          files
              .metadata()
              .set(ctx, id, m.merge() ? (byte) 'M' : (byte) 'O', Metadata.decode(m.raw()))
              .onSuccess(v -> node.announce(FileEvent.METADATA, id.remoteName(), -1)),
          StorageCounters.TOTAL_SET_META);
    } else if (req instanceof QueryFileInfo q) {
      queryFileInfo(q, ex);
    } else if (req instanceof Truncate t) {
      FileId id = files.validate(files.group(), t.name());
      answerEmpty(
          ex,
          attempt(() -> files.appenders().truncate(ctx, id, t.newSize()))
              .onSuccess(v -> node.announce(FileEvent.UPDATED, id.remoteName(), t.newSize())),
          StorageCounters.TOTAL_TRUNCATE);
    } else if (req instanceof RegenerateAppenderName g) {
      FileId id = files.validate(files.group(), g.name());
      attempt(() -> files.appenders().regenerate(ctx, id))
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  ex.reply(new StorageReply.StoredFile(files.group(), ar.result()));
                } else {
                  ex.fail(ar.cause());
                }
              });
    } else if (req instanceof BinlogFetch f) {
      binlogFetch(f, ex);
    } else if (req instanceof StorageRequest.SnapshotFetch f) {
      BinlogTrim trim = node.binlogTrim;
      if (trim == null) {
        throw new FdfsException(Errno.EOPNOTSUPP, "no binlog");
      }
      trim.snapshotPage(f)
          .onComplete(
              ar -> {
                if (ar.succeeded()) {
                  ex.reply(ar.result());
                } else {
                  ex.fail(ar.cause());
                }
              });
    } else if (req instanceof StorageRequest.ActiveTest) {
      ex.reply(new StorageReply.Empty());
    } else {
      ex.close(); // quit
    }
  }

  // ---- uploads ---------------------------------------------------------------------------------

  private void upload(Upload u, StorageExchange ex) {
    String ext = extension(u.ext());
    long size = u.size();
    io.dfstree.storage.Upload up =
        new io.dfstree.storage.Upload(node, ctx, size, ext, u.appender(), u.storePathIndex());
    long started = System.nanoTime();
    up.open()
        .compose(v -> ex.receive(size, up))
        .compose(v -> up.complete())
        .onComplete(
            ar -> {
              node.events.upload("fdfs", ar.succeeded(), size, System.nanoTime() - started);
              if (ar.succeeded()) {
                node.announce(FileEvent.CREATED, ar.result().remoteName(), size);
                ex.reply(new StorageReply.StoredFile(files.group(), ar.result().remoteName()));
              } else {
                if (!up.finished()) { // else complete() counted it
                  node.countBytes(StorageCounters.TOTAL_UPLOAD_BYTES, size, false);
                }
                up.abort();
                ex.fail(ar.cause());
              }
            });
  }

  private void uploadSlave(UploadSlave s, StorageExchange ex) {
    String ext = extension(s.ext());
    long size = s.size();
    FileId master = files.validate(files.group(), s.master());
    if (s.prefix().isEmpty()) {
      throw FdfsException.invalid("slave prefix must not be empty");
    }
    FileId.checkToken("prefix", s.prefix(), Wire.PREFIX_LEN);
    FileId slave =
        files.validate(files.group(), FileName.newSlaveName(master.remoteName(), s.prefix(), ext));
    StorePath path = files.paths().get(master.storePathIndex());
    if (!files.paths().hasRoomFor(path, size)) {
      throw new FdfsException(
          Errno.ENOSPC, "store path M" + StorePaths.HEX[path.index] + " is at its reserve");
    }
    FileWriteStream upload = files.newUpload(path);
    Replication.Fanout[] fanout = {null};
    files
        .lookups()
        .stat(master)
        .compose(st -> node.replication.openFanout(size, path.index).map(f -> fanout[0] = f))
        .compose(v -> ex.receive(size, fanout[0] == null ? upload : new Tee(upload, fanout[0])))
        .compose(v -> files.placeSlave(upload, slave))
        .compose(remote -> node.replication.await(ctx, fanout[0], remote))
        .onComplete(
            ar -> {
              node.count(StorageCounters.TOTAL_UPLOAD, ar.succeeded());
              node.countBytes(StorageCounters.TOTAL_UPLOAD_BYTES, size, ar.succeeded());
              if (ar.succeeded()) {
                node.lastSourceUpdate = System.currentTimeMillis() / 1000;
                node.announce(FileEvent.CREATED, ar.result(), size);
                ex.reply(new StorageReply.StoredFile(files.group(), ar.result()));
              } else {
                if (fanout[0] != null) {
                  fanout[0].abort();
                }
                upload
                    .abort()
                    .onComplete(
                        x ->
                            node.disk.executeBlocking(
                                () -> {
                                  FileWriteStream.deleteQuietly(upload.path());
                                  return null;
                                },
                                false));
                ex.fail(ar.cause());
              }
            });
  }

  private void writeAppender(WriteAppender w, StorageExchange ex) {
    FileId id = files.validate(files.group(), w.name());
    boolean modify = w.modify();
    int total = modify ? StorageCounters.TOTAL_MODIFY : StorageCounters.TOTAL_APPEND;
    int totalBytes =
        modify ? StorageCounters.TOTAL_MODIFY_BYTES : StorageCounters.TOTAL_APPEND_BYTES;
    attempt(
            () ->
                files
                    .appenders()
                    .update(
                        ctx,
                        id,
                        modify ? w.offset() : -1,
                        (out, originalSize) ->
                            ex.receive(w.size(), out)
                                .compose(v -> out.finish(x -> null))
                                .mapEmpty()))
        .onComplete(
            ar -> {
              node.count(total, ar.succeeded());
              node.countBytes(totalBytes, w.size(), ar.succeeded());
              if (ar.succeeded()) {
                node.lastSourceUpdate = System.currentTimeMillis() / 1000;
                node.announce(FileEvent.UPDATED, id.remoteName(), -1);
                ex.reply(new StorageReply.Empty());
              } else {
                ex.fail(ar.cause());
              }
            });
  }

  // ---- reads -----------------------------------------------------------------------------------

  private void queryFileInfo(QueryFileInfo q, StorageExchange ex) {
    FileId id = files.validate(q.group(), q.name());
    boolean skipCrc = q.skipCrc();
    FileName.Decoded d = id.decoded();
    files
        .lookups()
        .stat(id)
        .compose(
            st -> {
              if (d.nameDescribesContent() || skipCrc) {
                return Future.succeededFuture(
                    new long[] {
                      st.size(),
                      st.mtimeSeconds(),
                      skipCrc && !d.nameDescribesContent() ? 0 : d.crc32Unsigned()
                    });
              }
              return files
                  .lookups()
                  .crc32(st.path())
                  .map(crc -> new long[] {st.size(), st.mtimeSeconds(), crc});
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ex.fail(ar.cause());
                return;
              }
              long[] v = ar.result();
              String source =
                  d.sourceId() > 0 ? node.peerHosts.getOrDefault(d.sourceId(), "") : d.sourceIp();
              ex.reply(new StorageReply.FileInfo(v[0], v[1], v[2], source));
            });
  }

  /** A peer reads our binlog: requester id, offset, max bytes → our clock, binlog size, lines. */
  private void binlogFetch(BinlogFetch f, StorageExchange ex) {
    int max = Math.min(Math.max(f.maxBytes(), 0), 1 << 20);
    Binlog log = files.binlog();
    if (log == null) {
      throw new FdfsException(Errno.EOPNOTSUPP, "no binlog");
    }
    if (node.binlogTrim != null) {
      node.binlogTrim.binlogRead(f); // its position; ERANGE behind the oldest line held
    }
    long now = System.currentTimeMillis() / 1000;
    long size = log.size();
    node.disk
        .executeBlocking(() -> log.read(f.offset(), max), false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ex.fail(ar.cause());
              } else {
                ex.reply(new StorageReply.BinlogChunk(now, size, ar.result()));
              }
            });
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------

  private void answerEmpty(StorageExchange ex, Future<Void> op, int totalCounter) {
    op.onComplete(
        ar -> {
          node.count(totalCounter, ar.succeeded());
          if (ar.succeeded()) {
            ex.reply(new StorageReply.Empty());
          } else {
            ex.fail(ar.cause());
          }
        });
  }

  private static String extension(String ext) {
    FileId.checkToken("extension", ext, Wire.EXT_LEN);
    if (ext.endsWith("-m")) {
      // the stored name would end in the metadata suffix: FileId refuses such names, so the file
      // could never be downloaded or deleted (and it would read as another file's -m file)
      throw FdfsException.invalid("extension may not end in -m: " + ext);
    }
    return ext;
  }

  private static <T> Future<T> attempt(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
