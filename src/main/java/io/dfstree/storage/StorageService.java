package io.dfstree.storage;

import io.dfstree.api.StorageCounters;
import io.dfstree.config.StorageOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Metadata;
import io.dfstree.protocol.StorageStatus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a storage offers to protocols other than FastDFS's own (HTTP, WebSocket) and to its metrics:
 * the same file operations, counters, quorum and read-your-write the FastDFS connections use. Call
 * its futures from an event loop.
 */
public final class StorageService {
  /**
   * A stored file as a reader sees it. {@code crc32} is -1 when the name does not describe the
   * content.
   */
  public record FileStat(
      FileId id, Path path, long offset, long size, long mtimeSeconds, long crc32) {
    /**
     * Where byte {@code from} of the file is in {@link #path} (a packed blob starts inside a
     * volume).
     */
    public long fileOffset(long from) {
      return offset + from;
    }
  }

  /** Free space of one store path ({@code Mxx}). */
  public record PathSpace(int index, String root, long totalBytes, long freeBytes) {}

  private final Vertx vertx;
  private final StorageNode node;

  StorageService(Vertx vertx, StorageNode node) {
    this.vertx = vertx;
    this.node = node;
  }

  public StorageOptions options() {
    return node.options;
  }

  public String group() {
    return node.files.group();
  }

  /**
   * Parses and checks a client-supplied name; throws {@link FdfsException} (EINVAL) when it is not
   * ours or not valid.
   */
  public FileId validate(String group, String remoteName) {
    return node.files.validate(group, remoteName);
  }

  /**
   * Where a file is; fetches it from a peer first when the group has it but we do not yet
   * (read-your-write).
   */
  public Future<FileStat> locate(FileId id) {
    BlobEngine engine = node.engines.forId(id);
    return FileDownload.openToServe(node, engine, id, true, false, vertx::getOrCreateContext)
        .map(
            st ->
                new FileStat(
                    id,
                    st.path(),
                    st.offset(),
                    st.length(),
                    st.mtimeSeconds(),
                    id.decoded().nameDescribesContent() ? id.decoded().crc32Unsigned() : -1));
  }

  /** The background scrub's progress and the repairs of damaged copies, for /metrics. */
  public record ScrubProgress(
      long files, long bytes, long passes, long damaged, long repaired, long repairsFailed) {}

  public ScrubProgress scrubProgress() {
    Scrubber s = node.scrubber;
    Integrity i = node.integrity;
    return new ScrubProgress(
        s == null ? 0 : s.files.get(),
        s == null ? 0 : s.bytes.get(),
        s == null ? 0 : s.passes.get(),
        i.damaged.get(),
        i.repaired.get(),
        i.repairsFailed.get());
  }

  /** Counts a download in FastDFS's statistics (what list-storages reports). */
  public void countDownload(boolean ok, long bytes) {
    node.count(StorageCounters.TOTAL_DOWNLOAD, ok);
    node.countBytes(StorageCounters.TOTAL_DOWNLOAD_BYTES, bytes, ok);
  }

  /**
   * A new upload; {@code declaredSize} -1 when unknown (chunked bodies, multipart parts: those are
   * not streamed to peers while they arrive; the peers copy them from the binlog).
   */
  public Upload newUpload(long declaredSize, String ext) {
    FileId.checkToken("extension", ext, 6);
    return new Upload(node, vertx.getOrCreateContext(), declaredSize, ext);
  }

  /**
   * Publishes a {@code created} {@link io.dfstree.api.FileEvent} for a file stored over HTTP or
   * WebSocket, as the FastDFS connections do for theirs (the web console shows them live).
   */
  public void announceCreated(Upload.Stored s) {
    node.fileEvents.publish(
        new io.dfstree.api.FileEvent(
            io.dfstree.api.FileEvent.CREATED,
            s.fileId(),
            s.size(),
            node.options.id(),
            System.currentTimeMillis()));
  }

