package io.dfstree.client.eventbus;

import io.dfstree.api.FileEvent;
import io.dfstree.client.StoredFileInfo;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Metadata;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.Wire;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

final class DfsEventBusClientImpl implements DfsEventBusClient {

  private final Vertx vertx;
  private final EventBusClientOptions options;
  private final NetClient net;

  DfsEventBusClientImpl(Vertx vertx, EventBusClientOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.net =
        vertx.createNetClient(
            new NetClientOptions()
                .setConnectTimeout((int) options.connectTimeout().toMillis())
                .setIdleTimeout((int) options.idleTimeout().toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setTcpNoDelay(true));
  }

  // ---- uploads ---------------------------------------------------------------------------------

  @Override
  public Future<String> upload(
      ReadStream<Buffer> content, long size, String ext, Map<String, String> meta) {
    content.pause(); // nothing may be lost while we ask the tracker and connect
    if (size < 0) {
      return Future.failedFuture(FdfsException.invalid("negative size"));
    }
    String extension = checkedExt(ext);
    if (extension == null) {
      return Future.failedFuture(
          FdfsException.invalid("extension must be up to 6 of [A-Za-z0-9_.-]: " + ext));
    }
    return withStoreTarget(
        meta,
        (ch, pathIndex) -> {
          Future<Buffer> answer = ch.expectAnswer();
          Buffer head = uploadHead(pathIndex, size, extension);
          if (size == 0) {
            ch.socket().write(head);
          } else {
            pump(content, ch, head, size, answer);
          }
          return answer;
        });
  }

  @Override
  public Future<String> upload(Buffer content, String ext, Map<String, String> meta) {
    String extension = checkedExt(ext);
    if (extension == null) {
      return Future.failedFuture(
          FdfsException.invalid("extension must be up to 6 of [A-Za-z0-9_.-]: " + ext));
    }
    return withStoreTarget(
        meta,
        (ch, pathIndex) -> {
          Future<Buffer> answer = ch.expectAnswer();
          ch.socket()
              .write(uploadHead(pathIndex, content.length(), extension).appendBuffer(content));
          return answer;
        });
  }

  @Override
  public Future<String> upload(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    if (checkedExt(ext) == null) {
      ext = "";
    }
    String extension = ext;
    return vertx
        .fileSystem()
        .props(file.toString())
        .compose(
            props ->
                vertx
                    .fileSystem()
                    .open(file.toString(), new OpenOptions().setRead(true).setWrite(false))
                    .compose(
                        f -> upload(f, props.size(), extension, Map.of()).andThen(x -> f.close())));
  }

  /** Header plus the 15-byte prefix: path index, size, extension. */
  private static Buffer uploadHead(int pathIndex, long size, String ext) {
    return StorageCodec.encode(
        new StorageRequest.Upload(false, pathIndex == 0xFF ? -1 : pathIndex, size, ext));
  }

  /**
   * Streams {@code size} bytes from {@code content} to the socket: the header and prefix travel
   * with the first chunk (one write, no delayed-ACK stall); the source is paused while the socket's
   * write queue is full.
   */
  private static void pump(
      ReadStream<Buffer> content,
      StorageChannel ch,
      Buffer head,
      long size,
      Future<Buffer> answer) {
    long[] sent = {0};
    boolean[] first = {true};
    boolean[] done = {false};
    Handler<Throwable> abort =
        err -> {
          if (!done[0]) {
            done[0] = true;
            content.handler(null);
            ch.close();
          }
        };
    answer.onComplete(
        ar -> {
          if (!done[0] && sent[0] < size) {
            // the storage answered before the body was complete: an error; stop reading the source
            done[0] = true;
            content.pause();
          }
        });
    content.exceptionHandler(abort);
    content.endHandler(
        v -> {
          if (!done[0] && sent[0] != size) {
            abort.handle(null);
          }
        });
    content.handler(
        chunk -> {
          if (done[0]) {
            return;
          }
          sent[0] += chunk.length();
          if (sent[0] > size) {
            abort.handle(null);
            return;
          }
          if (first[0]) {
            first[0] = false;
            ch.socket()
                .write(
                    Buffer.buffer(head.length() + chunk.length())
                        .appendBuffer(head)
                        .appendBuffer(chunk));
          } else {
            ch.socket().write(chunk);
          }
          if (sent[0] == size) {
            done[0] = true;
          } else if (ch.socket().writeQueueFull()) {
            content.pause();
            ch.socket()
                .drainHandler(
                    v -> {
                      if (!done[0]) {
                        content.resume();
                      }
                    });
          }
        });
    content.resume();
  }

  /** Routes an upload, runs {@code send}, sets metadata on the same connection, closes it. */
  private Future<String> withStoreTarget(
      Map<String, String> meta,
      java.util.function.BiFunction<StorageChannel, Integer, Future<Buffer>> send) {
    JsonObject q = new JsonObject().put("op", "store");
    if (options.group() != null) {
      q.put("group", options.group());
    }
    return route(q)
        .compose(
            t ->
                connect(t)
                    .compose(
                        ch -> {
                          Future<String> id =
                              send.apply(ch, t.getInteger("storePathIndex", 0xFF))
                                  .map(
                                      body -> {
                                        if (body.length() <= Wire.GROUP_NAME_LEN) {
                                          throw new FdfsException(
                                              Errno.EINVAL,
                                              "storage "
                                                  + ch.where()
                                                  + " answered a short upload reply");
                                        }
                                        StorageReply.StoredFile stored =
                                            StorageCodec.decodeStoredFile(body);
                                        return stored.group() + "/" + stored.remoteName();
                                      });
                          if (meta != null && !meta.isEmpty()) {
                            id =
                                id.compose(
                                    fileId ->
                                        ch.request(setMeta(FileId.parse(fileId), meta, false))
                                            .map(fileId));
                          }
                          return id.andThen(x -> ch.close());
                        }));
  }

  // ---- downloads -------------------------------------------------------------------------------

  @Override
  public Future<ReadStream<Buffer>> download(String fileId) {
    return download(fileId, 0, 0);
  }

  @Override
  public Future<ReadStream<Buffer>> download(String fileId, long offset, long length) {
    if (offset < 0 || length < 0) {
      return Future.failedFuture(
          FdfsException.invalid("offset and length must not be negative: " + offset + ", " + length));
    }
    FileId id;
    try {
      id = FileId.parse(fileId);
    } catch (FdfsException e) {
      return Future.failedFuture(e);
    }
    Buffer request =
        StorageCodec.encode(new StorageRequest.Download(offset, length, id.group(), id.remoteName(), false));
    return route(new JsonObject().put("op", "fetch").put("fileId", fileId))
        .compose(this::connect)
        .compose(ch -> ch.download(request).onFailure(e -> ch.close()));
  }

  @Override
  public Future<Long> download(String fileId, Path target) {
    return download(fileId)
        .compose(
            rs -> {
              long length = ((DownloadStream) rs).length();
              return vertx
                  .fileSystem()
                  .open(
                      target.toString(),
                      new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true))
                  .compose(file -> rs.pipeTo(file))
                  .map(length);
            });
  }

