package io.dfstree.client.eventbus;

import io.dfstree.api.FileEvent;
import io.dfstree.client.StoredFileInfo;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;
import java.util.Map;

/**
 * A DistributedFSTree client for Vert.x applications that share the cluster's event bus. Routing
 * (where to upload, download, update) is asked of the trackers over the event bus; file bytes
 * travel over TCP to the storage in the FastDFS storage protocol, streamed with back-pressure —
 * never over the event bus. Every call is non-blocking.
 *
 * <p>Failures are {@link io.dfstree.protocol.FdfsException}s carrying the FastDFS errno (2 = no
 * such file or group, 22 = invalid, 28 = no space, 110 = timed out, ...).
 *
 * <p>File ids are {@code group/M00/AB/CD/name}, as every FastDFS client spells them.
 */
public interface DfsEventBusClient {

  static DfsEventBusClient create(Vertx vertx) {
    return create(vertx, EventBusClientOptions.defaults());
  }

  static DfsEventBusClient create(Vertx vertx, EventBusClientOptions options) {
    return new DfsEventBusClientImpl(
        vertx, options == null ? EventBusClientOptions.defaults() : options);
  }

  /**
   * Uploads exactly {@code size} bytes read from {@code content} (paused while the storage catches
   * up) and, when {@code meta} is not empty, sets them as the file's metadata.
   *
   * @return the new file id
   */
  Future<String> upload(
      ReadStream<Buffer> content, long size, String ext, Map<String, String> meta);

  /** Uploads a buffer held in memory (small files). */
  Future<String> upload(Buffer content, String ext, Map<String, String> meta);

  /** Uploads a local file; its extension (up to 6 characters) becomes the file id's extension. */
  Future<String> upload(Path file);

  /**
   * Downloads a file: the stream is paused until a handler is set, then flows with back-pressure
   * (pausing it pauses the TCP connection). Fails before any byte when the file does not exist.
   */
  Future<ReadStream<Buffer>> download(String fileId);

  /**
   * Downloads {@code length} bytes of a file from {@code offset} (length 0: to its end), as {@link
   * #download(String)} does the whole file.
   */
  Future<ReadStream<Buffer>> download(String fileId, long offset, long length);

  /** Downloads a file into {@code target} (created or truncated); completes with the byte count. */
  Future<Long> download(String fileId, Path target);

  Future<Void> delete(String fileId);

  /**
   * The file's metadata, in the server's (name) order; empty when it has none; ENOENT when the file
   * is missing.
   */
  Future<Map<String, String>> metadata(String fileId);

  /** Replaces ({@code merge} false) or merges into ({@code merge} true) the file's metadata. */
  Future<Void> setMetadata(String fileId, Map<String, String> meta, boolean merge);

  Future<StoredFileInfo> info(String fileId);

  /**
   * Calls {@code handler} for every file event in the cluster. The future completes once the
   * subscription is registered cluster-wide; unregister the consumer to stop.
   */
  Future<MessageConsumer<JsonObject>> subscribe(Handler<FileEvent> handler);

  /** Closes the client's TCP resources (not the Vert.x instance). */
  Future<Void> close();
}
