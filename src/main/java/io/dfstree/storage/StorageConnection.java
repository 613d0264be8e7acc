package io.dfstree.storage;

import io.dfstree.api.FileEvent;
import io.dfstree.api.StorageCounters;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.FrameDecoder;
import io.dfstree.protocol.Metadata;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.Wire;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to a storage: the FastDFS storage protocol (fastdfs-protocol.md §3) over
 * a {@link FrameDecoder}. Requests are served one at a time. File content is streamed into
 * {@link FileWriteStream}s with back-pressure (the socket pauses while the disk catches up);
 * downloads use zero-copy {@code sendFile}. A rejected request's body is skipped (or, beyond
 * {@link #DRAIN_LIMIT}, the connection is closed) so the next header is never misread.
 */
final class StorageConnection implements FrameDecoder.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(StorageConnection.class);
  /** Rejected bodies up to this size are read and dropped so the client can read our errno. */
  static final long DRAIN_LIMIT = 256L * 1024 * 1024;
  private static final int MAX_UNREAD = 256 * 1024;
  /** Bodies up to this size are read and dropped before a rejecting close (see rejectAndClose). */
  private static final long CLOSE_DRAIN_LIMIT = 4L * 1024 * 1024;
  private static final long CLOSE_GRACE_MS = 500;

  private enum Step { NONE, UPLOAD_PREFIX, SLAVE_PREFIX, SLAVE_MASTER, APPEND_PREFIX, MODIFY_PREFIX, APPENDER_NAME, SMALL,
    REPLICA_PREFIX, REPLICA_TRAILER }

  private final Vertx vertx;
  private final Context ctx;
  private final NetSocket socket;
  private final StorageNode node;
  private final StoredFiles files;
  private final FrameDecoder decoder = new FrameDecoder(this);
  private final String remote;
  private final Runnable quickAck;
  private final StorageClientGuard guard;

  private PacketHeader header;
  private Step step = Step.NONE;
  private long contentLength;        // streamed bytes of the current request
  private long offsetArg;            // modify offset
  private String prefixArg;          // slave prefix
  private String extArg;             // slave extension
  private FileWriteStream stream;    // where the current body goes
  private Promise<Void> bodyReceived;
  private boolean bodyStarted;
  private boolean socketPaused;
  private boolean closed;
  private boolean closeAfterDiscard;
  private ReplicaFanout fanout;          // peers this upload is streamed to (write quorum)
  private java.util.zip.CRC32 crcOnLoop; // CRC32 of an upload streamed to peers, as it arrives
  private FileWriteStream replicaIn;     // a copy arriving from a peer's upload
  private Future<FileWriteStream.Written> replicaData;

  StorageConnection(Vertx vertx, NetSocket socket, StorageNode node) {
    this.vertx = vertx;
    this.ctx = vertx.getOrCreateContext();
    this.socket = socket;
    this.node = node;
    this.files = node.files;
    this.remote = String.valueOf(socket.remoteAddress());
    this.quickAck = QuickAck.forSocket(socket);
    this.guard = new StorageClientGuard(vertx, node, remote, this::phase, socket::close);
  }

  void start() {
    node.connectionOpened();
    socket.handler(this::onData);
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> LOG.debug("storage: connection {} error: {}", remote, e.toString()));
  }

  private void onData(Buffer data) {
    guard.received(data.length());
    decoder.feed(data);
    if (decoder.state() == FrameDecoder.State.FIXED || decoder.state() == FrameDecoder.State.BODY) {
      quickAck.run();
    }
    if (!closed && (decoder.paused() || decoder.buffered() > MAX_UNREAD)) {
      pauseSocket();
    }
    if (stream != null) {
      FileWriteStream s = stream;
      guard.flushIfStalled(s::flushQueued);
    }
  }

  /** What this connection is doing, for the client pace checks (StorageClientGuard). */
  private io.dfstree.protocol.ClientPace.Phase phase() {
    return StorageClientGuard.phase(decoder.state(), decoder.buffered(), socketPaused);
  }

  private void onClosed() {
    closed = true;
    guard.stop();
    node.connectionClosed();
    decoder.close();
    if (bodyReceived != null && !bodyReceived.future().isComplete()) {
      bodyReceived.tryFail(new FdfsException(Errno.EIO, "client closed the connection mid-body"));
    }
    if (fanout != null) {
      fanout.abort();
    }
    if (replicaIn != null) {
      discardUpload(replicaIn); // the source went away before naming the file
      replicaIn = null;
    }
  }

  // ---- decoder callbacks -------------------------------------------------------------------

  @Override
  public void onHeader(PacketHeader h) {
    header = h;
    long len = h.bodyLength();
    if (len < 0) {
      rejectAndClose(Errno.EINVAL, "negative body length");
      return;
    }
    if (!guard.mayUse(h.command())) {
      rejectAndClose(Errno.EACCES, "command " + h.commandCode() + " is for group members only");
      return;
    }
    switch (h.command()) {
      case Command.UPLOAD_FILE, Command.UPLOAD_APPENDER_FILE -> fixedOrReject(Step.UPLOAD_PREFIX, 15);
      case Command.UPLOAD_SLAVE_FILE -> fixedOrReject(Step.SLAVE_PREFIX, 38);
      case Command.APPEND_FILE -> fixedOrReject(Step.APPEND_PREFIX, 16);
      case Command.MODIFY_FILE -> fixedOrReject(Step.MODIFY_PREFIX, 24);
      case Command.REPLICA_UPLOAD -> fixedOrReject(Step.REPLICA_PREFIX, 9);
      case Command.QUIT -> socket.close();
      case Command.ACTIVE_TEST -> {
        if (len == 0) {
          reply(Buffer.buffer());
        } else {
          reject(new FdfsException(Errno.EINVAL, "active test with a body"), len);
        }
      }
      case Command.DELETE_FILE, Command.SET_METADATA, Command.DOWNLOAD_FILE, Command.GET_METADATA,
          Command.QUERY_FILE_INFO, Command.TRUNCATE_FILE, Command.REGENERATE_APPENDER_FILENAME,
          Command.BINLOG_FETCH, Command.PEER_DOWNLOAD, Command.PEER_AUTH_CHALLENGE, Command.PEER_AUTH_PROVE -> {
        if (len > node.options.maxRequestBytes()) {
          rejectAndClose(Errno.EINVAL, "declared length " + len + " over the limit " + node.options.maxRequestBytes()
              + " for command " + h.commandCode());
        } else {
          step = Step.SMALL;
          decoder.expectFixed((int) len);
        }
      }
      default -> reject(new FdfsException(Errno.EINVAL, "unknown command " + h.commandCode()), len);
    }
  }

  private void fixedOrReject(Step next, int prefixLength) {
    if (header.bodyLength() < prefixLength) {
      reject(FdfsException.invalid("body of " + header.bodyLength() + " bytes is shorter than the "
          + prefixLength + "-byte prefix of command " + header.commandCode()), header.bodyLength());
      return;
    }
    step = next;
    decoder.expectFixed(prefixLength);
  }

  @Override
  public void onFixed(Buffer part) {
    long rest = header.bodyLength() - part.length(); // body bytes after this part
    try {
      switch (step) {
        case UPLOAD_PREFIX -> onUploadPrefix(part, rest);
        case SLAVE_PREFIX -> onSlavePrefix(part, rest);
        case SLAVE_MASTER -> onSlaveMaster(part);
        case APPEND_PREFIX, MODIFY_PREFIX -> onAppenderPrefix(part, rest);
        case APPENDER_NAME -> onAppenderName(part);
        case SMALL -> onSmallRequest(part);
        case REPLICA_PREFIX -> onReplicaPrefix(part, rest);
        case REPLICA_TRAILER -> onReplicaTrailer(part);
        default -> reject(FdfsException.invalid("unexpected request part"), rest);
      }
    } catch (FdfsException e) {
      reject(e, remainingAfterPart(part));
    }
  }

  /** Body bytes still unread once {@code part} (the latest fixed part) has been consumed. */
  private long remainingAfterPart(Buffer part) {
    return switch (step) {
      case SLAVE_MASTER, APPENDER_NAME -> contentLength;
      case SMALL, REPLICA_TRAILER -> 0;
      default -> header.bodyLength() - part.length();
    };
  }

  @Override
  public void onBodyChunk(Buffer chunk) {
    if (stream == null) {
      return;
    }
    stream.write(chunk);
    if (fanout != null) {
      fanout.write(chunk);
      if (crcOnLoop != null) {
        crcOnLoop.update(((io.vertx.core.internal.buffer.BufferInternal) chunk).getByteBuf().nioBuffer());
      }
    }
    if (stream.writeQueueFull()) {
      decoder.pause();
      pauseSocket();
      stream.drainHandler(v -> resumeInput());
    } else if (fanout != null && fanout.writeQueueFull()) {
      decoder.pause();
      pauseSocket();
      fanout.drainHandler(v -> resumeInput());
    }
  }

  @Override
  public void onBodyEnd() {
    if (bodyReceived != null) {
      bodyReceived.tryComplete();
    }
  }

  @Override
  public void onDiscarded() {
    if (closeAfterDiscard) {
      decoder.close();
      socket.close();
      return;
    }
    nextRequest();
  }

  // ---- uploads -----------------------------------------------------------------------------

  private void onUploadPrefix(Buffer p, long rest) {
    boolean appender = header.command() == Command.UPLOAD_APPENDER_FILE;
    int raw = p.getByte(0) & 0xFF;
    int pathIndex = raw == 0xFF ? -1 : raw; // 0xFF lets the storage choose
    long size = p.getLong(1);
    if (size < 0 || size != rest) {
      throw FdfsException.invalid("file size " + size + " does not match body length " + header.bodyLength());
    }
    String ext = extension(p, 9);
    StorePath path = files.paths().choose(pathIndex, size);
    // the body still to come: a refusal before it is read (EBUSY from a degraded write quorum)
    // must skip it, or its bytes would be read as the next requests (failAfterBody)
    contentLength = size;
    FileWriteStream upload = files.newUpload(path);
    int total = StorageCounters.TOTAL_UPLOAD;
    long started = System.nanoTime();
    openFanout(size, path.index)
        .compose(v -> {
          if (fanout != null) {
            upload.withoutCrc(); // computed on the way in (crcOnLoop): the name is chosen at the last byte
          }
          return receive(size, upload);
        })
        .compose(v -> placeNew(upload, path, appender, ext, size))
        .onComplete(ar -> {
          node.count(total, ar.succeeded());
          node.countBytes(StorageCounters.TOTAL_UPLOAD_BYTES, size, ar.succeeded());
          node.events.upload("fdfs", ar.succeeded(), size, System.nanoTime() - started);
          if (ar.succeeded()) {
            node.lastSourceUpdate = System.currentTimeMillis() / 1000;
            publish(FileEvent.CREATED, ar.result(), size);
            reply(Wire.appendFixed(Buffer.buffer(16 + 44), files.group(), Wire.GROUP_NAME_LEN).appendString(ar.result()));
          } else {
            discardUpload(upload);
            failAfterBody(ar.cause());
          }
        });
  }

  private void onSlavePrefix(Buffer p, long rest) {
    long masterLen = p.getLong(0);
    long size = p.getLong(8);
    if (masterLen < FileName.NORMAL_NAME_LEN || masterLen > FileId.MAX_REMOTE_NAME) {
      throw FdfsException.invalid("master file name length " + masterLen + " out of range");
    }
    if (size < 0 || masterLen + size != rest) {
      throw FdfsException.invalid("slave sizes do not add up to the body length");
    }
    if (!Wire.isCleanFixed(p, 16, Wire.PREFIX_LEN)) {
      throw FdfsException.invalid("malformed prefix field");
    }
    prefixArg = Wire.readFixed(p, 16, Wire.PREFIX_LEN);
    extArg = extension(p, 32);
    contentLength = size;
    step = Step.SLAVE_MASTER;
    decoder.expectFixed((int) masterLen);
  }

  private void onSlaveMaster(Buffer name) {
    long size = contentLength;
    FileId master = files.validate(files.group(), Wire.ascii(name, 0, name.length()));
    if (prefixArg.isEmpty()) {
      throw FdfsException.invalid("slave prefix must not be empty");
    }
    FileId.checkToken("prefix", prefixArg, Wire.PREFIX_LEN);
    String slaveName = FileName.slaveName(master.remoteName(), prefixArg, extArg);
    FileId slave = files.validate(files.group(), slaveName);
    StorePath path = files.paths().get(master.storePathIndex());
    if (!files.paths().hasRoomFor(path, size)) {
      throw new FdfsException(Errno.ENOSPC, "store path M" + StorePaths.HEX[path.index] + " is at its reserve");
    }
    FileWriteStream upload = files.newUpload(path);
    files.stat(master)
        .compose(st -> openFanout(size, path.index))
        .compose(v -> receive(size, upload))
        .compose(v -> files.placeSlave(upload, slave))
        .compose(this::awaitQuorum)
        .onComplete(ar -> {
          node.count(StorageCounters.TOTAL_UPLOAD, ar.succeeded());
          node.countBytes(StorageCounters.TOTAL_UPLOAD_BYTES, size, ar.succeeded());
          if (ar.succeeded()) {
            node.lastSourceUpdate = System.currentTimeMillis() / 1000;
            publish(FileEvent.CREATED, ar.result(), size);
            reply(Wire.appendFixed(Buffer.buffer(), files.group(), Wire.GROUP_NAME_LEN).appendString(ar.result()));
          } else {
            discardUpload(upload);
            failAfterBody(ar.cause());
          }
        });
  }

  /** Connects this upload to the peers of the write quorum (none when W = 1; empty when accepting degraded). */
  private Future<Void> openFanout(long size, int storePathIndex) {
    if (node.replicator == null) {
      return Future.succeededFuture();
    }
    return node.replicator.openFanout(size, storePathIndex).map(f -> {
      fanout = f;
      // with peers the name is chosen at the last byte, so its CRC32 is computed as bytes pass
      crcOnLoop = f == null ? null : new java.util.zip.CRC32();
      return null;
    });
  }

  /** A new upload placed here, and at the same time on the peers it was streamed to. */
  private Future<String> placeNew(FileWriteStream upload, StorePath path, boolean appender, String ext, long size) {
    ReplicaFanout f = fanout;
    fanout = null;
    if (f == null) {
      return files.placeNew(upload, path, appender, ext);
    }
    int crc = (int) crcOnLoop.getValue();
    crcOnLoop = null;
    return WriteQuorum.placeWithPeers(node, ctx, f, upload, path, appender, ext, size, crc);
  }

  /** Names the file to the peers and waits for their copies ({@link WriteQuorum}). */
  private Future<String> awaitQuorum(String remoteName) {
    ReplicaFanout f = fanout;
    fanout = null;
    return WriteQuorum.await(node, ctx, f, remoteName);
  }

  // ---- copies arriving from a peer (REPLICA_UPLOAD) ------------------------------------------

  private void onReplicaPrefix(Buffer p, long rest) {
    long size = p.getLong(0);
    int pathIndex = p.getByte(8) & 0xFF;
    if (size < 0 || size + ReplicaFanout.TRAILER != rest) {
      throw FdfsException.invalid("replica sizes do not add up to the body length");
    }
    FileWriteStream in = files.newUpload(files.paths().get(pathIndex)).withoutCrc(); // the source names it
    replicaIn = in;
    receive(size, in).onComplete(ar -> {
      if (ar.failed()) {
        return; // connection closed: onClosed discards the temp file
      }
      // force the data now, while the source finishes its own copy; the trailer only names it
      replicaData = in.finish(w -> w);
      stream = null;
      step = Step.REPLICA_TRAILER;
      decoder.expectFixed(ReplicaFanout.TRAILER);
    });
  }

  private void onReplicaTrailer(Buffer t) {
    long mtime = t.getLong(0);
    FileId id = files.validate(files.group(), Wire.readFixed(t, 8, 128));
    FileWriteStream in = replicaIn;
    replicaIn = null;
    files.placing(id.remoteName(), true);
    replicaData.compose(w -> {
      if (closed) {
        // the source hung up before we could answer: it gave up on us (replicaTimeoutMs, say,
        // while this process was stalled with the whole copy already in its socket buffer) and
        // counted this copy as missing; with whenDegraded = refuse it removed its own. Placing
        // it would leave a file nobody acknowledged, which catch-up could even copy back to the
        // source. If the source kept the file, its binlog brings it here again.
        LOG.warn("storage: replica {} dropped: its source {} closed the connection before it was placed", id.remoteName(), remote);
        return Future.failedFuture(new FdfsException(Errno.EIO, "source closed the connection"));
      }
      return files.placeReplica(ctx, in, id, mtime, false);
    }).onComplete(ar -> {
      files.placing(id.remoteName(), false);
      node.countBytes(StorageCounters.TOTAL_SYNC_IN_BYTES, replicaData.succeeded() ? replicaData.result().bytes() : 0, ar.succeeded());
      if (ar.succeeded()) {
        node.lastSyncUpdate = System.currentTimeMillis() / 1000;
        reply(Buffer.buffer());
      } else {
        discardUpload(in);
        fail(ar.cause(), 0);
      }
    });
  }

  // ---- appender updates ----------------------------------------------------------------------

  private void onAppenderPrefix(Buffer p, long rest) {
    boolean modify = step == Step.MODIFY_PREFIX;
    long nameLen = p.getLong(0);
    offsetArg = modify ? p.getLong(8) : -1;
    long bytes = p.getLong(modify ? 16 : 8);
    if (nameLen < FileName.NORMAL_NAME_LEN || nameLen > FileId.MAX_REMOTE_NAME) {
      throw FdfsException.invalid("appender file name length " + nameLen + " out of range 44..127");
    }
    if (bytes < 0 || (modify && offsetArg < 0) || nameLen + bytes != rest) {
      throw FdfsException.invalid("appender sizes do not add up to the body length");
    }
    contentLength = bytes;
    step = Step.APPENDER_NAME;
    decoder.expectFixed((int) nameLen);
  }

  private void onAppenderName(Buffer name) {
    boolean modify = header.command() == Command.MODIFY_FILE;
    long bytes = contentLength;
    FileId id = files.validate(files.group(), Wire.ascii(name, 0, name.length()));
    int total = modify ? StorageCounters.TOTAL_MODIFY : StorageCounters.TOTAL_APPEND;
    int totalBytes = modify ? StorageCounters.TOTAL_MODIFY_BYTES : StorageCounters.TOTAL_APPEND_BYTES;
    attempt(() -> files.updateAppender(ctx, id, offsetArg, (out, originalSize) ->
        receive(bytes, out).compose(v -> out.finish(w -> null)).mapEmpty()))
        .onComplete(ar -> {
          node.count(total, ar.succeeded());
          node.countBytes(totalBytes, bytes, ar.succeeded());
          if (ar.succeeded()) {
            node.lastSourceUpdate = System.currentTimeMillis() / 1000;
            publish(FileEvent.UPDATED, id.remoteName(), -1);
            reply(Buffer.buffer());
          } else {
            failAfterBody(ar.cause());
          }
        });
  }

  /**
   * Streams the next {@code length} body bytes into {@code out}; completes when the last byte
   * has been handed to it (the caller then finishes the file).
   */
  private Future<Void> receive(long length, FileWriteStream out) {
    if (closed) {
      // the client left while we waited on a lock or a stat: no body will ever arrive, and a
      // promise nobody completes would hold the file lock (appender updates) forever
      return Future.failedFuture(new FdfsException(Errno.EIO, "client closed the connection before the body"));
    }
    stream = out;
    bodyStarted = true;
    bodyReceived = Promise.promise();
    Future<Void> done = bodyReceived.future();
    resumeSocket(); // it may have been paused while we waited on a lock or a stat
    decoder.streamBody(length);
    return done;
  }

  private void discardUpload(FileWriteStream upload) {
    if (fanout != null) {
      fanout.abort();
      fanout = null;
    }
    upload.abort().onComplete(x -> node.disk.executeBlocking(() -> {
      FileWriteStream.deleteQuietly(upload.path());
      return null;
    }, false));
  }

  // ---- small requests ----------------------------------------------------------------------

  private void onSmallRequest(Buffer b) {
    switch (header.command()) {
      case Command.DOWNLOAD_FILE, Command.PEER_DOWNLOAD -> download(b);
      case Command.BINLOG_FETCH -> binlogFetch(b);
      case Command.PEER_AUTH_CHALLENGE -> reply(guard.challenge());
      case Command.PEER_AUTH_PROVE -> {
        try {
          guard.verify(b);
          reply(Buffer.buffer());
        } catch (FdfsException e) {
          fail(e, 0);
          socket.close(); // one guess per connection
        }
      }
      case Command.DELETE_FILE -> {
        FileId id = fileIdAt(b, 0, 16);
        answerEmpty(files.delete(ctx, id).onSuccess(v -> publish(FileEvent.DELETED, id.remoteName(), -1)),
            StorageCounters.TOTAL_DELETE);
      }
      case Command.GET_METADATA -> {
        FileId id = fileIdAt(b, 0, 16);
        files.getMetadata(id).onComplete(ar -> {
          node.count(StorageCounters.TOTAL_GET_META, ar.succeeded());
          if (ar.succeeded()) {
            reply(Buffer.buffer(ar.result()));
          } else {
            fail(ar.cause(), 0);
          }
        });
      }
      case Command.SET_METADATA -> setMetadata(b);
      case Command.QUERY_FILE_INFO -> queryFileInfo(b);
      case Command.TRUNCATE_FILE -> {
        need(b, 17);
        long nameLen = b.getLong(0);
        long newSize = b.getLong(8);
        if (nameLen != b.length() - 16 || newSize < 0) {
          throw FdfsException.invalid("truncate lengths do not add up");
        }
        FileId id = files.validate(files.group(), Wire.ascii(b, 16, b.length()));
        answerEmpty(attempt(() -> files.truncate(ctx, id, newSize))
            .onSuccess(v -> publish(FileEvent.UPDATED, id.remoteName(), newSize)), StorageCounters.TOTAL_TRUNCATE);
      }
      case Command.REGENERATE_APPENDER_FILENAME -> {
        FileId id = files.validate(files.group(), Wire.ascii(b, 0, b.length()));
        attempt(() -> files.regenerate(ctx, id)).onComplete(ar -> {
          if (ar.succeeded()) {
            reply(Wire.appendFixed(Buffer.buffer(), files.group(), Wire.GROUP_NAME_LEN).appendString(ar.result()));
          } else {
            fail(ar.cause(), 0);
          }
        });
      }
      default -> throw FdfsException.invalid("unknown command " + header.commandCode());
    }
  }

  private void download(Buffer b) {
    need(b, 33);
    long offset = b.getLong(0);
    long bytes = b.getLong(8);
    FileId id = fileIdAt(b, 16, 32);
    if (offset < 0 || bytes < 0) {
      throw FdfsException.invalid("negative download offset or length");
    }
    long started = System.nanoTime();
    Future<StoredFiles.Stat> located = files.stat(id);
    if (header.command() == Command.DOWNLOAD_FILE && node.replicator != null) {
      // read-your-write: a file acknowledged elsewhere in the group may not have reached us yet
      located = located.recover(err -> err instanceof FdfsException f && f.errno() == Errno.ENOENT
          ? node.replicator.fetchMissing(id).compose(v -> files.stat(id))
          : Future.failedFuture(err));
    }
    // never serve (or spread to a peer) a small copy that does not match its name: repair it first
    located = located.compose(st -> node.integrity.verifyForDownload(ctx, id, st));
    located.onComplete(ar -> {
      if (ar.failed()) {
        node.count(StorageCounters.TOTAL_DOWNLOAD, false);
        fail(ar.cause(), 0);
        return;
      }
      StoredFiles.Stat st = ar.result();
      // 6.15.4+: offset >= size is EINVAL; only a 0-byte file may be read at offset 0 (§3.4)
      if (offset > st.size() || (offset == st.size() && st.size() > 0)) {
        node.count(StorageCounters.TOTAL_DOWNLOAD, false);
        fail(FdfsException.invalid("download offset " + offset + " is past the end (" + st.size() + " bytes)"), 0);
        return;
      }
      long n = bytes == 0 ? st.size() - offset : Math.min(bytes, st.size() - offset);
      socket.write(Buffer.buffer(PacketHeader.SIZE).appendLong(n).appendByte(Command.RESP).appendByte((byte) 0));
      if (n == 0) {
        node.count(StorageCounters.TOTAL_DOWNLOAD, true);
        nextRequest();
        return;
      }
      socket.sendFile(st.path().toString(), offset, n).onComplete(sent -> {
        node.count(StorageCounters.TOTAL_DOWNLOAD, sent.succeeded());
        node.countBytes(StorageCounters.TOTAL_DOWNLOAD_BYTES, n, sent.succeeded());
        if (header.command() == Command.PEER_DOWNLOAD) { // a peer's catch-up or fetch-on-miss: FastDFS sync-out
          node.countBytes(StorageCounters.TOTAL_SYNC_OUT_BYTES, n, sent.succeeded());
        }
        node.events.download("fdfs", sent.succeeded(), n, System.nanoTime() - started);
        if (sent.succeeded()) {
          nextRequest();
        } else {
          // the header is out: the only honest signal left is to close
          LOG.warn("storage: download of {} to {} failed after the header: {}", id, remote, sent.cause().toString());
          socket.close();
        }
      });
    });
  }

  /** A peer reads our binlog: requester id, offset, max bytes → our clock, binlog size, lines. */
  private void binlogFetch(Buffer b) {
    if (b.length() != 16) {
      throw FdfsException.invalid("binlog fetch body must be 16 bytes");
    }
    long offset = b.getLong(4);
    int max = Math.min(Math.max(b.getInt(12), 0), 1 << 20);
    Binlog log = files.binlog();
    if (log == null) {
      throw new FdfsException(Errno.EOPNOTSUPP, "no binlog");
    }
    long now = System.currentTimeMillis() / 1000;
    long size = log.size();
    node.disk.executeBlocking(() -> log.read(offset, max), false).onComplete(ar -> {
      if (ar.failed()) {
        fail(ar.cause(), 0);
      } else {
        reply(Buffer.buffer(16 + ar.result().length).appendLong(now).appendLong(size).appendBytes(ar.result()));
      }
    });
  }

  private void setMetadata(Buffer b) {
    need(b, 33);
    long nameLen = b.getLong(0);
    long metaLen = b.getLong(8);
    byte op = b.getByte(16);
    if (nameLen < 1 || nameLen > FileId.MAX_REMOTE_NAME || metaLen < 0 || metaLen != b.length() - 33 - nameLen) {
      throw FdfsException.invalid("metadata lengths do not add up");
    }
    if (op != 'O' && op != 'M') {
      throw FdfsException.invalid("metadata operation must be 'O' or 'M'");
    }
    String group = groupAt(b, 17);
    int nameEnd = 33 + (int) nameLen;
    FileId id = validateOwn(group, Wire.ascii(b, 33, nameEnd));
    byte[] raw = b.getBytes(nameEnd, b.length());
    answerEmpty(files.setMetadata(ctx, id, op, Metadata.decode(raw))
        .onSuccess(v -> publish(FileEvent.METADATA, id.remoteName(), -1)), StorageCounters.TOTAL_SET_META);
  }

  private void queryFileInfo(Buffer b) {
    FileId id = fileIdAt(b, 0, 16);
    boolean skipCrc = (header.status() & 1) != 0;
    FileName.Decoded d = id.decoded();
    files.stat(id).compose(st -> {
      if (d.nameDescribesContent() || skipCrc) {
        return Future.succeededFuture(new long[] {st.size(), st.mtimeSeconds(), skipCrc && !d.nameDescribesContent() ? 0 : d.crc32Unsigned()});
      }
      return files.crc32(st.path()).map(crc -> new long[] {st.size(), st.mtimeSeconds(), crc});
    }).onComplete(ar -> {
      if (ar.failed()) {
        fail(ar.cause(), 0);
        return;
      }
      long[] v = ar.result();
      String source = d.sourceId() > 0 ? node.peerHosts.getOrDefault(d.sourceId(), "") : d.sourceIp();
      Buffer body = Buffer.buffer(40).appendLong(v[0]).appendLong(v[1]).appendLong(v[2]);
      reply(Wire.appendFixed(body, source, Wire.IP_LEN));
    });
  }

  private void answerEmpty(Future<Void> op, int totalCounter) {
    op.onComplete(ar -> {
      node.count(totalCounter, ar.succeeded());
      if (ar.succeeded()) {
        reply(Buffer.buffer());
      } else {
        fail(ar.cause(), 0);
      }
    });
  }

  /**
   * Tells event-bus subscribers about a client's write that this storage took. Only here, never
   * where replicated copies are applied, so each change is published once per group.
   */
  private void publish(String type, String remoteName, long size) {
    node.announce(type, remoteName, size);
  }

  // ---- parsing helpers ------------------------------------------------------------------------

  private FileId fileIdAt(Buffer b, int groupAt, int nameAt) {
    need(b, nameAt + 1);
    return validateOwn(groupAt(b, groupAt), Wire.ascii(b, nameAt, b.length()));
  }

  private String groupAt(Buffer b, int at) {
    if (!Wire.isCleanFixed(b, at, Wire.GROUP_NAME_LEN)) {
      throw FdfsException.invalid("malformed group name field");
    }
    return Wire.readFixed(b, at, Wire.GROUP_NAME_LEN);
  }

  private FileId validateOwn(String group, String remoteName) {
    return files.validate(group, remoteName);
  }

  private static String extension(Buffer p, int at) {
    if (!Wire.isCleanFixed(p, at, Wire.EXT_LEN)) {
      throw FdfsException.invalid("malformed extension field");
    }
    String ext = Wire.readFixed(p, at, Wire.EXT_LEN);
    FileId.checkToken("extension", ext, Wire.EXT_LEN);
    if (ext.endsWith("-m")) {
      // the stored name would end in the metadata suffix: FileId refuses such names, so the file
      // could never be downloaded or deleted (and it would read as another file's -m file)
      throw FdfsException.invalid("extension may not end in -m: " + ext);
    }
    return ext;
  }

  private static void need(Buffer b, int min) {
    if (b.length() < min) {
      throw FdfsException.invalid("body of " + b.length() + " bytes is shorter than " + min);
    }
  }

  private static <T> Future<T> attempt(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  // ---- replies ---------------------------------------------------------------------------------

  private void reply(Buffer body) {
    if (!closed) {
      socket.write(PacketHeader.response(body));
    }
    nextRequest();
  }

  /** An error for a request whose body has been read completely (or was never started). */
  private void failAfterBody(Throwable err) {
    if (bodyStarted || contentLength == 0) {
      fail(err, 0);
    } else {
      fail(err, contentLength);
    }
  }

  private void fail(Throwable err, long unreadBody) {
    int errno = err instanceof FdfsException f ? f.errno() : Errno.EIO;
    node.events.error("fdfs", errno);
    logError(errno, err);
    if (closed) {
      return;
    }
    socket.write(PacketHeader.status(errno));
    if (unreadBody <= 0) {
      nextRequest();
    } else if (unreadBody <= DRAIN_LIMIT) {
      resumeSocket();
      decoder.resume();
      decoder.discard(unreadBody);
    } else {
      socket.end();
    }
  }

  private void reject(FdfsException e, long unreadBody) {
    fail(e, unreadBody);
  }

  /**
   * Answers and closes. Closing with unread bytes in the socket makes the kernel reset the
   * connection, which can destroy the answer before the client reads it; so the rest of a
   * modest body is read and dropped first, for a short grace period at most.
   */
  private void rejectAndClose(int errno, String message) {
    logError(errno, new FdfsException(errno, message));
    socket.write(PacketHeader.status(errno));
    long declared = header == null ? 0 : header.bodyLength();
    if (declared <= 0 || declared > CLOSE_DRAIN_LIMIT) {
      decoder.close();
      socket.close();
      return;
    }
    closeAfterDiscard = true;
    resumeSocket();
    decoder.resume();
    decoder.discard(declared);
    vertx.setTimer(CLOSE_GRACE_MS, t -> socket.close());
  }

  private void logError(int errno, Throwable err) {
    String what = err instanceof FdfsException ? err.getMessage() : err.toString();
    int cmd = header == null ? -1 : header.commandCode();
    if (errno == Errno.ENOENT && (cmd == (Command.QUERY_FILE_INFO & 0xFF) || cmd >= (Command.REPLICA_UPLOAD & 0xFF))) {
      // "is it here yet?" from clients polling and from peers catching up: routine, not news
      LOG.debug("storage: {} for cmd {} from {}: {}", Errno.name(errno), cmd, remote, what);
    } else {
      // one line per kind (errno, command) per interval, with a count: a flood of bad packets
      // must not become a flood of log lines
      String line = "storage: " + Errno.name(errno) + " for cmd " + cmd + " from " + remote + ": " + what;
      node.clientLog.log(errno == Errno.ENOENT ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN, errno + "/" + cmd, line);
    }
  }

  private void nextRequest() {
    step = Step.NONE;
    stream = null;
    fanout = null;
    crcOnLoop = null;
    bodyReceived = null;
    bodyStarted = false;
    contentLength = 0;
    if (closed) {
      return;
    }
    resumeSocket();
    decoder.nextRequest();
  }

  private void resumeInput() {
    resumeSocket();
    decoder.resume();
  }

  private void pauseSocket() {
    if (!socketPaused) {
      socketPaused = true;
      guard.heldBack();
      socket.pause();
    }
  }

  private void resumeSocket() {
    if (socketPaused && !closed) {
      socketPaused = false;
      socket.resume();
    }
  }
}
