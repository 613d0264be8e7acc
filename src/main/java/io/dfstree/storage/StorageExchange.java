package io.dfstree.storage;

import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * What {@link StorageCommands} needs from the connection that carries one request: the rest of its
 * body, and one way to end it. Each request ends with exactly one of {@link #reply}, {@link #fail},
 * {@link #sent} or {@link #close}.
 */
interface StorageExchange {
  /**
   * Streams the next {@code length} body bytes into {@code into} with back-pressure; completes when
   * the last one was handed over, fails when the client leaves first.
   */
  Future<Void> receive(long length, WriteStream<Buffer> into);

  /** Reads the trailer that ends a replica upload (after its content). */
  Future<StorageRequest.ReplicaTrailer> trailer();

  /** Answers success; the connection reads the next request. */
  void reply(StorageReply reply);

  /**
   * Answers the errno of {@code err}. A body not read yet is skipped (or the connection closed when
   * it is too large), so the next header is read at the right place.
   */
  void fail(Throwable err);

  /**
   * Writes a success header for {@code length} bytes, then that range of {@code path} (zero copy).
   */
  Future<Void> sendFile(String path, long offset, long length);

  /** Writes a complete response (header and content, one buffer); completes once it is out. */
  Future<Void> write(Buffer response);

  /** Writes a success header and {@code content} as one write (bytes already in memory). */
  Future<Void> send(Buffer content);

  /** A {@link #sendFile}, {@link #write} or {@link #send} went out whole: read the next request. */
  void sent();

  /** Closes the connection (a failure after the header, a quit). */
  void close();

  /** The client has gone. */
  boolean closed();

  /** Who is on the other end, for logs. */
  String remote();
}
