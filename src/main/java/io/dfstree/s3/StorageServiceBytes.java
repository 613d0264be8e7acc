package io.dfstree.s3;

import io.dfstree.client.eventbus.DfsEventBusClient;
import io.dfstree.client.eventbus.EventBusClientOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.StorageService;
import io.dfstree.storage.Upload;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.Pipe;
import io.vertx.core.streams.ReadStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ObjectBytes} on the storage service: the one place S3 touches the storage side. In a
 * cluster, a new object goes to the group the tracker picks for it ({@link TrackerPlacement}, the
 * choice a FastDFS upload gets): this storage's own group is written here directly, another group
 * through the event-bus client over TCP. Files of other groups (objects stored there, found through
 * a shared namespace) are read and deleted through the cluster's event bus ({@link
 * DfsEventBusClient}), when one is given.
 */
public final class StorageServiceBytes implements ObjectBytes {
  private static final Logger LOG = LoggerFactory.getLogger(StorageServiceBytes.class);

  private final StorageService storage;
  private final Vertx vertx;
  private final DfsEventBusClient otherGroups;
  private final TrackerPlacement placement;

  /** Upload clients pinned to one group each (the tracker already chose it), made on first use. */
  private final Map<String, DfsEventBusClient> uploaders = new ConcurrentHashMap<>();

  private volatile long lastPlacementWarning;

  /**
   * @param otherGroups reaches the files of other groups, and new objects are then placed by the
   *     tracker; null when there are none to reach (the all-in-one): new objects stay here and a
   *     file of another group is reported missing
   */
  public StorageServiceBytes(StorageService storage, Vertx vertx, DfsEventBusClient otherGroups) {
    this.storage = storage;
    this.vertx = vertx;
    this.otherGroups = otherGroups;
    this.placement = otherGroups == null ? null : new TrackerPlacement(vertx);
  }

  @Override
  public Future<String> store(ReadStream<Buffer> body, long size, String ext) {
    if (placement == null || size <= 0) {
      // an upload to another group needs the size up front (FastDFS's upload prefix carries it);
      // an empty object has no bytes to place, and such an upload would never read its body's end
      return storeHere(body, size, ext);
    }
    body.pause(); // nothing flows while the tracker is asked
    return placement
        .group()
        .otherwise(
            err -> {
              long now = System.currentTimeMillis();
              if (now - lastPlacementWarning > 10_000) {
                lastPlacementWarning = now;
                LOG.warn(
                    "s3: the tracker did not place a new object ({}); storing it in {}",
                    err.getMessage(),
                    storage.group());
              }
              return storage.group();
            })
        .compose(
            g ->
                g.equals(storage.group())
                    ? storeHere(body, size, ext)
                    : storeIn(g, body, size, ext));
  }

  /**
   * Uploads to group {@code g} over TCP. The object is kept only if the body also ended well: its
   * digest checks fail after its last byte, when the other group may already hold the file.
   */
  private Future<String> storeIn(String g, ReadStream<Buffer> body, long size, String ext) {
    DfsEventBusClient client =
        uploaders.computeIfAbsent(
            g, x -> DfsEventBusClient.create(vertx, EventBusClientOptions.defaults().withGroup(x)));
    EndWatch watched = new EndWatch(body);
    return client
        .upload(watched, size, ext, Map.of())
        .transform(
            ar -> {
              if (ar.failed()) {
                // what is left of the body is read and dropped, as a closed pipe does, so the
                // connection can carry the error answer and the next request
                body.handler(null);
                body.resume();
                // the body's own failure (a bad digest, too many bytes) is what the client must hear
                Future<Void> e = watched.ended();
                return Future.failedFuture(e.failed() ? e.cause() : ar.cause());
              }
              String fileId = ar.result();
              return watched
                  .ended()
                  .transform(
                      end ->
                          end.succeeded()
                              ? Future.succeededFuture(fileId)
                              : delete(fileId).transform(x -> Future.failedFuture(end.cause())));
            });
  }

  private Future<String> storeHere(ReadStream<Buffer> body, long size, String ext) {
    Pipe<Buffer> pipe = body.pipe(); // pauses the body before anything asynchronous happens
    Upload up;
    try {
      up = storage.newUpload(size, ext);
    } catch (RuntimeException e) {
      pipe.close();
      return Future.failedFuture(e);
    }
    return up.open()
        .compose(v -> pipe.endOnComplete(false).to(up))
        .compose(v -> up.complete())
        .map(
            stored -> {
              storage.announceCreated(stored);
              return stored.fileId();
            })
        .recover(
            err -> {
              pipe.close();
              return up.abort().transform(x -> Future.failedFuture(unwrap(err)));
            });
  }

  @Override
  public Future<Location> locate(String fileId) {
    FileId id;
    try {
      id = parse(fileId);
    } catch (FdfsException e) {
      return Future.failedFuture(e);
    }
    // a packed small file is a slot of a volume: its bytes start at the slot offset
    return storage.locate(id).map(st -> new Location(fileId, st.path(), st.offset(), st.size()));
  }

  @Override
  public boolean isLocal(String fileId) {
    int slash = fileId.indexOf('/');
    return slash > 0 && fileId.substring(0, slash).equals(storage.group());
  }

  @Override
  public Future<ReadStream<Buffer>> read(String fileId, long offset, long length) {
    if (!isLocal(fileId) && otherGroups != null) {
      return otherGroups.download(fileId, offset, length);
    }
    return locate(fileId)
        .compose(
            loc ->
                vertx
                    .fileSystem()
                    .open(loc.path().toString(), new OpenOptions().setRead(true).setWrite(false))
                    .map(
                        f -> {
                          f.pause();
                          f.setReadPos(loc.offset() + offset);
                          f.setReadLength(length);
                          return (ReadStream<Buffer>) f;
                        }));
  }

  @Override
  public Future<Void> delete(String fileId) {
    if (!isLocal(fileId) && otherGroups != null) {
      return otherGroups
          .delete(fileId)
          .recover(
              err ->
                  err instanceof FdfsException f && f.errno() == Errno.ENOENT
                      ? Future.succeededFuture()
                      : Future.failedFuture(err));
    }
    FileId id;
    try {
      id = parse(fileId);
    } catch (FdfsException e) {
      return Future.failedFuture(e);
    }
    return storage
        .delete(id)
        .recover(
            err ->
                err instanceof FdfsException f && f.errno() == Errno.ENOENT
                    ? Future.succeededFuture()
                    : Future.failedFuture(err));
  }

  @Override
  public void countDownload(boolean ok, long bytes) {
    storage.countDownload(ok, bytes);
  }

  @Override
  public String group() {
    return storage.group();
  }

  private FileId parse(String fileId) {
    int slash = fileId.indexOf('/');
    if (slash <= 0) {
      throw FdfsException.invalid("not a file id: " + fileId);
    }
    String group = fileId.substring(0, slash);
    if (!group.equals(storage.group())) {
      // another group's file, and no event bus to reach it by
      throw new FdfsException(
          Errno.ENOENT,
          "file " + fileId + " is in " + group + "; this S3 endpoint serves " + storage.group());
    }
    return storage.validate(group, fileId.substring(slash + 1));
  }

  /** Pipes wrap a write failure; the cause is what the client must hear about. */
  static Throwable unwrap(Throwable err) {
    Throwable e = err;
    while (e != null
        && e.getCause() != null
        && e.getClass().getSimpleName().equals("WriteException")) {
      e = e.getCause();
    }
    return e;
  }
}
