package io.dfstree.protocol;

import io.dfstree.protocol.TrackerReply.Address;
import io.dfstree.protocol.TrackerReply.Empty;
import io.dfstree.protocol.TrackerReply.FetchTarget;
import io.dfstree.protocol.TrackerReply.FetchTargets;
import io.dfstree.protocol.TrackerReply.GroupStats;
import io.dfstree.protocol.TrackerReply.Leader;
import io.dfstree.protocol.TrackerReply.Parameters;
import io.dfstree.protocol.TrackerReply.StorageId;
import io.dfstree.protocol.TrackerReply.StorageIds;
import io.dfstree.protocol.TrackerReply.StorageStats;
import io.dfstree.protocol.TrackerReply.StoreTarget;
import io.dfstree.protocol.TrackerReply.StoreTargets;
import io.dfstree.protocol.TrackerRequest.ActiveTest;
import io.dfstree.protocol.TrackerRequest.DeleteStorage;
import io.dfstree.protocol.TrackerRequest.FetchStorageIds;
import io.dfstree.protocol.TrackerRequest.GetLeader;
import io.dfstree.protocol.TrackerRequest.GetParameters;
import io.dfstree.protocol.TrackerRequest.ListGroups;
import io.dfstree.protocol.TrackerRequest.ListOneGroup;
import io.dfstree.protocol.TrackerRequest.ListStorages;
import io.dfstree.protocol.TrackerRequest.QueryFetch;
import io.dfstree.protocol.TrackerRequest.QueryStore;
import io.dfstree.protocol.TrackerRequest.QueryUpdate;
import io.dfstree.protocol.TrackerRequest.Quit;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where the tracker commands' bytes are laid out (fastdfs-protocol.md §2). The
 * tracker decodes requests and encodes replies; clients encode requests and decode replies.
 *
 * <p>Query answers carry IP fields of W - 1 bytes, W = 16 here and 46 on IPv6-capable servers; the
 * width is not announced, so a reader recognises it from the body length as the Java client does
 * (§2.10). List answers are recognised by record size (§2.4, §2.5). Every malformed length is an
 * {@link FdfsException} EINVAL with a message that says which.
 *
 * <p>Why one class of some 700 lines: it is the layout of every tracker command and reply, both
 * directions side by side, so a reviewer finds a command's bytes in one place (issue 8). Split by
 * direction it would put each layout's two halves in different files; the records it fills live
 * in {@link TrackerRequest} and {@link TrackerReply}.
 */
public final class TrackerCodec {
  private static final int GROUP = Wire.GROUP_NAME_LEN;

  /** IP field width in query answers (W - 1). */
  public static final int QUERY_IP_LEN = Wire.IP_LEN - 1;

  private static final int QUERY_IPV6_LEN = Wire.IPV6_LEN - 1;

  /** 101/104 answer: group, ip, port, store path index. */
  public static final int STORE_ONE_SIZE = GROUP + QUERY_IP_LEN + 8 + 1; // 40

  /** 102/103 answer: group, ip, port. */
  public static final int FETCH_ONE_SIZE = GROUP + QUERY_IP_LEN + 8; // 39

  /** File names in 102/103/105 must be 22..127 bytes, as upstream checks. */
  public static final int MIN_FILE_NAME = 22;

  public static final int MAX_FILE_NAME = 127;

  /** Storage id or IP filter in 92/93: fewer than 16 bytes. */
  public static final int MAX_FILTER = 15;

  /** The group record's name field (one byte more than a group name). */
  private static final int GROUP_NAME_FIELD = GROUP + 1;

  private static final int DOMAIN_NAME_LEN = 128;

  private TrackerCodec() {}

  // ---- requests
  // ----------------------------------------------------------------------------------

