package io.dfstree.client;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.GroupStat;
import io.dfstree.protocol.StorageStat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking FastDFS client, safe to share between threads: every call opens its own tracker and
 * storage connections and closes them afterwards, asking the tracker where to go exactly as the
 * official Java client does (fastdfs-protocol.md Appendix A). For many operations in a row, open a
 * {@link TrackerSession} and {@link StorageSession} directly and reuse them.
 *
 * <p>Server refusals surface as {@link io.dfstree.protocol.FdfsException} with the errno the server
 * sent; network failures as {@link IOException}.
 */
public final class FdfsClient {
  private final FdfsClientOptions options;
  private final AtomicInteger nextTracker = new AtomicInteger();

  public FdfsClient(FdfsClientOptions options) {
    this.options = options;
  }

  public FdfsClientOptions options() {
    return options;
  }

  /**
   * Opens a session with one of the trackers, trying the next one in turn when a tracker cannot be
   * reached.
   */
  public TrackerSession openTracker() throws IOException {
    List<ServerAddress> trackers = options.trackers();
    int start = Math.floorMod(nextTracker.getAndIncrement(), trackers.size());
    IOException last = null;
    for (int i = 0; i < trackers.size(); i++) {
      ServerAddress address = trackers.get((start + i) % trackers.size());
      try {
        return TrackerSession.open(address, options);
      } catch (IOException e) {
        last = new IOException("cannot reach tracker " + address + ": " + e.getMessage(), e);
      }
    }
    throw last;
  }

  /** Opens a session with the storage a tracker named. */
  public StorageSession openStorage(StorageAddress address) throws IOException {
    try {
      return StorageSession.open(address, options);
    } catch (IOException e) {
      throw new IOException(
          "cannot reach storage " + address.hostPort() + ": " + e.getMessage(), e);
    }
  }

  /** Where an upload to {@code group} (null or empty: any group) would go. */
  public StorageAddress queryStore(String group) throws IOException {
    try (TrackerSession tracker = openTracker()) {
      return tracker.queryStore(group);
    }
  }

  /** A storage that can serve {@code fileId}. */
  public StorageAddress queryFetch(String fileId) throws IOException {
    FileId id = FileId.parse(fileId);
    try (TrackerSession tracker = openTracker()) {
      return tracker.queryFetch(id.group(), id.remoteName());
    }
  }

  /** The storage that accepts changes to {@code fileId}. */
  public StorageAddress queryUpdate(String fileId) throws IOException {
    FileId id = FileId.parse(fileId);
    try (TrackerSession tracker = openTracker()) {
      return tracker.queryUpdate(id.group(), id.remoteName());
    }
  }

  /** Statistics of every group. */
  public List<GroupStat> listGroups() throws IOException {
    try (TrackerSession tracker = openTracker()) {
      return tracker.listGroups();
    }
  }

  /** The storages of {@code group} (only {@code storageId} when given). */
  public List<StorageStat> listStorages(String group, String storageId) throws IOException {
    try (TrackerSession tracker = openTracker()) {
      return tracker.listStorages(group, storageId);
    }
  }

  /**
   * Uploads {@code size} bytes of {@code content} as a normal or appender file, then (when {@code
   * metadata} is not empty) sets its metadata on the same storage; if that fails the new file is
   * deleted again so no half-described file is left behind, as the Java client does.
   *
   * @param group null or empty lets the tracker choose
   */
  public StoredFile upload(
      String group,
      InputStream content,
      long size,
      String ext,
      Map<String, String> metadata,
      boolean appender)
      throws IOException {
    StorageAddress target = queryStore(group);
    try (StorageSession storage = openStorage(target)) {
      StoredFile stored =
          appender
              ? storage.uploadAppender(target.storePathIndex(), content, size, ext)
              : storage.upload(target.storePathIndex(), content, size, ext);
      attachMetadata(storage, stored, metadata);
      return stored;
    }
  }

