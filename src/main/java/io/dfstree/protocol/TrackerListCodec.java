package io.dfstree.protocol;

import io.dfstree.protocol.TrackerReply.GroupStats;
import io.dfstree.protocol.TrackerReply.StorageStats;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The bodies of the tracker's list answers, both directions (fastdfs-protocol.md §2.4, §2.5, §14):
 * 90/91 carry group records of 113 (modern) or 105 (legacy) bytes, 92 storage records of 487/517
 * (modern, IPv4/IPv6 width) or 612 (legacy) bytes. The layout is not announced: a reader recognises
 * it by record size. {@link TrackerCodec} dispatches here; every other tracker layout is there.
 */
final class TrackerListCodec {
  private static final int GROUP = Wire.GROUP_NAME_LEN;

  /** The group record's name field (one byte more than a group name). */
  private static final int GROUP_NAME_FIELD = GROUP + 1;

  private static final int DOMAIN_NAME_LEN = 128;

  private TrackerListCodec() {}

  /** 90/91 answer body: one record per group, each in its own layout. */
  static Buffer groupsBody(GroupStats g) {
    Buffer b = Buffer.buffer(GroupStat.MODERN_SIZE * g.groups().size());
    g.groups().forEach(s -> appendGroupStat(b, s));
    return b;
  }

  /** 92 answer body: one record per storage, each in its own layout. */
  static Buffer storagesBody(StorageStats s) {
    Buffer b = Buffer.buffer(StorageStat.LEGACY_SIZE * s.storages().size());
    s.storages().forEach(t -> appendStorageStat(b, t));
    return b;
  }

  private static void appendGroupStat(Buffer b, GroupStat g) {
    boolean legacy = g.legacyLayout();
    Wire.appendFixed(b, g.name(), GROUP_NAME_FIELD);
    b.appendLong(g.totalMb()).appendLong(g.freeMb());
    if (!legacy) {
      b.appendLong(g.reservedMb());
    }
    b.appendLong(g.trunkFreeMb()).appendLong(g.storageCount()).appendLong(g.storagePort());
    if (legacy) {
      b.appendLong(g.storageHttpPort()).appendLong(g.activeCount());
    } else {
      b.appendLong(g.readableCount()).appendLong(g.writableCount());
    }
    b.appendLong(g.currentWriteServer())
        .appendLong(g.storePathCount())
        .appendLong(g.subdirCountPerPath())
        .appendLong(g.currentTrunkFileId());
  }

  private static void appendStorageStat(Buffer b, StorageStat s) {
    boolean legacy = s.legacyLayout();
    b.appendByte((byte) s.statusCode());
    if (!legacy) {
      b.appendByte((byte) s.rwMode());
    }
    Wire.appendFixed(b, s.id(), Wire.STORAGE_ID_LEN);
    Wire.appendFixed(b, s.ip(), Wire.IP_LEN);
    if (legacy) {
      Wire.appendFixed(b, s.domainName(), DOMAIN_NAME_LEN);
    }
    Wire.appendFixed(b, s.sourceId(), Wire.STORAGE_ID_LEN);
    Wire.appendFixed(b, s.version(), legacy ? 6 : 8);
    b.appendLong(s.joinTime())
        .appendLong(s.upTime())
        .appendLong(s.totalMb())
        .appendLong(s.freeMb());
    if (!legacy) {
      b.appendLong(s.reservedMb());
    }
    b.appendLong(s.uploadPriority())
        .appendLong(s.storePathCount())
        .appendLong(s.subdirCountPerPath())
        .appendLong(s.currentWritePath())
        .appendLong(s.storagePort());
    if (legacy) {
      b.appendLong(s.httpPort());
    }
    // the 348-byte statistics block both layouts share
    b.appendInt(s.connectionAllocCount())
        .appendInt(s.connectionCurrentCount())
        .appendInt(s.connectionMaxCount());
    long[] counters = s.counters();
    for (int i = 0; i < StorageStat.COUNTERS; i++) {
      b.appendLong(counters != null && i < counters.length ? counters[i] : 0);
    }
    b.appendLong(s.lastSourceUpdate())
        .appendLong(s.lastSyncUpdate())
        .appendLong(s.lastSyncedTimestamp())
        .appendLong(s.lastHeartbeatTime());
    b.appendByte((byte) (s.trunkServer() ? 1 : 0));
  }

