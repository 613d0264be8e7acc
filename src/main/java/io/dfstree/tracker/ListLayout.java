package io.dfstree.tracker;

import io.dfstree.api.Heartbeat;
import io.dfstree.protocol.GroupStat;
import io.dfstree.protocol.StorageStat;
import io.dfstree.protocol.StorageStatus;

/**
 * The two generations of list-groups (90/91) and list-storages (92) records (fastdfs-protocol.md
 * §2.4, §2.5, Appendix B). A request does not say which one the client parses, so one layout is
 * chosen per deployment ({@code tracker.listLayout}). This maps what the tracker knows to the
 * records; their bytes are laid out by {@code protocol.TrackerCodec}.
 */
public enum ListLayout {
  /** FastDFS <= 6.10, Java client <= 1.30: 105-byte group and 612-byte storage records. */
  LEGACY,
  /** FastDFS 6.13.1+, Java client 1.35+: 113-byte group and 487-byte storage records. */
  MODERN;

  public static ListLayout named(String name) {
    return "modern".equalsIgnoreCase(name) ? MODERN : LEGACY;
  }

  private boolean legacy() {
    return this == LEGACY;
  }

  /** One group record; the figures a layout has no field for are -1. */
  public GroupStat groupStat(StorageGroup g) {
    long readable = g.readable().size();
    return new GroupStat(
        g.name(),
        g.totalMb(),
        g.freeMb(),
        legacy() ? -1 : g.reservedMb(),
        0 /* no trunk files */,
        g.members().size(),
        g.storagePort(),
        legacy() ? g.httpPort() : -1,
        legacy() ? readable : -1,
        legacy() ? -1 : readable,
        legacy() ? -1 : g.writable().size(),
        g.writeCursor(),
        g.storePathCount(),
        g.subdirCount(),
        legacy() ? 0 : -1 /* current_trunk_file_id */,
        legacy());
  }

  /** One storage record; {@code lastSyncedTimestamp} comes from {@link GroupMap}. */
  public StorageStat storageStat(StorageEntry s, long lastSyncedTimestamp) {
    Heartbeat h = s.heartbeat();
    boolean online = s.status() != StorageStatus.OFFLINE && s.status() != StorageStatus.DELETED;
    int[] conn = h.connections();
    return new StorageStat(
        s.status().code,
        legacy() ? -1 : (s.readOnly() ? 4 : 6) /* R_OK | W_OK */,
        s.idText(),
        s.host(),
        "",
        "" /* src_id: initial sync source is not tracked here */,
        h.version(),
        h.joinTime(),
        online ? h.upTime() : 0,
        s.totalMb(),
        s.freeMb(),
        legacy() ? -1 : s.reservedMb(),
        h.uploadPriority(),
        s.paths().size(),
        h.subdirCount(),
        h.currentWritePath(),
        h.port(),
        legacy() ? h.httpPort() : -1,
        connection(conn, 0),
        connection(conn, 1),
        connection(conn, 2),
        h.counters(),
        h.lastSourceUpdate(),
        h.lastSyncUpdate(),
        lastSyncedTimestamp,
        s.lastBeatMs() / 1000,
        false,
        legacy());
  }

  private static int connection(int[] conn, int i) {
    return conn != null && i < conn.length ? conn[i] : 0;
  }
}
