package io.dfstree.s3;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.nio.file.Path;

/**
 * All S3 needs of the storage: store a stream as a new file, find a file's bytes, delete a file.
 * One implementation ({@link StorageServiceBytes}) adapts the storage service, so a change there is
 * a change in one class here.
 */
public interface ObjectBytes {
  /**
   * Where a file's bytes are: {@code size} bytes of {@code path} from {@code offset} (zero-copy
   * sendfile).
   */
  record Location(String fileId, Path path, long offset, long size) {}

  /**
   * Stores {@code body} as a new file, with back-pressure, in the group the tracker picks (in a
   * cluster) or the local one; {@code size} -1 when unknown. Pipes the stream at once (the caller must not have let it flow); the future fails,
   * leaving nothing stored, when the stream fails or the storage refuses.
   */
  Future<String> store(ReadStream<Buffer> body, long size, String ext);

  /** The file's bytes; fetched from a group peer first when this member does not hold them yet. */
  Future<Location> locate(String fileId);

  /**
   * True when the file belongs to this endpoint's group ({@link #locate} finds it on this member's
   * disks); false for a file of another group, whose bytes only {@link #read} reaches.
   */
  boolean isLocal(String fileId);

  /**
   * {@code length} bytes of a file from {@code offset}, of this group or (when this endpoint can
   * reach the others) another: a stream that is paused until it is resumed and flows with
   * back-pressure. Fails before any byte when the file is missing.
   */
  Future<ReadStream<Buffer>> read(String fileId, long offset, long length);

  /** Deletes a file (of any group it can reach); succeeds when it is already gone. */
  Future<Void> delete(String fileId);

  /** Counts a finished download in the storage's statistics. */
  void countDownload(boolean ok, long bytes);

  /** The endpoint's own group (where {@link #locate} finds files). */
  String group();
}
