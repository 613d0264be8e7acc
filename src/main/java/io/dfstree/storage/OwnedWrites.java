package io.dfstree.storage;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * A sink that takes body chunks straight from the network buffers, without the copy to heap that
 * Vert.x makes of every read (see {@link StorageConnection}): each chunk handed to {@link
 * #writeOwned} is a retained slice of Netty's pooled direct receive buffer, and the sink owns that
 * reference — it releases it exactly once, when the bytes are written (or dropped on failure or
 * abort). Forwarding the chunk elsewhere (a peer's socket) takes a reference of its own.
 *
 * <p>The file write then hands the direct memory to {@code FileChannel.write} as it is (a heap
 * buffer is copied into a temporary direct one by the JDK first), and the peer's socket sends it as
 * it is (a heap buffer is copied into a direct one by Netty first).
 */
interface OwnedWrites {
  /** Whether this sink takes owned chunks now (else it gets heap copies through {@code write}). */
  boolean takesOwned();

  /** Writes {@code chunk} and takes over its reference (released exactly once, whatever happens). */
  Future<Void> writeOwned(Buffer chunk);

  /** The Netty buffer behind a chunk, for its reference count. */
  static io.netty.buffer.ByteBuf byteBuf(Buffer chunk) {
    return ((io.vertx.core.internal.buffer.BufferInternal) chunk).unwrap();
  }
}