  /** Deletes a client's file, counts it and announces it ({@code deleted} file event). */
  public Future<Void> delete(FileId id) {
    return node.engines
        .forId(id)
        .delete(vertx.getOrCreateContext(), id)
        .andThen(
            ar -> {
              node.count(StorageCounters.TOTAL_DELETE, ar.succeeded());
              if (ar.succeeded()) {
                node.announce(io.dfstree.api.FileEvent.DELETED, id.remoteName(), -1);
              }
            });
  }

  /** The file's metadata, empty when it has none; ENOENT when the file does not exist. */
  public Future<Map<String, String>> metadata(FileId id) {
    return node.files
        .metadata()
        .get(id)
        .map(
            raw -> {
              Map<String, String> out = new LinkedHashMap<>();
              for (Metadata.Entry e : Metadata.decode(raw)) {
                out.put(
                    new String(e.name(), java.nio.charset.StandardCharsets.UTF_8),
                    new String(e.value(), java.nio.charset.StandardCharsets.UTF_8));
              }
              return out;
            })
        .recover(
            err ->
                err instanceof FdfsException f && f.errno() == Errno.ENOENT
                    ? node.files.lookups().stat(id).map(st -> Map.of())
                    : Future.failedFuture(err))
        .andThen(ar -> node.count(StorageCounters.TOTAL_GET_META, ar.succeeded()));
  }

  /**
   * Overwrites ({@code merge} false; empty removes all) or merges the file's metadata, and
   * announces it ({@code metadata} file event), as the FastDFS command does.
   */
  public Future<Void> setMetadata(FileId id, Map<String, String> values, boolean merge) {
    return writeMetadata(id, values, merge)
        .onSuccess(v -> node.announce(io.dfstree.api.FileEvent.METADATA, id.remoteName(), -1));
  }

  /**
   * The metadata given with a new upload: counted like any set-metadata, not announced (the
   * upload's {@code created} event, published after it, covers it).
   */
  public Future<Void> initialMetadata(FileId id, Map<String, String> values) {
    return writeMetadata(id, values, false);
  }

  private Future<Void> writeMetadata(FileId id, Map<String, String> values, boolean merge) {
    List<Metadata.Entry> entries = new ArrayList<>();
    values.forEach((k, v) -> entries.add(Metadata.Entry.of(k, v)));
    return node.files
        .metadata()
        .set(vertx.getOrCreateContext(), id, merge ? (byte) 'M' : (byte) 'O', entries)
        .andThen(ar -> node.count(StorageCounters.TOTAL_SET_META, ar.succeeded()));
  }

  /** ACTIVE: caught up with its peers and serving. */
  public boolean active() {
    return node.status() == StorageStatus.ACTIVE;
  }

  public String status() {
    return node.status().name();
  }

  /** Open FastDFS-protocol connections. */
  public int connections() {
    return node.connections.get();
  }

  /** Free space per store path, as last measured (every heartbeat). */
  public List<PathSpace> space() {
    List<PathSpace> out = new ArrayList<>();
    for (StorePath p : node.paths.all()) {
      out.add(new PathSpace(p.index, p.root.toString(), p.totalBytes(), p.freeBytes()));
    }
    return out;
  }

  /** The temp directories of the store paths (uploads in flight). */
  public List<Path> tempDirs() {
    return node.paths.all().stream().map(p -> p.tmp).toList();
  }

  /**
   * Per peer id: seconds since the moment up to which we hold everything that peer wrote (its
   * clock).
   */
  public Map<String, Long> replicationLagSeconds() {
    Replication r = node.replication;
    long now = System.currentTimeMillis() / 1000;
    Map<String, Long> out = new LinkedHashMap<>();
    r.syncedUntil()
        .forEach((peer, until) -> out.put(peer, until <= 0 ? -1 : Math.max(0, now - until)));
    return out;
  }

  /** Where finished requests are reported, FastDFS protocol included. */
  public void events(StorageEvents events) {
    node.events = events == null ? StorageEvents.NONE : events;
  }

  public StorageEvents events() {
    return node.events;
  }
}
