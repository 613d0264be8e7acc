package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file stream that takes owned chunks ({@link OwnedWrites}, benchmark/PROFILE.md rx1m): pooled
 * direct buffers, as a client connection hands them over, are written to the file from the direct
 * memory (counted in {@code Forces.writtenDirect}: no temporary copy in the JDK) and each
 * reference is released exactly once — after its batch is written, on abort while still queued,
 * at once when the stream already failed.
 */
class OwnedWritesTest {
  @TempDir Path dir;
  OneStorePath store;
  Context ctx;
  final List<ByteBuf> handedOver = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    store = new OneStorePath(dir, "0", 2, true);
    ctx = store.vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
  }

  /** A chunk as the connection makes one: a retained slice of a pooled direct read buffer. */
  Buffer chunk(byte[] content, int at, int n) {
    ByteBuf read = PooledByteBufAllocator.DEFAULT.directBuffer(n + 10);
    read.writeZero(10).writeBytes(content, at, n); // a header before the body, as a first read
    read.skipBytes(10);
    ByteBuf slice = read.readRetainedSlice(n);
    read.release(); // the read's own reference, as StorageConnection.onMessage drops it
    handedOver.add(slice);
    return BufferInternal.buffer(slice);
  }

  static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  <T> T on(java.util.function.Supplier<Future<T>> action) throws Exception {
    return io.dfstree.OnContext.await(ctx, action, 30);
  }

  void assertAllReleased() {
    for (ByteBuf b : handedOver) {
      assertEquals(0, b.refCnt(), "a chunk's reference was not released (or twice: exception)");
    }
  }

  @Test
  void ownedChunksAreWrittenFromDirectMemoryAndReleasedOnceWritten() throws Exception {
    byte[] content = random(1024 * 1024 + 333);
    FileWriteStream s = store.files.newUpload(store.path);
    Path kept = dir.resolve("kept");
    long written =
        on(
            () -> {
              for (int at = 0; at < content.length; at += 64 * 1024) {
                s.writeOwned(chunk(content, at, Math.min(64 * 1024, content.length - at)));
              }
              return s.finish(
                  w -> {
                    Files.createLink(kept, w.path());
                    return w.bytes();
                  });
            });
    assertEquals(content.length, written);
    assertArrayEquals(content, Files.readAllBytes(kept));
    assertEquals(content.length, store.files.forces().writtenDirect.sum());
    assertAllReleased();
  }

  @Test
  void heapChunksAreCountedAsCopied() throws Exception {
    byte[] content = random(300 * 1024);
    FileWriteStream s = store.files.newUpload(store.path);
    on(
        () -> {
          s.write(Buffer.buffer(content));
          return s.finish(w -> w.bytes());
        });
    assertEquals(0, store.files.forces().writtenDirect.sum());
  }

  @Test
  void queuedOwnedChunksAreReleasedOnAbort() throws Exception {
    byte[] content = random(200 * 1024); // below one batch: all of it still queued
    FileWriteStream s = store.files.newUpload(store.path);
    on(
        () -> {
          for (int at = 0; at < content.length; at += 50 * 1024) {
            s.writeOwned(chunk(content, at, 50 * 1024));
          }
          return s.abort();
        });
    assertAllReleased();
  }

  @Test
  void aChunkForAFailedStreamIsReleasedAtOnce() throws Exception {
    byte[] content = random(4096);
    FileWriteStream s = store.files.newUpload(store.path);
    Throwable failed =
        on(
            () ->
                s.abort()
                    .compose(v -> s.writeOwned(chunk(content, 0, content.length)))
                    .transform(ar -> Future.succeededFuture(ar.cause())));
    assertNotNull(failed, "a write after abort fails");
    assertAllReleased();
  }

  @Test
  void anUploadForwardsAndWritesTheSameChunkAndReleasesIt() throws Exception {
    byte[] content = random(512 * 1024);
    NewBlob blob = new FileBlobEngine(store.files, store.disk).create(0, content.length, false, "bin");
    assertTrue(blob instanceof OwnedWrites o && o.takesOwned(), "a file blob takes owned chunks");
    Path kept = dir.resolve("kept2");
    on(
        () -> {
          for (int at = 0; at < content.length; at += 64 * 1024) {
            ((OwnedWrites) blob).writeOwned(chunk(content, at, 64 * 1024));
          }
          return blob.force();
        });
    assertAllReleased();
    assertEquals(content.length, store.files.forces().writtenDirect.sum());
    blob.abort();
  }
}
