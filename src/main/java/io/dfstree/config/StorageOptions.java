package io.dfstree.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Storage settings, built from the {@code storage} section of the configuration.
 *
 * @param id                 numeric storage id 1..16777215, embedded in every file name it creates
 * @param group              group name, 1..16 letters and digits
 * @param host               address to bind
 * @param advertisedHost     address trackers hand to clients (defaults to {@code host})
 * @param port               FastDFS storage port
 * @param httpPort           HTTP port (0 = off)
 * @param storePaths         data directories, M00, M01, ... in this order
 * @param readOnlyPaths      indexes of store paths that take no new uploads
 * @param storePathSelection {@code round-robin} or {@code most-free} when the client lets the storage choose
 * @param subdirCount        directories per level, 1..256
 * @param fileDistributeMode 0 rotate through directories, 1 hash of the name
 * @param fileDistributeRotateCount files per directory before rotating (mode 0)
 * @param fsync              force file data to disk before acknowledging a write
 * @param reservedSpace      space kept free per store path: bytes ("1G", "512M") or a percentage ("10%")
 * @param heartbeatIntervalMs how often the storage publishes its heartbeat
 * @param uploadPriority     lower is preferred when trackers use storeServer = 2
 * @param maxRequestBytes    largest non-streamed request body (metadata, names)
 * @param eventLoops         protocol listener instances (one event loop each)
 * @param diskThreads        threads doing file I/O (open, write, fsync, rename)
 * @param allowHosts         client IP allow-list; empty allows all
 * @param writeQuorum        members that must hold an upload (fsynced when fsync is on) before it is acknowledged
 * @param whenDegraded       fewer than writeQuorum members active: {@code accept} (write, peers catch up) or {@code refuse}
 * @param replicaTimeoutMs   a peer that makes no progress for this long is dropped from an upload
 * @param catchUpIntervalMs  how often peers' binlogs are polled when idle
 * @param peerTimeoutMs      a peer silent this long is no longer counted as a member
 * @param http               HTTP access: anti-leech tokens, upload limit, API keys ({@code storage.http})
 * @param packed             small files in packed volumes ({@code storage.packed}: enabled, maxFileSize, volumeSize)
 */
public record StorageOptions(int id, String group, String host, String advertisedHost, int port, int httpPort,
                             List<String> storePaths, List<Integer> readOnlyPaths, String storePathSelection,
                             int subdirCount, int fileDistributeMode, int fileDistributeRotateCount, boolean fsync,
                             String reservedSpace, long heartbeatIntervalMs, int uploadPriority, int maxRequestBytes,
                             int eventLoops, int diskThreads, List<String> allowHosts,
                             int writeQuorum, String whenDegraded, long replicaTimeoutMs, long catchUpIntervalMs,
                             long peerTimeoutMs, HttpOptions http, Packed packed) {

  /** {@code storage.packed}: uploads up to {@code maxFileSize} become slots of volumes of {@code volumeSize}. */
  public record Packed(boolean enabled, int maxFileSize, long volumeSize) {
    static Packed from(JsonObject c) {
      if (c == null) {
        return new Packed(false, 256 * 1024, 1L << 30);
      }
      return new Packed(c.getBoolean("enabled", false), (int) Config.parseSize(String.valueOf(c.getValue("maxFileSize", "256K"))),
          Config.parseSize(String.valueOf(c.getValue("volumeSize", "1G"))));
    }
  }

  public static StorageOptions from(JsonObject c) {
    List<Integer> ro = c.getJsonArray("readOnlyPaths") == null ? List.of()
        : c.getJsonArray("readOnlyPaths").stream().map(v -> Integer.parseInt(String.valueOf(v))).toList();
    StorageOptions o = new StorageOptions(c.getInteger("id"), c.getString("group"), c.getString("host"),
        c.getString("advertisedHost", ""), c.getInteger("port"), c.getInteger("httpPort", 0),
        TrackerOptions.strings(c.getJsonArray("storePaths")), ro, c.getString("storePathSelection"),
        c.getInteger("subdirCount"), c.getInteger("fileDistributeMode"), c.getInteger("fileDistributeRotateCount"),
        c.getBoolean("fsync"), String.valueOf(c.getValue("reservedSpace")), c.getLong("heartbeatIntervalMs"),
        c.getInteger("uploadPriority"), c.getInteger("maxRequestBytes"), c.getInteger("eventLoops"), c.getInteger("diskThreads"),
        TrackerOptions.strings(c.getJsonArray("allowHosts")), c.getInteger("writeQuorum", 2),
        c.getString("whenDegraded", "accept"), c.getLong("replicaTimeoutMs", 10000L),
        c.getLong("catchUpIntervalMs", 500L), c.getLong("peerTimeoutMs", 6000L),
        HttpOptions.from(c.getJsonObject("http")), Packed.from(c.getJsonObject("packed")));
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
    return Config.parseSize(r);
  }

  public boolean mostFreeSelection() {
    return "most-free".equalsIgnoreCase(storePathSelection);
  }

  void validate() {
    TrackerOptions.require(id >= 1 && id <= 0xFFFFFF, "storage.id must be 1..16777215");
    io.dfstree.fileid.FileId.checkGroupName(group);
    TrackerOptions.require(!storePaths.isEmpty() && storePaths.size() <= 256, "storage.storePaths needs 1..256 entries");
    TrackerOptions.require(subdirCount >= 1 && subdirCount <= 256, "storage.subdirCount must be 1..256");
    TrackerOptions.require(port > 0 && port < 65536, "storage.port out of range");
    TrackerOptions.require(httpPort >= 0 && httpPort < 65536, "storage.httpPort out of range");
    TrackerOptions.require(writeQuorum >= 1 && writeQuorum <= 32, "storage.writeQuorum must be 1..32");
    TrackerOptions.require("accept".equals(whenDegraded) || "refuse".equals(whenDegraded),
        "storage.whenDegraded must be accept or refuse");
    TrackerOptions.require(diskThreads >= 1 && diskThreads <= 256, "storage.diskThreads must be 1..256");
    TrackerOptions.require("round-robin".equalsIgnoreCase(storePathSelection) || mostFreeSelection(),
        "storage.storePathSelection must be round-robin or most-free");
    reservedBytes(0);
    TrackerOptions.require(packed.maxFileSize() >= 1 && packed.maxFileSize() <= 16 << 20,
        "storage.packed.maxFileSize must be 1 byte..16M");
    TrackerOptions.require(packed.volumeSize() >= 2L * packed.maxFileSize() + 64 && packed.volumeSize() <= Integer.MAX_VALUE,
        "storage.packed.volumeSize must hold two files of maxFileSize and be at most 2G-1");
  }
}
