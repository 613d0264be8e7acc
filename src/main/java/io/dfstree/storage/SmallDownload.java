package io.dfstree.storage;

import io.dfstree.api.StorageCounters;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageRequest.Download;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FastDFS download of a small one-file blob whose name carries its size and CRC32 (at most {@link
 * #MAX_BYTES} and {@code storage.reliability.verifyDownloadMaxBytes}, {@link Integrity#checkable}):
 * one disk call opens the file, reads it whole into one pooled direct buffer with room for the
 * response header in front, and checks it against its name; the client then gets those same bytes
 * in one write. A damaged copy is repaired from a peer first ({@link Integrity#repair}), a missing
 * one fetched (read-your-write), as for any download. Before this, such a download was stat'ed,
 * read and checked, then read again by {@code sendFile}: three disk hops and two reads instead of
 * one.
 */
final class SmallDownload {
  private static final Logger LOG = LoggerFactory.getLogger(SmallDownload.class);
  private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

  /**
   * Larger checked files keep the read-then-{@code sendFile} path: there the second read is small
   * next to the transfer, and a whole-file buffer per download measured slower for 1 MiB files
   * (fresh pooled memory per request) than the zero-copy send.
   */
  static final long MAX_BYTES = 64 * 1024;

  private SmallDownload() {}

  /** Whether a download of {@code id} from {@code engine} is served here. */
  static boolean applies(StorageNode node, BlobEngine engine, FileId id) {
    if (!(engine instanceof FileBlobEngine) || !Integrity.checkable(id.remoteName())) {
      return false;
    }
    long size = id.decoded().fileSize();
    return size <= MAX_BYTES && size <= node.integrity.verifyDownloadMaxBytes();
  }

  static void run(StorageNode node, Context ctx, Download d, FileId id, StorageExchange ex) {
    long started = System.nanoTime();
    Path p = node.files.pathOf(id);
    FileName.Decoded name = id.decoded();
    Future<Whole> read = node.disk.executeBlocking(() -> read(p, name), false);
    if (!d.peer()) {
      // read-your-write: a file acknowledged elsewhere in the group may not have reached us yet
      read =
          read.recover(
              err ->
                  err instanceof FdfsException f && f.errno() == Errno.ENOENT
                      ? node.replication
                          .fetchMissing(id)
                          .compose(v -> node.disk.executeBlocking(() -> read(p, name), false))
                      : Future.failedFuture(err));
    }
    // never serve (or spread to a peer) a copy that does not match its name: repair it first
    read =
        read.compose(
            w ->
                w != Whole.DAMAGED
                    ? Future.succeededFuture(w)
                    : node.integrity
                        .repair(ctx, id)
                        .compose(v -> node.disk.executeBlocking(() -> read(p, name), false))
                        .compose(
                            again ->
                                again != Whole.DAMAGED
                                    ? Future.succeededFuture(again)
                                    : Future.failedFuture(
                                        new FdfsException(
                                            Errno.EIO, "damaged copy of " + id.remoteName()))));
    serve(node, d, id, ex, started, read);
  }

  /**
   * A FastDFS download of a packed slot up to {@link PackedReads#SEND_FROM_MEMORY_MAX}: read whole
   * into direct memory and checked ({@link PackedReads#openWhole}: a damaged slot is repaired from
   * a peer first, never served), sent from there in one write. A client's miss is fetched from the
   * group first (read-your-write), a peer's is not.
   */
  static void runPacked(
      StorageNode node, PackedReads reads, Download d, FileId id, StorageExchange ex) {
    long started = System.nanoTime();
    Future<Whole> read = reads.openWhole(id);
    if (!d.peer()) {
      read =
          read.recover(
              err ->
                  err instanceof FdfsException f && f.errno() == Errno.ENOENT
                      ? node.replication.fetchMissing(id).compose(v -> reads.openWhole(id))
                      : Future.failedFuture(err));
    }
    serve(node, d, id, ex, started, read);
  }

  /** Answers {@code d} from the checked bytes {@code read} brings (or its failure). */
  private static void serve(
      StorageNode node,
      Download d,
      FileId id,
      StorageExchange ex,
      long started,
      Future<Whole> read) {
    read.onComplete(
        ar -> {
          if (ar.failed()) {
            node.count(StorageCounters.TOTAL_DOWNLOAD, false);
            ex.fail(ar.cause());
            return;
          }
          Whole w = ar.result();
          long offset = d.offset();
          // 6.15.4+: offset >= size is EINVAL; only a 0-byte file may be read at offset 0 (§3.4)
          if (offset > w.length || (offset == w.length && w.length > 0)) {
            w.release();
            node.count(StorageCounters.TOTAL_DOWNLOAD, false);
            ex.fail(
                FdfsException.invalid(
                    "download offset " + offset + " is past the end (" + w.length + " bytes)"));
            return;
          }
          long n = d.length() == 0 ? w.length - offset : Math.min(d.length(), w.length - offset);
          ByteBuf out = w.response(offset, n);
          // not released by the write (Vert.x hands Netty an unreleasable view): ours to release
          // after it
          ex.write(BufferInternal.buffer(out))
              .onComplete(
                  sent -> {
                    out.release();
                    node.count(StorageCounters.TOTAL_DOWNLOAD, sent.succeeded());
                    if (n > 0) {
                      node.countBytes(StorageCounters.TOTAL_DOWNLOAD_BYTES, n, sent.succeeded());
                      if (d.peer()) { // a peer's catch-up or fetch-on-miss: FastDFS sync-out
                        node.countBytes(StorageCounters.TOTAL_SYNC_OUT_BYTES, n, sent.succeeded());
                      }
                      node.events.download(
                          "fdfs", sent.succeeded(), n, System.nanoTime() - started);
                    }
                    if (sent.succeeded()) {
                      ex.sent();
                    } else {
                      LOG.debug(
                          "storage: download of {} to {} failed: {}",
                          id,
                          ex.remote(),
                          sent.cause().toString());
                      ex.close();
                    }
                  });
        });
  }

  /**
   * Blocking: the file at {@code p} read whole, or {@link Whole#DAMAGED} when its size or CRC32
   * differs from what {@code name} says; ENOENT when there is no such regular file.
   */
  static Whole read(Path p, FileName.Decoded name) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw FdfsException.notFound("file does not exist");
    }
    if (!a.isRegularFile()) {
      throw FdfsException.notFound("not a regular file");
    }
    long size = name.fileSize();
    if (a.size() != size) {
      return Whole.DAMAGED;
    }
    ByteBuf buf = ALLOC.directBuffer(PacketHeader.SIZE + (int) size);
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ByteBuffer into = buf.nioBuffer(PacketHeader.SIZE, (int) size);
      long pos = 0;
      while (into.hasRemaining()) {
        int n = ch.read(into, pos);
        if (n < 0) {
          buf.release();
          return Whole.DAMAGED; // shorter than its stat said: changed under us, treat as damaged
        }
        pos += n;
      }
      CRC32 crc = new CRC32();
      crc.update(buf.nioBuffer(PacketHeader.SIZE, (int) size));
      if (crc.getValue() != name.crc32Unsigned()) {
        buf.release();
        return Whole.DAMAGED;
      }
      buf.writerIndex(PacketHeader.SIZE + (int) size);
      return new Whole(buf, 0, size);
    } catch (NoSuchFileException e) {
      buf.release();
      throw FdfsException.notFound("file does not exist"); // deleted between stat and open
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /**
   * A file's bytes behind {@link PacketHeader#SIZE} free bytes at {@code at} of one buffer, which
   * the holder must release.
   */
  static final class Whole {
    static final Whole DAMAGED = new Whole(null, 0, -1);
    private final ByteBuf buf;
    private final int at;
    final long length;

    /**
     * {@code buf}: {@link PacketHeader#SIZE} bytes free for the response header from index {@code
     * at}, then the {@code length} bytes of content, its writer index at their end.
     */
    Whole(ByteBuf buf, int at, long length) {
      this.buf = buf;
      this.at = at;
      this.length = length;
    }

    /**
     * The success header for {@code n} bytes followed by bytes {@code offset..offset+n}, as one
     * buffer (this one when it is the whole file); the caller releases what it returns.
     */
    ByteBuf response(long offset, long n) {
      if (offset == 0 && n == length) {
        buf.setLong(at, n).setByte(at + 8, Command.RESP).setByte(at + 9, 0);
        return buf.readerIndex(at);
      }
      ByteBuf out = ALLOC.directBuffer(PacketHeader.SIZE + (int) n);
      out.writeLong(n).writeByte(Command.RESP).writeByte(0);
      out.writeBytes(buf, at + PacketHeader.SIZE + (int) offset, (int) n);
      buf.release();
      return out;
    }

    void release() {
      if (buf != null) {
        buf.release();
      }
    }
  }
}
