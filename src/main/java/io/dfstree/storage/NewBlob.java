package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * A blob being written: the caller streams its bytes in (respecting {@link #writeQueueFull()} and
 * the drain handler), then names it in one of three ways, or aborts. Use on one event loop. Created
 * by {@link BlobEngine#create} (a new upload) or {@link BlobEngine#receive} (a peer's copy).
 */
public interface NewBlob extends WriteStream<Buffer> {

  /** The store path ({@code Mxx} index) the blob goes to. */
  int storePathIndex();

  /**
   * The caller computes the CRC32 itself (an upload streamed to peers computes it as bytes pass, so
   * the name can be chosen at the last byte): the engine need not. Call before writing.
   */
  NewBlob withoutCrc();

  /**
   * A new upload is complete: names it from its size, CRC32 and the time, places it, returns the
   * remote name.
   */
  Future<String> place();

  /**
   * Chooses the name of a new upload before it is placed, from the CRC32 the caller computed: the
   * name goes to the peers while this copy is placed ({@link #placeAs}). The name is held for this
   * blob until {@code placeAs} ends.
   */
  String name(int crc32, long nowSeconds);

  /** Places a new upload under the name {@link #name} chose; EEXIST if it was taken meanwhile. */
  Future<String> placeAs(String remoteName, long mtimeSeconds);

  /**
   * Makes the bytes written so far durable (when the storage fsyncs) before the blob is named, and
   * answers how many there are: a peer's copy is forced while its source still finishes.
   */
  Future<Long> force();

  /**
   * Places a peer's copy ({@link BlobEngine#receive}) under its name {@code id}: true when placed,
   * false when we already held it (a create), ENOENT when the name was deleted here since (the copy
   * is stale). {@code replace} overwrites (a whole-file update of an appender). {@code ctx} is the
   * caller's context: a per-blob lock completes there.
   */
  Future<Boolean> placeCopy(Context ctx, FileId id, long mtimeSeconds, boolean replace);

  /**
   * For a peer's copy: {@code gone} tells whether its source hung up (it gave up on this member and
   * counted the copy as missing). An engine that can ask it at the last moment before the copy is
   * written (the packed committer, as it takes the copy into a batch) refuses the copy then.
   * Callers still check before {@link #placeCopy}; this narrows the window after that check.
   */
  default NewBlob sourceGone(java.util.function.BooleanSupplier gone) {
    return this;
  }

  /** Nothing is kept: the bytes written so far are removed. */
  Future<Void> abort();
}
