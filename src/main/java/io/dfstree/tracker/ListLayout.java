package io.dfstree.tracker;

import io.dfstree.api.Heartbeat;
import io.dfstree.api.StorageCounters;
import io.dfstree.protocol.StorageStatus;
import io.dfstree.protocol.Wire;
import io.vertx.core.buffer.Buffer;

/**
 * The two generations of list-groups (90/91) and list-storages (92) records
 * (fastdfs-protocol.md §2.4, §2.5, Appendix B). A request does not say which one the client
 * parses, so one layout is chosen per deployment ({@code tracker.listLayout}).
 */
public enum ListLayout {
  /** FastDFS <= 6.10, Java client <= 1.30: 105-byte group and 612-byte storage records. */
  LEGACY(105, 612),
  /** FastDFS 6.13.1+, Java client 1.35+: 113-byte group and 487-byte storage records. */
  MODERN(113, 487);

  /** Bytes of the per-storage statistics block shared by both layouts (and the BEAT body). */
  public static final int STAT_BUFFER_SIZE = 348;
  private static final int GROUP_NAME_FIELD = 17;
  private static final int DOMAIN_NAME_LEN = 128;

  public final int groupStatSize;
  public final int storageStatSize;

  ListLayout(int groupStatSize, int storageStatSize) {
    this.groupStatSize = groupStatSize;
    this.storageStatSize = storageStatSize;
  }

  public static ListLayout named(String name) {
    return "modern".equalsIgnoreCase(name) ? MODERN : LEGACY;
  }

  /** One group-stat record. */
  public Buffer groupStat(StorageGroup g) {
    Buffer b = Buffer.buffer(groupStatSize);
    Wire.appendFixed(b, g.name(), GROUP_NAME_FIELD);
    b.appendLong(g.totalMb()).appendLong(g.freeMb());
    if (this == MODERN) {
      b.appendLong(g.reservedMb());
    }
    b.appendLong(0); // trunk_free_mb: no trunk files
    b.appendLong(g.members().size()).appendLong(g.storagePort());
    if (this == LEGACY) {
      b.appendLong(g.httpPort()).appendLong(g.readable().size());
    } else {
      b.appendLong(g.readable().size()).appendLong(g.writable().size());
    }
    b.appendLong(g.writeCursor()).appendLong(g.storePathCount()).appendLong(g.subdirCount());
    return b.appendLong(this == MODERN ? -1 : 0); // current_trunk_file_id
  }

  /** One storage-stat record; {@code lastSyncedTimestamp} comes from {@link GroupMap}. */
  public Buffer storageStat(StorageEntry s, long lastSyncedTimestamp) {
    Heartbeat h = s.heartbeat();
    boolean online = s.status() != StorageStatus.OFFLINE && s.status() != StorageStatus.DELETED;
    Buffer b = Buffer.buffer(storageStatSize);
    b.appendByte((byte) s.status().code);
    if (this == MODERN) {
      b.appendByte((byte) (s.readOnly() ? 4 : 6)); // rw_mode: R_OK | W_OK
    }
    Wire.appendFixed(b, s.idText(), Wire.STORAGE_ID_LEN);
    Wire.appendFixed(b, s.host(), Wire.IP_LEN);
    if (this == LEGACY) {
      Wire.appendFixed(b, "", DOMAIN_NAME_LEN);
    }
    Wire.appendFixed(b, "", Wire.STORAGE_ID_LEN); // src_id: initial sync source is not tracked here
    Wire.appendFixed(b, h.version(), this == LEGACY ? 6 : 8);
    b.appendLong(h.joinTime()).appendLong(online ? h.upTime() : 0).appendLong(s.totalMb()).appendLong(s.freeMb());
    if (this == MODERN) {
      b.appendLong(s.reservedMb());
    }
    b.appendLong(h.uploadPriority()).appendLong(s.paths().size()).appendLong(h.subdirCount())
        .appendLong(h.currentWritePath()).appendLong(h.port());
    if (this == LEGACY) {
      b.appendLong(h.httpPort());
    }
    appendStatBuffer(b, s, lastSyncedTimestamp);
    return b.appendByte((byte) 0); // if_trunk_server
  }

  private static void appendStatBuffer(Buffer b, StorageEntry s, long lastSyncedTimestamp) {
    Heartbeat h = s.heartbeat();
    int[] conn = h.connections();
    for (int i = 0; i < 3; i++) {
      b.appendInt(conn != null && i < conn.length ? conn[i] : 0);
    }
    long[] counters = h.counters();
    for (int i = 0; i < StorageCounters.COUNT; i++) {
      b.appendLong(counters != null && i < counters.length ? counters[i] : 0);
    }
    b.appendLong(h.lastSourceUpdate()).appendLong(h.lastSyncUpdate()).appendLong(lastSyncedTimestamp)
        .appendLong(s.lastBeatMs() / 1000);
  }
}