  // ---- small requests --------------------------------------------------------------------------

  @Override
  public Future<Void> delete(String fileId) {
    return call("update", fileId, id -> new StorageRequest.Delete(id.group(), id.remoteName()))
        .mapEmpty();
  }

  @Override
  public Future<Map<String, String>> metadata(String fileId) {
    return call("fetch", fileId, id -> new StorageRequest.GetMetadata(id.group(), id.remoteName()))
        .map(
            b -> {
              Map<String, String> out = new LinkedHashMap<>();
              for (Metadata.Entry e : Metadata.decode(b.getBytes())) {
                out.put(e.nameString(), e.valueString());
              }
              return out;
            })
        .recover(
            err ->
                err instanceof FdfsException f && f.errno() == Errno.ENOENT
                    // FastDFS answers ENOENT both for a missing file and for one without metadata
                    ? info(fileId).map(i -> Map.<String, String>of())
                    : Future.failedFuture(err));
  }

  @Override
  public Future<Void> setMetadata(String fileId, Map<String, String> meta, boolean merge) {
    return call("update", fileId, id -> setMeta(id, meta, merge)).mapEmpty();
  }

  @Override
  public Future<StoredFileInfo> info(String fileId) {
    return call(
            "fetch",
            fileId,
            id -> new StorageRequest.QueryFileInfo(id.group(), id.remoteName(), false))
        .map(
            b -> {
              StorageReply.FileInfo i = StorageCodec.decodeFileInfo(b);
              return new StoredFileInfo(i.size(), i.mtimeSeconds(), i.crc32(), i.sourceIp());
            });
  }

