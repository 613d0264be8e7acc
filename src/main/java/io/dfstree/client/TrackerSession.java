package io.dfstree.client;

import java.io.IOException;
import java.util.List;

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
  public static TrackerSession open(ServerAddress address, FdfsClientOptions options) throws IOException {
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
    String what = group == null || group.isEmpty() ? "any group" : "group " + group;
    return ResponseDecoder.storeTarget(call(RequestEncoder.queryStore(group), "query upload storage for " + what));
  }

  /** A storage that can serve {@code group/remoteName} for download. */
  public StorageAddress queryFetch(String group, String remoteName) throws IOException {
    return ResponseDecoder.fetchTarget(call(RequestEncoder.queryFetch(group, remoteName),
        "query download storage for " + group + "/" + remoteName));
  }

  /** The storage that accepts changes to {@code group/remoteName} (delete, metadata, append, slaves). */
  public StorageAddress queryUpdate(String group, String remoteName) throws IOException {
    return ResponseDecoder.fetchTarget(call(RequestEncoder.queryUpdate(group, remoteName),
        "query update storage for " + group + "/" + remoteName));
  }

  /** Statistics of every group, sorted by name as the tracker sends them. */
  public List<GroupStat> listGroups() throws IOException {
    return ResponseDecoder.groupStats(call(RequestEncoder.listGroups(), "list groups"));
  }

  /** The storages of {@code group}; only the one with {@code storageId} when that is not null or empty. */
  public List<StorageStat> listStorages(String group, String storageId) throws IOException {
    String what = storageId == null || storageId.isEmpty() ? "group " + group : "storage " + storageId + " in group " + group;
    return ResponseDecoder.storageStats(call(RequestEncoder.listStorages(group, storageId), "list storages of " + what));
  }

  /** Checks that the tracker still answers on this connection. */
  public void activeTest() throws IOException {
    connection.callExpectingEmpty(RequestEncoder.activeTest(), "active test at tracker " + peer());
  }

  private byte[] call(byte[] request, String context) throws IOException {
    return connection.call(request, context + " at tracker " + peer());
  }

  /** Sends QUIT (when the connection is in step) and closes the socket. */
  @Override
  public void close() {
    connection.close(true);
  }
}
