package io.dfstree.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Storage settings, bound by Jackson from the {@code storage} section of the configuration. The
 * defaults are those of {@code dfstree-defaults.yaml}; every key is documented in {@code
 * conf/storage.yaml}.
 *
 * @param id numeric storage id 1..16777215, embedded in every file name it creates
 * @param group group name, 1..16 letters and digits
 * @param host address to bind
 * @param advertisedHost address trackers hand to clients (defaults to {@code host})
 * @param port FastDFS storage port
 * @param httpPort HTTP port (0 = off)
 * @param storePaths data directories, M00, M01, ... in this order
 * @param readOnlyPaths indexes of store paths that take no new uploads
 * @param storePathSelection {@code round-robin} or {@code most-free} when the client lets the
 *     storage choose
 * @param subdirCount directories per level, 1..256
 * @param fileDistributeMode 0 rotate through directories, 1 hash of the name
 * @param fileDistributeRotateCount files per directory before rotating (mode 0)
 * @param fsync force file data to disk before acknowledging a write
 * @param reservedSpace space kept free per store path: bytes ("1G", "512M") or a percentage ("10%")
 * @param heartbeatIntervalMs how often the storage publishes its heartbeat
 * @param uploadPriority lower is preferred when trackers use storeServer = 2
 * @param maxRequestBytes largest non-streamed request body (metadata, names)
 * @param eventLoops protocol listener instances (one event loop each)
 * @param diskThreads threads doing file I/O (open, write, fsync, rename)
 * @param allowHosts client IP allow-list; empty allows all
 * @param writeQuorum members that must hold an upload (fsynced when fsync is on) before it is
 *     acknowledged
 * @param whenDegraded fewer than writeQuorum members active: {@code accept} (write, peers catch up)
 *     or {@code refuse}
 * @param replicaTimeoutMs a peer that makes no progress for this long is dropped from an upload
 * @param catchUpIntervalMs how often peers' binlogs are polled when idle
 * @param pushCopies with a write quorum of 1, stream each upload's copy to the peers while it
 *     arrives instead of leaving every copy to their catch-up
 * @param pushCopiesMaxSize with pushCopies, the largest upload pushed; larger ones are left to
 *     catch-up (a pushed copy paces the client's upload to the peer's writes)
 * @param peerTimeoutMs a peer silent this long is no longer counted as a member
 * @param limits what one client may hold on the storage port (connections, idle and trickle
 *     timeouts)
 * @param http HTTP access: anti-leech tokens, upload limit, API keys ({@code storage.http})
 * @param packed small files in packed volumes ({@code storage.packed}: enabled, maxFileSize,
 *     volumeSize)
 * @param reliability tombstone retention, CRC32 checks on download, background scrub ({@code
 *     storage.reliability})
 */