  @Override
  public Future<MessageConsumer<JsonObject>> subscribe(Handler<FileEvent> handler) {
    MessageConsumer<JsonObject> c =
        vertx
            .eventBus()
            .consumer(
                io.dfstree.api.Addresses.FILE_EVENTS,
                m -> FileEvent.fromMessage(m.body()).forEach(handler::handle));
    return c.completion().map(c);
  }

  @Override
  public Future<Void> close() {
    return net.close();
  }

  /**
   * One small request to the storage the tracker names for {@code op}; the connection is closed
   * after.
   */
  private Future<Buffer> call(String op, String fileId, Function<FileId, StorageRequest> request) {
    FileId id;
    Buffer req;
    try {
      id = FileId.parse(fileId);
      req = StorageCodec.encode(request.apply(id));
    } catch (FdfsException e) {
      return Future.failedFuture(e);
    }
    return route(new JsonObject().put("op", op).put("fileId", id.toString()))
        .compose(this::connect)
        .compose(
            ch -> {
              Future<Buffer> answer = ch.expectAnswer();
              ch.socket().write(req);
              return answer.andThen(x -> ch.close());
            });
  }

  private static StorageRequest setMeta(FileId id, Map<String, String> meta, boolean merge) {
    List<Metadata.Entry> entries = new ArrayList<>();
    meta.forEach((k, v) -> entries.add(Metadata.Entry.of(k, v)));
    return new StorageRequest.SetMetadata(
        id.group(), id.remoteName(), merge, Metadata.encode(entries));
  }

  // ---- routing and connections -----------------------------------------------------------------

  /** Asks a tracker over the event bus; failure codes become {@link FdfsException}s. */
  private Future<JsonObject> route(JsonObject query) {
    DeliveryOptions d = new DeliveryOptions().setSendTimeout(options.requestTimeout().toMillis());
    return vertx
        .eventBus()
        .<JsonObject>request(options.trackerAddress(), query, d)
        .map(m -> m.body())
        .recover(err -> Future.failedFuture(translate(err)));
  }

  static Throwable translate(Throwable err) {
    if (err instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.NO_HANDLERS) {
        return new FdfsException(
            Errno.ECONNREFUSED, "no tracker on the event bus (" + r.getMessage() + ")");
      }
      if (r.failureType() == ReplyFailure.TIMEOUT) {
        return new FdfsException(Errno.ETIMEDOUT, "tracker did not answer: " + r.getMessage());
      }
      int code = r.failureCode() > 0 && r.failureCode() < 256 ? r.failureCode() : Errno.EIO;
      return new FdfsException(code, "tracker: " + r.getMessage());
    }
    return err;
  }

  private Future<StorageChannel> connect(JsonObject target) {
    String host = target.getString("host");
    int port = target.getInteger("port");
    String where = host + ":" + port;
    return net.connect(port, host)
        .map(socket -> new StorageChannel(socket, where))
        .recover(
            err ->
                Future.failedFuture(
                    new FdfsException(
                        Errno.ECONNREFUSED,
                        "cannot connect to storage " + where + ": " + err.getMessage())));
  }

  /** A usable extension, "" for none, or null when it is not acceptable. */
  private static String checkedExt(String ext) {
    if (ext == null || ext.isEmpty()) {
      return "";
    }
    if (ext.length() > Wire.EXT_LEN) {
      return null;
    }
    for (int i = 0; i < ext.length(); i++) {
      if (!FileId.isNameChar(ext.charAt(i))) {
        return null;
      }
    }
    return ext;
  }
}