  /** Uploads a slave of {@code masterFileId} to the storage holding the master. */
  public StoredFile uploadSlave(
      String masterFileId,
      String prefix,
      String ext,
      InputStream content,
      long size,
      Map<String, String> metadata)
      throws IOException {
    FileId master = FileId.parse(masterFileId);
    StorageAddress target = queryUpdate(masterFileId);
    try (StorageSession storage = openStorage(target)) {
      StoredFile stored = storage.uploadSlave(master.remoteName(), prefix, ext, content, size);
      attachMetadata(storage, stored, metadata);
      return stored;
    }
  }

  private static void attachMetadata(
      StorageSession storage, StoredFile stored, Map<String, String> metadata) throws IOException {
    if (metadata == null || metadata.isEmpty()) {
      return;
    }
    try {
      storage.setMetadata(stored.group(), stored.remoteName(), metadata, false);
    } catch (IOException | RuntimeException e) {
      try {
        if (storage.isUsable()) {
          storage.delete(stored.group(), stored.remoteName());
        }
      } catch (IOException | RuntimeException cleanupFailure) {
        e.addSuppressed(cleanupFailure);
      }
      throw e;
    }
  }

  /**
   * Streams {@code length} bytes of {@code fileId} from {@code offset} (length 0 = to the end) into
   * {@code sink}; returns the number of bytes written.
   */
  public long download(String fileId, long offset, long length, OutputStream sink)
      throws IOException {
    FileId id = FileId.parse(fileId);
    StorageAddress source = queryFetch(fileId);
    try (StorageSession storage = openStorage(source)) {
      return storage.download(id.group(), id.remoteName(), offset, length, sink);
    }
  }

  /** Deletes {@code fileId} and its metadata. */
  public void delete(String fileId) throws IOException {
    onUpdateStorage(
        fileId,
        (storage, id) -> {
          storage.delete(id.group(), id.remoteName());
          return null;
        });
  }

  /** Replaces or merges the metadata of {@code fileId}. */
  public void setMetadata(String fileId, Map<String, String> metadata, boolean merge)
      throws IOException {
    onUpdateStorage(
        fileId,
        (storage, id) -> {
          storage.setMetadata(id.group(), id.remoteName(), metadata, merge);
          return null;
        });
  }

  /**
   * The metadata of {@code fileId}; empty when it has none, ENOENT when the file does not exist.
   */
  public Map<String, String> getMetadata(String fileId) throws IOException {
    return onUpdateStorage(
        fileId, (storage, id) -> storage.getMetadata(id.group(), id.remoteName()));
  }

  /** What the storage reports about {@code fileId} (query file info, 22). */
  public StoredFileInfo queryFileInfo(String fileId, boolean computeCrc) throws IOException {
    return onUpdateStorage(
        fileId, (storage, id) -> storage.queryFileInfo(id.group(), id.remoteName(), computeCrc));
  }

  /** Appends {@code size} bytes to the appender file {@code fileId}. */
  public void append(String fileId, InputStream content, long size) throws IOException {
    onUpdateStorage(
        fileId,
        (storage, id) -> {
          storage.append(id.remoteName(), content, size);
          return null;
        });
  }

  /** Overwrites {@code size} bytes of the appender file {@code fileId} at {@code offset}. */
  public void modify(String fileId, long offset, InputStream content, long size)
      throws IOException {
    onUpdateStorage(
        fileId,
        (storage, id) -> {
          storage.modify(id.remoteName(), offset, content, size);
          return null;
        });
  }

  /** Truncates the appender file {@code fileId} to {@code newSize} bytes. */
  public void truncate(String fileId, long newSize) throws IOException {
    onUpdateStorage(
        fileId,
        (storage, id) -> {
          storage.truncate(id.remoteName(), newSize);
          return null;
        });
  }

  /** Seals the appender file {@code fileId} into a normal file; returns its new id. */
  public StoredFile regenerateAppenderName(String fileId) throws IOException {
    return onUpdateStorage(
        fileId, (storage, id) -> storage.regenerateAppenderName(id.remoteName()));
  }

  private interface StorageCall<T> {
    T apply(StorageSession storage, FileId id) throws IOException;
  }

  private <T> T onUpdateStorage(String fileId, StorageCall<T> call) throws IOException {
    FileId id = FileId.parse(fileId);
    StorageAddress target = queryUpdate(fileId);
    try (StorageSession storage = openStorage(target)) {
      return call.apply(storage, id);
    }
  }
}
