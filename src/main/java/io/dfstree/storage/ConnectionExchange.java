package io.dfstree.storage;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.FrameDecoder;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.WriteStream;

/**
 * The state of one request on a {@link StorageConnection}, from its header to its answer: a new one
 * per request, so nothing of a request outlives it on the connection.
 */
final class ConnectionExchange implements StorageExchange {
  /** Which fixed part of a request the decoder delivers next. */
  enum Part {
    PREFIX,
    NAME,
    WHOLE,
    TRAILER
  }

  private final StorageConnection conn;
  private final NetSocket socket;
  private final FrameDecoder decoder;
  private final String remote;
  final PacketHeader header;
  Part part;
  Buffer prefix; // a streamed request's prefix while its name is read
  long content; // body bytes after the fixed part, not read yet
  boolean bodyStarted;
  Promise<Void> bodyReceived;
  WriteStream<Buffer> sink;
  Promise<StorageRequest.ReplicaTrailer> trailer;

  ConnectionExchange(
      StorageConnection conn,
      NetSocket socket,
      FrameDecoder decoder,
      String remote,
      PacketHeader header) {
    this.conn = conn;
    this.socket = socket;
    this.decoder = decoder;
    this.remote = remote;
    this.header = header;
  }

  /**
   * Takes a fixed part the decoder delivered: the decoded request once it is whole, or null when a
   * name follows the prefix (it is read next) or when it was the trailer of a replica upload
   * (handed to whoever waits for it). A malformed part throws {@link FdfsException}.
   */
  StorageRequest fixed(Buffer b) {
    StorageRequest req;
    switch (part) {
      case PREFIX -> {
        int name = StorageCodec.nameLength(header, b);
        if (name > 0) {
          prefix = b;
          part = Part.NAME;
          decoder.expectFixed(name);
          return null;
        }
        req = StorageCodec.decode(header, b);
      }
      case NAME -> req = StorageCodec.decode(header, prefix.copy().appendBuffer(b));
      case WHOLE -> req = StorageCodec.decode(header, b);
      default -> {
        trailer.tryComplete(StorageCodec.decodeTrailer(b));
        return null;
      }
    }
    content = req.contentLength();
    return req;
  }

  /** Body bytes still unread when this request is refused just after the fixed part {@code b}. */
  long unreadAfter(Buffer b) {
    if (bodyStarted || part == Part.WHOLE || part == Part.TRAILER) {
      return 0;
    }
    return header.bodyLength() - b.length() - (part == Part.NAME ? prefix.length() : 0);
  }

  @Override
  public Future<Void> receive(long length, WriteStream<Buffer> into) {
    if (conn.isClosed()) {
      // the client left while we waited on a lock or a stat: no body will ever arrive, and a
      // promise nobody completes would hold the file lock (appender updates) forever
      return Future.failedFuture(
          new FdfsException(Errno.EIO, "client closed the connection before the body"));
    }
    sink = into;
    bodyStarted = true;
    bodyReceived = Promise.promise();
    conn.streamBody(length);
    return bodyReceived.future();
  }

  @Override
  public Future<StorageRequest.ReplicaTrailer> trailer() {
    if (conn.isClosed()) {
      return Future.failedFuture(
          new FdfsException(Errno.EIO, "client closed the connection before the trailer"));
    }
    sink = null;
    trailer = Promise.promise();
    part = Part.TRAILER;
    decoder.expectFixed(StorageCodec.REPLICA_TRAILER);
    return trailer.future();
  }

  /** The client left mid-request: whoever waits for its body or trailer hears it. */
  void abandon(Throwable err) {
    if (bodyReceived != null) {
      bodyReceived.tryFail(err);
    }
    if (trailer != null) {
      trailer.tryFail(err);
    }
  }

  @Override
  public void reply(StorageReply r) {
    conn.reply(r);
  }

  @Override
  public void fail(Throwable err) {
    conn.fail(err, bodyStarted ? 0 : content);
  }

  @Override
  public Future<Void> sendFile(String path, long offset, long length) {
    socket.write(PacketHeader.responseHeader(length));
    return length == 0 ? Future.succeededFuture() : socket.sendFile(path, offset, length);
  }

  @Override
  public Future<Void> write(Buffer response) {
    return socket.write(response);
  }

  @Override
  public Future<Void> send(Buffer content) {
    return socket.write(PacketHeader.response(content));
  }

  @Override
  public void sent() {
    conn.nextRequest();
  }

  @Override
  public void close() {
    socket.close();
  }

  @Override
  public boolean closed() {
    return conn.isClosed();
  }

  @Override
  public String remote() {
    return remote;
  }
}