  /** 90/91: zero or more 113-byte (modern) or 105-byte (legacy) records. */
  static GroupStats decodeGroupStats(Buffer body) {
    List<GroupStat> out = new ArrayList<>();
    FieldReader r = new FieldReader(body);
    // modern first: both sizes divide a body only from 105 groups on, and new servers are the norm
    if (body.length() % GroupStat.MODERN_SIZE == 0) {
      while (r.at < body.length()) {
        String name = r.fixed(GROUP_NAME_FIELD);
        long total = r.i64(), free = r.i64(), reserved = r.i64(), trunkFree = r.i64();
        long count = r.i64(), port = r.i64(), readable = r.i64(), writable = r.i64();
        long writeServer = r.i64(), paths = r.i64(), subdirs = r.i64(), trunkId = r.i64();
        out.add(
            new GroupStat(
                name,
                total,
                free,
                reserved,
                trunkFree,
                count,
                port,
                -1,
                -1,
                readable,
                writable,
                writeServer,
                paths,
                subdirs,
                trunkId,
                false));
      }
    } else if (body.length() % GroupStat.LEGACY_SIZE == 0) {
      while (r.at < body.length()) {
        String name = r.fixed(GROUP_NAME_FIELD);
        long total = r.i64(), free = r.i64(), trunkFree = r.i64(), count = r.i64();
        long port = r.i64(), httpPort = r.i64();
        long active = r.i64(), writeServer = r.i64(), paths = r.i64(), subdirs = r.i64();
        long trunkId = r.i64();
        out.add(
            new GroupStat(
                name,
                total,
                free,
                -1,
                trunkFree,
                count,
                port,
                httpPort,
                active,
                -1,
                -1,
                writeServer,
                paths,
                subdirs,
                trunkId,
                true));
      }
    } else {
      throw FdfsException.invalid(
          "list-groups answer of " + body.length() + " bytes is not a multiple of 113 or 105");
    }
    return new GroupStats(out);
  }

  /** 92: records of 487/517 (modern) or 612 (legacy) bytes. */
  static StorageStats decodeStorageStats(Buffer body) {
    List<StorageStat> out = new ArrayList<>();
    FieldReader r = new FieldReader(body);
    int len = body.length();
    if (len % StorageStat.MODERN_SIZE == 0) {
      while (r.at < len) {
        out.add(modernStorage(r, Wire.IP_LEN));
      }
    } else if (len % StorageStat.MODERN_IPV6_SIZE == 0) {
      while (r.at < len) {
        out.add(modernStorage(r, Wire.IPV6_LEN));
      }
    } else if (len % StorageStat.LEGACY_SIZE == 0) {
      while (r.at < len) {
        out.add(legacyStorage(r));
      }
    } else {
      throw FdfsException.invalid(
          "list-storages answer of " + len + " bytes is not a multiple of 487, 517 or 612");
    }
    return new StorageStats(out);
  }

  private static StorageStat modernStorage(FieldReader r, int ipLen) {
    int status = r.u8();
    int rwMode = r.u8();
    String id = r.fixed(Wire.STORAGE_ID_LEN);
    String ip = r.fixed(ipLen);
    String src = r.fixed(Wire.STORAGE_ID_LEN);
    String version = r.fixed(8);
    long join = r.i64(), up = r.i64(), total = r.i64(), free = r.i64(), reserved = r.i64();
    long priority = r.i64(), paths = r.i64(), subdirs = r.i64(), writePath = r.i64();
    long port = r.i64();
    return withStatBlock(
        r, status, rwMode, id, ip, "", src, version, join, up, total, free, reserved, priority,
        paths, subdirs, writePath, port, -1, false);
  }

  private static StorageStat legacyStorage(FieldReader r) {
    int status = r.u8();
    String id = r.fixed(Wire.STORAGE_ID_LEN);
    String ip = r.fixed(Wire.IP_LEN);
    String domain = r.fixed(DOMAIN_NAME_LEN);
    String src = r.fixed(Wire.STORAGE_ID_LEN);
    String version = r.fixed(6);
    long join = r.i64(), up = r.i64(), total = r.i64(), free = r.i64();
    long priority = r.i64(), paths = r.i64(), subdirs = r.i64(), writePath = r.i64();
    long port = r.i64(), httpPort = r.i64();
    return withStatBlock(
        r, status, -1, id, ip, domain, src, version, join, up, total, free, -1, priority, paths,
        subdirs, writePath, port, httpPort, true);
  }

  /** Reads the 348-byte statistics block both layouts share, then the trunk flag. */
  private static StorageStat withStatBlock(
      FieldReader r,
      int status,
      int rwMode,
      String id,
      String ip,
      String domain,
      String src,
      String version,
      long join,
      long up,
      long total,
      long free,
      long reserved,
      long priority,
      long paths,
      long subdirs,
      long writePath,
      long port,
      long httpPort,
      boolean legacy) {
    int alloc = r.i32(), current = r.i32(), max = r.i32();
    long[] counters = new long[StorageStat.COUNTERS];
    for (int i = 0; i < counters.length; i++) {
      counters[i] = r.i64();
    }
    long lastSource = r.i64(), lastSync = r.i64(), synced = r.i64(), heartbeat = r.i64();
    boolean trunk = r.u8() != 0;
    return new StorageStat(
        status,
        rwMode,
        id,
        ip,
        domain,
        src,
        version,
        join,
        up,
        total,
        free,
        reserved,
        priority,
        paths,
        subdirs,
        writePath,
        port,
        httpPort,
        alloc,
        current,
        max,
        counters,
        lastSource,
        lastSync,
        synced,
        heartbeat,
        trunk,
        legacy);
  }
}
