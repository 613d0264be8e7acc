package io.dfstree.client;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Metadata;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.StorageRequest.ActiveTest;
import io.dfstree.protocol.StorageRequest.Delete;
import io.dfstree.protocol.StorageRequest.Download;
import io.dfstree.protocol.StorageRequest.GetMetadata;
import io.dfstree.protocol.StorageRequest.QueryFileInfo;
import io.dfstree.protocol.StorageRequest.RegenerateAppenderName;
import io.dfstree.protocol.StorageRequest.SetMetadata;
import io.dfstree.protocol.StorageRequest.Truncate;
import io.dfstree.protocol.StorageRequest.Upload;
import io.dfstree.protocol.StorageRequest.UploadSlave;
import io.dfstree.protocol.StorageRequest.WriteAppender;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One open connection to a storage server. Not thread-safe; reuse it for many operations. File
 * content is streamed in 64 KiB chunks in both directions, never held whole in memory.
 */
public final class StorageSession implements AutoCloseable {
  private final FdfsConnection connection;

  private StorageSession(FdfsConnection connection) {
    this.connection = connection;
  }

  /** Connects to the storage at {@code address}. */
  public static StorageSession open(ServerAddress address, FdfsClientOptions options)
      throws IOException {
    return new StorageSession(FdfsConnection.open(address, options));
  }

  /** Connects to the storage a tracker named. */
  public static StorageSession open(StorageAddress address, FdfsClientOptions options)
      throws IOException {
    return open(new ServerAddress(address.host(), address.port()), options);
  }

  /** The storage this session talks to ({@code host:port}). */
  public String peer() {
    return connection.peer();
  }

  /** False once an I/O or framing error left the connection out of step; open a new one then. */
  public boolean isUsable() {
    return connection.isUsable();
  }

  /**
   * Uploads {@code size} bytes from {@code content} as a normal file (11).
   *
   * @param storePathIndex the index from the tracker's store answer, or {@link
   *     StorageAddress#ANY_PATH}
   * @param ext extension without the dot, at most 6 of {@code [A-Za-z0-9_.-]}; may be empty
   */
  public StoredFile upload(int storePathIndex, InputStream content, long size, String ext)
      throws IOException {
    return streamed(bytes(new Upload(false, storePathIndex, size, ext)), content, size, "upload");
  }

  /** Uploads an appender file (23), which later accepts append, modify and truncate. */
  public StoredFile uploadAppender(int storePathIndex, InputStream content, long size, String ext)
      throws IOException {
    return streamed(
        bytes(new Upload(true, storePathIndex, size, ext)), content, size, "upload appender");
  }

  /**
   * Uploads a slave file (21) named after {@code masterRemoteName} with {@code prefix}; the master
   * must live on this storage. An empty {@code ext} gives a name without extension.
   */
  public StoredFile uploadSlave(
      String masterRemoteName, String prefix, String ext, InputStream content, long size)
      throws IOException {
    return streamed(
        bytes(new UploadSlave(masterRemoteName, prefix, ext, size)),
        content,
        size,
        "upload slave of " + masterRemoteName);
  }

  private StoredFile streamed(byte[] prefix, InputStream content, long size, String what)
      throws IOException {
    String context = what + " to storage " + peer();
    connection.sendStreamed(prefix, content, size, context);
    long length = connection.readHeader(context);
    if (length > FdfsConnection.MAX_SMALL_BODY) {
      throw new java.net.ProtocolException(
          "upload answer of " + length + " bytes (" + context + ")");
    }
    return ResponseDecoder.storedFile(connection.readExactly((int) length));
  }

  /**
   * Downloads {@code length} bytes from {@code offset} (length 0 = to the end) into {@code sink}.
   *
   * @return the number of bytes written
   */
  public long download(String group, String remoteName, long offset, long length, OutputStream sink)
      throws IOException {
    String context = "download " + group + "/" + remoteName + " from storage " + peer();
    connection.send(bytes(new Download(offset, length, group, remoteName, false)));
    long bodyLength = connection.readHeader(context);
    connection.readBody(bodyLength, sink);
    return bodyLength;
  }

  /** Deletes a file and its metadata. */
  public void delete(String group, String remoteName) throws IOException {
    connection.callExpectingEmpty(
        bytes(new Delete(group, remoteName)),
        "delete " + group + "/" + remoteName + " on storage " + peer());
  }