  /** Header and body of {@code r}, one buffer for one write. */
  public static Buffer encode(TrackerRequest r) {
    Buffer body = Buffer.buffer(32);
    if (r instanceof QueryStore q && q.group() != null) {
      Wire.appendFixed(body, q.group(), GROUP);
    } else if (r instanceof QueryFetch q) {
      Wire.appendFixed(body, q.group(), GROUP).appendBytes(bytes(q.name()));
    } else if (r instanceof QueryUpdate q) {
      Wire.appendFixed(body, q.group(), GROUP).appendBytes(bytes(q.name()));
    } else if (r instanceof ListOneGroup l) {
      Wire.appendFixed(body, l.group(), GROUP);
    } else if (r instanceof ListStorages l) {
      byte[] filter = l.filter() == null ? new byte[0] : bytes(l.filter());
      if (filter.length > MAX_FILTER) {
        throw new IllegalArgumentException(
            "storage id must be shorter than 16 bytes: " + l.filter());
      }
      Wire.appendFixed(body, l.group(), GROUP).appendBytes(filter);
    } else if (r instanceof DeleteStorage d) {
      Wire.appendFixed(body, d.group(), GROUP).appendBytes(bytes(d.idOrHost()));
    } else if (r instanceof FetchStorageIds f) {
      body.appendInt(f.startIndex());
      if (f.allowEmpty() != null) {
        body.appendByte((byte) (f.allowEmpty() ? 1 : 0));
      }
    } // 101/106, 91, 95, 75, 111, 82: no body
    return PacketHeader.request(r.command(), body);
  }

  /**
   * Decodes a whole request body. A body of the wrong length, a group field that is not NUL padded,
   * a file name out of 22..127 bytes or an unknown command is EINVAL.
   */
  public static TrackerRequest decode(PacketHeader h, Buffer b) {
    switch (h.command()) {
      case Command.QUIT:
        return new Quit();
      case Command.ACTIVE_TEST:
        requireLength(b, 0);
        return new ActiveTest();
      case Command.QUERY_STORE_WITHOUT_GROUP_ONE:
      case Command.QUERY_STORE_WITHOUT_GROUP_ALL:
        requireLength(b, 0);
        return new QueryStore(null, h.command() == Command.QUERY_STORE_WITHOUT_GROUP_ALL);
      case Command.QUERY_STORE_WITH_GROUP_ONE:
      case Command.QUERY_STORE_WITH_GROUP_ALL:
        requireLength(b, GROUP);
        return new QueryStore(group(b), h.command() == Command.QUERY_STORE_WITH_GROUP_ALL);
      case Command.QUERY_FETCH_ONE:
      case Command.QUERY_FETCH_ALL:
        requireFileName(b);
        return new QueryFetch(
            group(b), text(b, GROUP, b.length()), h.command() == Command.QUERY_FETCH_ALL);
      case Command.QUERY_UPDATE:
        requireFileName(b);
        return new QueryUpdate(group(b), text(b, GROUP, b.length()));
      case Command.LIST_ALL_GROUPS:
        requireLength(b, 0);
        return new ListGroups();
      case Command.LIST_ONE_GROUP:
        requireLength(b, GROUP);
        return new ListOneGroup(group(b));
      case Command.LIST_STORAGE:
        if (b.length() < GROUP || b.length() > GROUP + MAX_FILTER) {
          throw FdfsException.invalid("list storages body must be 16..31 bytes, got " + b.length());
        }
        return new ListStorages(group(b), text(b, GROUP, b.length()));
      case Command.DELETE_STORAGE:
        {
          if (b.length() <= GROUP || b.length() > GROUP + MAX_FILTER) {
            throw FdfsException.invalid(
                "delete storage body must be 17..31 bytes, got " + b.length());
          }
          String group = group(b);
          String idOrHost = text(b, GROUP, b.length());
          if (idOrHost.isEmpty()) {
            throw FdfsException.invalid("delete storage without a storage id");
          }
          return new DeleteStorage(group, idOrHost);
        }
      case Command.GET_LEADER:
        requireLength(b, 0);
        return new GetLeader();
      case Command.PARAMETER_REQ:
        requireLength(b, 0);
        return new GetParameters();
      case Command.FETCH_STORAGE_IDS:
        {
          if (b.length() != 4 && b.length() != 5) {
            throw FdfsException.invalid(
                "fetch storage ids body must be 4 or 5 bytes, got " + b.length());
          }
          int start = b.getInt(0);
          if (start < 0) {
            throw FdfsException.invalid("negative start index " + start);
          }
          return new FetchStorageIds(start, b.length() == 5 ? b.getByte(4) != 0 : null);
        }
      default:
        throw FdfsException.invalid("unknown command " + h.commandCode());
    }
  }

