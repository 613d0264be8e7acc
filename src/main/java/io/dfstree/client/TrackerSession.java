package io.dfstree.client;

import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.GroupStat;
import io.dfstree.protocol.StorageStat;
import io.dfstree.protocol.TrackerCodec;
import io.dfstree.protocol.TrackerReply.FetchTarget;
import io.dfstree.protocol.TrackerReply.StoreTarget;
import io.dfstree.protocol.TrackerRequest;
import io.dfstree.protocol.TrackerRequest.ListGroups;
import io.dfstree.protocol.TrackerRequest.ListStorages;
import io.dfstree.protocol.TrackerRequest.QueryFetch;
import io.dfstree.protocol.TrackerRequest.QueryStore;
import io.dfstree.protocol.TrackerRequest.QueryUpdate;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.ProtocolException;
import java.util.List;
import java.util.function.Function;

/**
 * One open connection to a tracker. Not thread-safe: one caller at a time, as the protocol is
 * strictly request/response. Reuse it for many queries; {@link #close()} says QUIT.
 */
public final class TrackerSession implements AutoCloseable {
  private final FdfsConnection connection;

  private TrackerSession(FdfsConnection connection) {
    this.connection = connection;
  }

  /** Connects to the tracker at {@code address}. */
  public static TrackerSession open(ServerAddress address, FdfsClientOptions options)
      throws IOException {
    return new TrackerSession(FdfsConnection.open(address, options));
  }

  /** The tracker this session talks to ({@code host:port}). */
  public String peer() {
    return connection.peer();
  }

  /** False once an I/O or framing error left the connection out of step; open a new one then. */
  public boolean isUsable() {
    return connection.isUsable();
  }

  /** The storage (and store path) to upload to: any group when {@code group} is null or empty. */
  public StorageAddress queryStore(String group) throws IOException {
    boolean any = group == null || group.isEmpty();
    return storeAddress(
        call(
            queryStoreRequest(group),
            "query upload storage for " + (any ? "any group" : "group " + group)));
  }

  /** 101 (any group) when {@code group} is null or empty, otherwise 104. */
  static QueryStore queryStoreRequest(String group) {
    return new QueryStore(group == null || group.isEmpty() ? null : group, false);
  }

  /** A storage that can serve {@code group/remoteName} for download. */
  public StorageAddress queryFetch(String group, String remoteName) throws IOException {
    return fetchAddress(
        call(
            new QueryFetch(group, remoteName, false),
            "query download storage for " + group + "/" + remoteName));
  }

  /**
   * The storage that accepts changes to {@code group/remoteName} (delete, metadata, append,
   * slaves).
   */
  public StorageAddress queryUpdate(String group, String remoteName) throws IOException {
    return fetchAddress(
        call(
            new QueryUpdate(group, remoteName),
            "query update storage for " + group + "/" + remoteName));
  }

  /** Statistics of every group, sorted by name as the tracker sends them. */
  public List<GroupStat> listGroups() throws IOException {
    return groupStats(call(new ListGroups(), "list groups"));
  }

  /**
   * The storages of {@code group}; only the one with {@code storageId} when that is not null or
   * empty.
   */
  public List<StorageStat> listStorages(String group, String storageId) throws IOException {
    String what =
        storageId == null || storageId.isEmpty()
            ? "group " + group
            : "storage " + storageId + " in group " + group;
    return storageStats(call(new ListStorages(group, storageId), "list storages of " + what));
  }

  /** Checks that the tracker still answers on this connection. */
  public void activeTest() throws IOException {
    connection.callExpectingEmpty(
        TrackerCodec.encode(new TrackerRequest.ActiveTest()).getBytes(),
        "active test at tracker " + peer());
  }

  private byte[] call(TrackerRequest request, String context) throws IOException {
    return connection.call(
        TrackerCodec.encode(request).getBytes(), context + " at tracker " + peer());
  }

  // ---- answers, as the client's records; a malformed one is a ProtocolException --------------

  /** 101/104 answer. */
  static StorageAddress storeAddress(byte[] body) throws ProtocolException {
    StoreTarget t = decode(body, TrackerCodec::decodeStoreTarget);
    return new StorageAddress(t.group(), t.host(), t.port(), t.storePathIndex());
  }

  /** 102/103 answer: no store path. */
  static StorageAddress fetchAddress(byte[] body) throws ProtocolException {
    FetchTarget t = decode(body, TrackerCodec::decodeFetchTarget);
    return new StorageAddress(t.group(), t.host(), t.port(), StorageAddress.ANY_PATH);
  }

  static List<GroupStat> groupStats(byte[] body) throws ProtocolException {
    return decode(body, TrackerCodec::decodeGroupStats).groups();
  }

  static List<StorageStat> storageStats(byte[] body) throws ProtocolException {
    return decode(body, TrackerCodec::decodeStorageStats).storages();
  }

  /**
   * A malformed answer leaves the stream in step (its length was framed) but is not ours to use.
   */
  private static <T> T decode(byte[] body, Function<Buffer, T> decoder) throws ProtocolException {
    try {
      return decoder.apply(Buffer.buffer(body));
    } catch (FdfsException e) {
      throw new ProtocolException(e.getMessage());
    }
  }

  /** Sends QUIT (when the connection is in step) and closes the socket. */
  @Override
  public void close() {
    connection.close(true);
  }
}
