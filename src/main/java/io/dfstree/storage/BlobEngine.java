package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.List;

/**
 * The storage-engine seam: what stores, reads, deletes and lists blobs on disk. Every front end
 * (FastDFS protocol, HTTP, WebSocket, the event-bus client's data path, peers) reaches blobs only
 * through this interface, via {@link BlobEngines}, so a second engine plugs in behind it without
 * touching them.
 *
 * <p>Two engines are meant to live here: {@link FileBlobEngine}, one file per blob, FastDFS's
 * {@code Mxx/data/HH/HH/<name>} layout (takes everything); and a packed small-file engine that
 * appends small blobs to large volume files and names them with FastDFS trunk file IDs (the name
 * says volume and offset, so a read is one positioned read).
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>New blobs</b> arrive as a stream of known size: {@link #create} returns a {@link
 *       NewBlob} (a {@code WriteStream<Buffer>} with back-pressure) that the caller feeds exactly
 *       {@code size} bytes, then places. Placing chooses the final remote name (for a packed engine
 *       it encodes volume and offset, which the engine may reserve at {@code create} since the size
 *       is known then), makes the bytes durable when the storage fsyncs, records the change in the
 *       binlog and returns the name. Nothing is visible under the name before placing completes;
 *       {@link NewBlob#abort} leaves nothing behind.
 *   <li><b>Copies from peers</b> ({@link #receive}) arrive before their name (the peer protocol
 *       sends the bytes, then the name) and are placed under the name their source gave ({@link
 *       NewBlob#placeCopy}); the engine must place them where that name says (a packed engine: the
 *       same volume and offset), spooling first if it must.
 *   <li><b>Reads</b> ({@link #open}) answer where the bytes are: a file, an offset into it and a
 *       length, so front ends can {@code sendFile} (zero copy) a range of it.
 *   <li><b>Enumeration</b> ({@link #list}) pages through the blobs of one store path in name order,
 *       for catch-up of a new member and for scrubbing.
 *   <li>Every method may be called from an event loop and never blocks it: disk work runs on the
 *       storage's disk workers. Failures are {@link io.dfstree.protocol.FdfsException}s with the
 *       FastDFS errno a client should see (ENOENT for a blob that is not here, ENOSPC, EIO).
 * </ul>
 *
 * <p>What is <em>not</em> behind the seam: appender files (append, modify, truncate, regenerate),
 * slave files and metadata ({@code -m} files) stay with the one-file engine, as in FastDFS, where
 * trunk files hold only whole small uploads.
 */
public interface BlobEngine {

  /** Where a blob's bytes are: {@code length} bytes of {@code path} from {@code offset}. */
  record BlobRead(
      FileId id,
      Path path,
      long offset,
      long length,
      long mtimeSeconds,
      io.vertx.core.buffer.Buffer content) {
    /**
     * {@code content}: the blob's bytes when the engine read them already (a small packed slot,
     * read once to check its CRC32): a front end sends them rather than reading the file again.
     * Null: send {@code length} bytes of {@code path} from {@code offset}.
     */
    public BlobRead(FileId id, Path path, long offset, long length, long mtimeSeconds) {
      this(id, path, offset, length, mtimeSeconds, null);
    }

    /**
     * A range of the blob, for {@code sendFile}: {@code from} is relative to the blob's first byte.
     */
    public long fileOffset(long from) {
      return offset + from;
    }
  }

  /** One blob in an enumeration ({@link #list}). */
  record BlobEntry(String remoteName, long size, long mtimeSeconds) {}

  /** Short name for logs and metrics: {@code files}, {@code packed}. */
  String name();

  /**
   * Whether this engine takes a new upload of {@code size} bytes. The one-file engine takes every
   * upload; a packed engine takes small, non-appender ones. {@link BlobEngines} asks the engines in
   * order and uses the first that accepts.
   */
  boolean accepts(long size, boolean appender);

  /** Whether {@code id} names a blob of this engine (a packed engine owns trunk file IDs). */
  boolean owns(FileId id);

  /**
   * Starts a new blob of exactly {@code size} bytes (a known size: bodies of unknown length are
   * spooled by the caller first) in store path {@code storePathIndex}, with extension {@code ext}
   * (already validated, may be empty).
   */
  NewBlob create(int storePathIndex, long size, boolean appender, String ext);

  /**
   * Starts a copy arriving from a peer into store path {@code storePathIndex}: {@code size} bytes,
   * or -1 when the size is only known once the copy is complete. Its name comes last; place it with
   * {@link NewBlob#placeCopy}.
   */
  NewBlob receive(int storePathIndex, long size);

  /** Where the bytes of {@code id} are; fails with ENOENT when it is not here. */
  Future<BlobRead> open(FileId id);

  /** Whether {@code id} is here. */
  Future<Boolean> exists(FileId id);

  /**
   * Deletes a client's blob (recorded for peers); ENOENT when it is not here. {@code ctx} is the
   * caller's context: a per-blob lock completes there.
   */
  Future<Void> delete(Context ctx, FileId id);

  /**
   * Up to {@code limit} blobs of store path {@code storePathIndex} whose remote names sort after
   * {@code after} ({@code null} or empty: from the first), in name order. An empty page is the end.
   */
  Future<List<BlobEntry>> list(int storePathIndex, String after, int limit);
}