  // ---- replies: server side ---------------------------------------------------------------------

  /** The body of a successful answer. */
  public static Buffer replyBody(TrackerReply r) {
    if (r instanceof StoreTarget t) {
      Buffer b = Buffer.buffer(STORE_ONE_SIZE);
      Wire.appendFixed(b, t.group(), GROUP);
      Wire.appendFixed(b, t.host(), QUERY_IP_LEN);
      return b.appendLong(t.port()).appendByte((byte) t.storePathIndex());
    }
    if (r instanceof StoreTargets t) {
      Buffer b = Buffer.buffer(GROUP + (QUERY_IP_LEN + 8) * t.storages().size() + 1);
      Wire.appendFixed(b, t.group(), GROUP);
      for (Address a : t.storages()) {
        Wire.appendFixed(b, a.host(), QUERY_IP_LEN).appendLong(a.port());
      }
      return b.appendByte((byte) t.storePathIndex());
    }
    if (r instanceof FetchTarget t) {
      Buffer b = Buffer.buffer(FETCH_ONE_SIZE);
      Wire.appendFixed(b, t.group(), GROUP);
      return Wire.appendFixed(b, t.host(), QUERY_IP_LEN).appendLong(t.port());
    }
    if (r instanceof FetchTargets t) {
      Buffer b = Buffer.buffer(FETCH_ONE_SIZE + QUERY_IP_LEN * (t.hosts().size() - 1));
      Wire.appendFixed(b, t.group(), GROUP);
      Wire.appendFixed(b, t.hosts().get(0), QUERY_IP_LEN).appendLong(t.port());
      for (String host : t.hosts().subList(1, t.hosts().size())) {
        Wire.appendFixed(b, host, QUERY_IP_LEN);
      }
      return b;
    }
    if (r instanceof GroupStats g) {
      Buffer b = Buffer.buffer(GroupStat.MODERN_SIZE * g.groups().size());
      g.groups().forEach(s -> appendGroupStat(b, s));
      return b;
    }
    if (r instanceof StorageStats s) {
      Buffer b = Buffer.buffer(StorageStat.LEGACY_SIZE * s.storages().size());
      s.storages().forEach(t -> appendStorageStat(b, t));
      return b;
    }
    if (r instanceof StorageIds ids) {
      StringBuilder lines = new StringBuilder();
      for (StorageId s : ids.ids()) {
        lines
            .append(s.id())
            .append(' ')
            .append(s.group())
            .append(' ')
            .append(s.host())
            .append(':')
            .append(s.port())
            .append('\n');
      }
      return Buffer.buffer()
          .appendInt(ids.total())
          .appendInt(ids.ids().size())
          .appendBytes(lines.toString().getBytes(StandardCharsets.US_ASCII));
    }
    if (r instanceof Parameters p) {
      StringBuilder text = new StringBuilder();
      p.values().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
      return Buffer.buffer(text.toString().getBytes(StandardCharsets.US_ASCII));
    }
    if (r instanceof Leader l) {
      String h = l.host().contains(":") ? "[" + l.host() + "]" : l.host();
      return Buffer.buffer((h + ":" + l.port()).getBytes(StandardCharsets.US_ASCII));
    }
    return Buffer.buffer(); // Empty
  }

