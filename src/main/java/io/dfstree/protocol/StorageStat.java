package io.dfstree.protocol;

/**
 * One storage server as list-storages (92) reports it (fastdfs-protocol.md §2.5; bytes in {@link
 * TrackerCodec}). Modern records (487 or 517 bytes) carry rw mode and reserved space; legacy
 * 612-byte records carry a domain name and HTTP port instead. Fields a layout lacks are -1
 * (numbers) or empty (strings).
 *
 * @param counters the 38 statistics counters, indexed as {@code io.dfstree.api.StorageCounters}
 *     names them
 */
public record StorageStat(
    int statusCode,
    int rwMode,
    String id,
    String ip,
    String domainName,
    String sourceId,
    String version,
    long joinTime,
    long upTime,
    long totalMb,
    long freeMb,
    long reservedMb,
    long uploadPriority,
    long storePathCount,
    long subdirCountPerPath,
    long currentWritePath,
    long storagePort,
    long httpPort,
    int connectionAllocCount,
    int connectionCurrentCount,
    int connectionMaxCount,
    long[] counters,
    long lastSourceUpdate,
    long lastSyncUpdate,
    long lastSyncedTimestamp,
    long lastHeartbeatTime,
    boolean trunkServer,
    boolean legacyLayout) {
  /** Modern record with 16-byte IP field. */
  public static final int MODERN_SIZE = 487;

  /** Modern record with 46-byte IP field (IPv6-capable trackers). */
  public static final int MODERN_IPV6_SIZE = 517;

  /** Record sent by FastDFS 6.10 and earlier. */
  public static final int LEGACY_SIZE = 612;

  /** Statistics counters in the 348-byte block both layouts (and the storage's beat) share. */
  public static final int COUNTERS = 38;

  /** The status code as FastDFS names it. */
  public StorageStatus status() {
    return StorageStatus.ofCode(statusCode);
  }

  /** One of the 38 counters, e.g. {@code counter(StorageCounters.SUCCESS_UPLOAD)} (api). */
  public long counter(int index) {
    return counters[index];
  }
}