public record StorageOptions(
    int id,
    String group,
    String host,
    String advertisedHost,
    int port,
    int httpPort,
    List<String> storePaths,
    List<Integer> readOnlyPaths,
    StorePathSelection storePathSelection,
    int subdirCount,
    int fileDistributeMode,
    int fileDistributeRotateCount,
    boolean fsync,
    String reservedSpace,
    long heartbeatIntervalMs,
    int uploadPriority,
    int maxRequestBytes,
    int eventLoops,
    int diskThreads,
    List<String> allowHosts,
    int writeQuorum,
    WhenDegraded whenDegraded,
    long replicaTimeoutMs,
    long catchUpIntervalMs,
    boolean pushCopies,
    @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = ByteSize.Deserializer.class)
        long pushCopiesMaxSize,
    long peerTimeoutMs,
    io.dfstree.protocol.ClientLimits limits,
    HttpOptions http,
    Packed packed,
    ReliabilityOptions reliability) {

  /**
   * {@code storage.packed}: uploads up to {@code maxFileSize} (not appender, not slave) become
   * slots of volume files of {@code volumeSize} named by trunk file IDs; at most {@code
   * maxPendingBytes} of them are held in memory before their slot is written (more go to files of
   * their own). A download of a slot (up to 64 KiB) whose pages are in the page cache is read on
   * the event loop; {@code inlineReadWindow} bounds the deletes done there (a slot this process
   * wrote within that many bytes of its volume) and the reads where a volume cannot be mapped; 0:
   * neither, every read on a disk thread.
   */
  public record Packed(
      boolean enabled,
      @com.fasterxml.jackson.databind.annotation.JsonDeserialize(
              using = ByteSize.Deserializer.class)
          long maxFileSize,
      @com.fasterxml.jackson.databind.annotation.JsonDeserialize(
              using = ByteSize.Deserializer.class)
          long volumeSize,
      @com.fasterxml.jackson.databind.annotation.JsonDeserialize(
              using = ByteSize.Deserializer.class)
          long maxPendingBytes,
      @com.fasterxml.jackson.databind.annotation.JsonDeserialize(
              using = ByteSize.Deserializer.class)
          long inlineReadWindow) {
    void validate() {
      TrackerOptions.require(
          inlineReadWindow >= 0, "storage.packed.inlineReadWindow must be 0 (off) or more");
      TrackerOptions.require(
          maxPendingBytes >= maxFileSize,
          "storage.packed.maxPendingBytes must hold at least one file of maxFileSize");
      TrackerOptions.require(
          maxFileSize >= 1 && maxFileSize <= 16 << 20,
          "storage.packed.maxFileSize must be 1 byte..16M");
      TrackerOptions.require(
          volumeSize >= 2L * maxFileSize + 64 && volumeSize <= Integer.MAX_VALUE,
          "storage.packed.volumeSize must hold two files of maxFileSize and be below 2G");
    }
  }

  public StorageOptions {
    storePaths = storePaths == null ? List.of() : List.copyOf(storePaths);
    readOnlyPaths = readOnlyPaths == null ? List.of() : List.copyOf(readOnlyPaths);
    allowHosts = allowHosts == null ? List.of() : List.copyOf(allowHosts);
    advertisedHost = advertisedHost == null ? "" : advertisedHost;
    reservedSpace = reservedSpace == null ? "" : reservedSpace;
  }

  /**
   * The {@code storage} section (keys not given take their built-in default), bound and checked.
   *
   * @throws IllegalArgumentException naming the key, for an unknown key or a value out of range
   */
  public static StorageOptions from(JsonObject c) {
    StorageOptions o = OptionsBinding.bind("storage", c, StorageOptions.class);
    o.validate();
    return o;
  }

  public String clientHost() {
    return advertisedHost == null || advertisedHost.isBlank() ? host : advertisedHost;
  }

  /** The reserve for a path of {@code totalBytes}: absolute value, or a percentage of the path. */
  public long reservedBytes(long totalBytes) {
    String r = reservedSpace.trim();
    if (r.endsWith("%")) {
      double pct = Double.parseDouble(r.substring(0, r.length() - 1));
      return (long) (totalBytes * pct / 100.0);
    }
    return ByteSize.parse(r);
  }

  public boolean mostFreeSelection() {
    return storePathSelection == StorePathSelection.MOST_FREE;
  }

  /**
   * True when uploads are refused (EBUSY) while fewer than {@link #writeQuorum} members are active.
   */
  public boolean refusesWhenDegraded() {
    return whenDegraded == WhenDegraded.REFUSE;
  }

  void validate() {
    TrackerOptions.require(id >= 1 && id <= 0xFFFFFF, "storage.id must be 1..16777215");
    io.dfstree.fileid.FileId.checkGroupName(group);
    TrackerOptions.require(
        !storePaths.isEmpty() && storePaths.size() <= 256,
        "storage.storePaths needs 1..256 entries");
    TrackerOptions.require(
        subdirCount >= 1 && subdirCount <= 256, "storage.subdirCount must be 1..256");
    TrackerOptions.require(port > 0 && port < 65536, "storage.port out of range");
    TrackerOptions.require(httpPort >= 0 && httpPort < 65536, "storage.httpPort out of range");
    TrackerOptions.require(
        writeQuorum >= 1 && writeQuorum <= 32, "storage.writeQuorum must be 1..32");
    TrackerOptions.require(
        diskThreads >= 1 && diskThreads <= 256, "storage.diskThreads must be 1..256");
    TrackerOptions.require(pushCopiesMaxSize >= 0, "storage.pushCopiesMaxSize must be >= 0");
    TrackerOptions.require(http != null, "storage.http must be a section of keys");
    http.validate();
    TrackerOptions.require(packed != null, "storage.packed must be a section of keys");
    packed.validate();
    TrackerOptions.require(reliability != null, "storage.reliability must be a section of keys");
    reliability.validate();
    try {
      reservedBytes(0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("storage.reservedSpace: " + e.getMessage(), e);
    }
  }
}