  /** Header and body of a successful answer, one buffer for one write. */
  public static Buffer encodeReply(TrackerReply r) {
    return PacketHeader.response(replyBody(r));
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

  // ---- replies: client side ---------------------------------------------------------------------

  /** The answer to {@code requestCommand}, by its layout. */
  public static TrackerReply decodeReply(byte requestCommand, Buffer body) {
    return switch (requestCommand) {
      case Command.QUERY_STORE_WITHOUT_GROUP_ONE, Command.QUERY_STORE_WITH_GROUP_ONE ->
          decodeStoreTarget(body);
      case Command.QUERY_STORE_WITHOUT_GROUP_ALL, Command.QUERY_STORE_WITH_GROUP_ALL ->
          decodeStoreTargets(body);
      case Command.QUERY_FETCH_ONE, Command.QUERY_UPDATE -> decodeFetchTarget(body);
      case Command.QUERY_FETCH_ALL -> decodeFetchTargets(body);
      case Command.LIST_ALL_GROUPS, Command.LIST_ONE_GROUP -> decodeGroupStats(body);
      case Command.LIST_STORAGE -> decodeStorageStats(body);
      case Command.FETCH_STORAGE_IDS -> decodeStorageIds(body);
      case Command.PARAMETER_REQ -> decodeParameters(body);
      case Command.GET_LEADER -> decodeLeader(body);
      case Command.ACTIVE_TEST, Command.DELETE_STORAGE -> {
        requireLength(body, 0);
        yield new Empty();
      }
      default ->
          throw FdfsException.invalid("no answer layout for command " + (requestCommand & 0xFF));
    };
  }

  /** 101/104: 40 bytes with IPv4-width address, 70 with IPv6 width. */
  public static StoreTarget decodeStoreTarget(Buffer body) {
    Reader r = new Reader(body);
    int ipLen = ipWidth(body.length(), GROUP + 8 + 1, "store query");
    return new StoreTarget(r.fixed(GROUP), r.fixed(ipLen), (int) r.i64(), r.u8());
  }

  /** 106/107: group, then 23 bytes per storage, then the store path index. */
  public static StoreTargets decodeStoreTargets(Buffer body) {
    int per = QUERY_IP_LEN + 8;
    if (body.length() < GROUP + per + 1 || (body.length() - GROUP - 1) % per != 0) {
      throw FdfsException.invalid(
          "store-all answer of " + body.length() + " bytes is not 17 + 23·N");
    }
    Reader r = new Reader(body);
    String group = r.fixed(GROUP);
    List<Address> storages = new ArrayList<>();
    while (r.at < body.length() - 1) {
      storages.add(new Address(r.fixed(QUERY_IP_LEN), (int) r.i64()));
    }
    return new StoreTargets(group, storages, r.u8());
  }

  /** 102/103: 39 or 69 bytes. */
  public static FetchTarget decodeFetchTarget(Buffer body) {
    Reader r = new Reader(body);
    int ipLen = ipWidth(body.length(), GROUP + 8, "fetch/update query");
    return new FetchTarget(r.fixed(GROUP), r.fixed(ipLen), (int) r.i64());
  }

  /** 105 in the legacy IPv4 shape: 39 + 15·(N - 1) bytes. */
  public static FetchTargets decodeFetchTargets(Buffer body) {
    if (body.length() < FETCH_ONE_SIZE || (body.length() - FETCH_ONE_SIZE) % QUERY_IP_LEN != 0) {
      throw FdfsException.invalid(
          "fetch-all answer of " + body.length() + " bytes is not 39 + 15·N");
    }
    Reader r = new Reader(body);
    String group = r.fixed(GROUP);
    List<String> hosts = new ArrayList<>();
    hosts.add(r.fixed(QUERY_IP_LEN));
    int port = (int) r.i64();
    while (r.at < body.length()) {
      hosts.add(r.fixed(QUERY_IP_LEN));
    }
    return new FetchTargets(group, port, hosts);
  }

  /** 90/91: zero or more 113-byte (modern) or 105-byte (legacy) records. */
  public static GroupStats decodeGroupStats(Buffer body) {
    List<GroupStat> out = new ArrayList<>();
    Reader r = new Reader(body);
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
  public static StorageStats decodeStorageStats(Buffer body) {
    List<StorageStat> out = new ArrayList<>();
    Reader r = new Reader(body);
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

  /** 69: i32 total, i32 count, then {@code <id> <group> <host>:<port>} lines. */
  public static StorageIds decodeStorageIds(Buffer body) {
    if (body.length() < 8) {
      throw FdfsException.invalid(
          "storage ids answer of " + body.length() + " bytes is shorter than 8");
    }
    int total = body.getInt(0);
    int count = body.getInt(4);
    List<StorageId> ids = new ArrayList<>();
    for (String line : text(body, 8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(" +");
      int colon = f.length < 3 ? -1 : f[2].lastIndexOf(':');
      if (colon < 0) {
        throw FdfsException.invalid("storage ids line is not <id> <group> <host>:<port>: " + line);
      }
      ids.add(
          new StorageId(
              f[0], f[1], unbracket(f[2].substring(0, colon)), port(f[2].substring(colon + 1))));
    }
    if (ids.size() != count || total < count) {
      throw FdfsException.invalid(
          "storage ids answer counts " + count + " of " + total + " but carries " + ids.size());
    }
    return new StorageIds(total, ids);
  }

  /** 75: {@code name=value} lines. */
  public static Parameters decodeParameters(Buffer body) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : text(body, 0).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1));
      } else if (!line.isBlank()) {
        throw FdfsException.invalid("parameter line without '=': " + line);
      }
    }
    return new Parameters(values);
  }

  /** 95: {@code host:port}, IPv6 hosts in brackets. */
  public static Leader decodeLeader(Buffer body) {
    String text = text(body, 0);
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw FdfsException.invalid("leader answer is not host:port: " + text);
    }
    return new Leader(unbracket(text.substring(0, colon)), port(text.substring(colon + 1)));
  }

  private static StorageStat modernStorage(Reader r, int ipLen) {
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

  private static StorageStat legacyStorage(Reader r) {
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
      Reader r,
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

  // ---- fields
  // --------------------------------------------------------------------------------------

  /** Reads fields one after the other. */
  private static final class Reader {
    final Buffer b;
    int at;

    Reader(Buffer b) {
      this.b = b;
    }

    long i64() {
      long v = b.getLong(at);
      at += 8;
      return v;
    }

    int i32() {
      int v = b.getInt(at);
      at += 4;
      return v;
    }

    int u8() {
      return b.getByte(at++) & 0xFF;
    }

    String fixed(int width) {
      String s = Wire.readFixed(b, at, width);
      at += width;
      return s;
    }
  }

  private static int ipWidth(int bodyLength, int otherFields, String what) {
    if (bodyLength == otherFields + QUERY_IP_LEN) {
      return QUERY_IP_LEN;
    }
    if (bodyLength == otherFields + QUERY_IPV6_LEN) {
      return QUERY_IPV6_LEN;
    }
    throw FdfsException.invalid(
        what
            + " answer of "
            + bodyLength
            + " bytes (expected "
            + (otherFields + QUERY_IP_LEN)
            + " or "
            + (otherFields + QUERY_IPV6_LEN)
            + ")");
  }

  private static void requireLength(Buffer body, int expected) {
    if (body.length() != expected) {
      throw FdfsException.invalid("body must be " + expected + " bytes, got " + body.length());
    }
  }

  private static void requireFileName(Buffer body) {
    int nameLen = body.length() - GROUP;
    if (nameLen < MIN_FILE_NAME || nameLen > MAX_FILE_NAME) {
      throw FdfsException.invalid(
          "file query body must carry a "
              + MIN_FILE_NAME
              + ".."
              + MAX_FILE_NAME
              + " byte name, got "
              + nameLen);
    }
  }

  /** The NUL-padded group name at the start of {@code body}. */
  private static String group(Buffer body) {
    if (!Wire.isCleanFixed(body, 0, GROUP)) {
      throw FdfsException.invalid("group name field is not NUL padded");
    }
    return Wire.readFixed(body, 0, GROUP);
  }

  /** Variable-length text, ignoring NUL padding some clients add. */
  private static String text(Buffer body, int from, int to) {
    int end = from;
    while (end < to && body.getByte(end) != 0) {
      end++;
    }
    return Wire.ascii(body, from, end).trim();
  }

  private static String text(Buffer body, int from) {
    return body.getString(from, body.length(), "US-ASCII");
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int port(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw FdfsException.invalid("port is not a number: " + text);
    }
  }

  private static byte[] bytes(String s) {
    // names, groups and ids are ASCII by construction; UTF-8 keeps any stray byte intact
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
