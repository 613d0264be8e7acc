package io.dfstree.s3;

import io.dfstree.client.eventbus.DfsEventBusClient;
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

/**
 * {@link ObjectBytes} on the storage service: the one place S3 touches the storage side. New
 * objects go to this storage's group; files of other groups (objects another S3 endpoint of a
 * cluster stored, found through a shared namespace) are read and deleted through the cluster's
 * event bus ({@link DfsEventBusClient}), when one is given.
 */
public final class StorageServiceBytes implements ObjectBytes {
  private final StorageService storage;
  private final Vertx vertx;
  private final DfsEventBusClient otherGroups;

  /**
   * @param otherGroups reaches the files of other groups; null when there are none to reach (the
   *     all-in-one): such a file is then reported missing
   */
  public StorageServiceBytes(StorageService storage, Vertx vertx, DfsEventBusClient otherGroups) {
    this.storage = storage;
    this.vertx = vertx;
    this.otherGroups = otherGroups;
  }

  @Override
  public Future<String> store(ReadStream<Buffer> body, long size, String ext) {
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
      // objects are written to the group of the S3 endpoint that took them (see README)
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