  /**
   * Replaces ({@code merge} false) or merges the file's metadata; insertion order is kept on the
   * wire.
   */
  public void setMetadata(
      String group, String remoteName, Map<String, String> metadata, boolean merge)
      throws IOException {
    connection.callExpectingEmpty(
        bytes(new SetMetadata(group, remoteName, merge, encodeMetadata(metadata))),
        "set metadata of " + group + "/" + remoteName + " on storage " + peer());
  }

  /**
   * The file's metadata, in the server's (name) order; empty when the file has none. FastDFS
   * answers ENOENT both for "no metadata" and for "no such file", so on ENOENT the storage is asked
   * for the file's info (22, without CRC) to tell them apart.
   *
   * @throws FdfsException ENOENT when the file itself does not exist
   */
  public Map<String, String> getMetadata(String group, String remoteName) throws IOException {
    byte[] raw;
    try {
      raw =
          connection.call(
              bytes(new GetMetadata(group, remoteName)),
              "get metadata of " + group + "/" + remoteName + " on storage " + peer());
    } catch (FdfsException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
      queryFileInfo(group, remoteName, false); // ENOENT here: the file itself is missing
      return new LinkedHashMap<>();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Metadata.Entry entry : Metadata.decode(raw)) {
      out.put(entry.nameString(), entry.valueString());
    }
    return out;
  }

  /**
   * Size, time, CRC32 and source of a file as the storage sees it (22).
   *
   * @param computeCrc false asks the server not to read appender/slave files to compute the CRC32
   */
  public StoredFileInfo queryFileInfo(String group, String remoteName, boolean computeCrc)
      throws IOException {
    return ResponseDecoder.fileInfo(
        connection.call(
            bytes(new QueryFileInfo(group, remoteName, !computeCrc)),
            "query file info of " + group + "/" + remoteName + " on storage " + peer()));
  }

  /** Appends {@code size} bytes to an appender file (24). */
  public void append(String appenderRemoteName, InputStream content, long size) throws IOException {
    String context = "append to " + appenderRemoteName + " on storage " + peer();
    connection.sendStreamed(
        bytes(new WriteAppender(appenderRemoteName, false, -1, size)), content, size, context);
    expectEmpty(context);
  }

  /** Overwrites {@code size} bytes of an appender file at {@code offset} (34). */
  public void modify(String appenderRemoteName, long offset, InputStream content, long size)
      throws IOException {
    String context = "modify " + appenderRemoteName + " on storage " + peer();
    connection.sendStreamed(
        bytes(new WriteAppender(appenderRemoteName, true, offset, size)), content, size, context);
    expectEmpty(context);
  }

  /** Truncates an appender file to {@code newSize} bytes (36). */
  public void truncate(String appenderRemoteName, long newSize) throws IOException {
    connection.callExpectingEmpty(
        bytes(new Truncate(appenderRemoteName, newSize)),
        "truncate " + appenderRemoteName + " on storage " + peer());
  }

  /** Seals an appender file into a normal file with a new name (38) and returns that name. */
  public StoredFile regenerateAppenderName(String appenderRemoteName) throws IOException {
    return ResponseDecoder.storedFile(
        connection.call(
            bytes(new RegenerateAppenderName(appenderRemoteName)),
            "regenerate name of " + appenderRemoteName + " on storage " + peer()));
  }

  /** Checks that the storage still answers on this connection. */
  public void activeTest() throws IOException {
    connection.callExpectingEmpty(bytes(new ActiveTest()), "active test at storage " + peer());
  }

  private void expectEmpty(String context) throws IOException {
    long length = connection.readHeader(context);
    if (length != 0) {
      connection.close(false);
      throw new java.net.ProtocolException(
          "expected an empty answer, got " + length + " bytes (" + context + ")");
    }
  }

  /**
   * The bytes of {@code r} as {@link StorageCodec} lays them out: header and body, or for a
   * streamed command (upload, append, modify) the header and fixed part, the content to follow.
   */
  private static byte[] bytes(StorageRequest r) {
    return StorageCodec.encode(r).getBytes();
  }

  /** Metadata in FastDFS's wire form (fastdfs-protocol.md §4). */
  static byte[] encodeMetadata(Map<String, String> metadata) {
    List<Metadata.Entry> entries = new ArrayList<>(metadata.size());
    metadata.forEach((k, v) -> entries.add(Metadata.Entry.of(k, v)));
    return Metadata.encode(entries);
  }

  /** Sends QUIT (when the connection is in step) and closes the socket. */
  @Override
  public void close() {
    connection.close(true);
  }
}
