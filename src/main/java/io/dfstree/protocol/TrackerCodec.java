package io.dfstree.protocol;

import io.dfstree.protocol.TrackerReply.Address;
import io.dfstree.protocol.TrackerReply.Empty;
import io.dfstree.protocol.TrackerReply.FetchTarget;
import io.dfstree.protocol.TrackerReply.FetchTargets;
import io.dfstree.protocol.TrackerReply.GroupStats;
import io.dfstree.protocol.TrackerReply.Leader;
import io.dfstree.protocol.TrackerReply.Parameters;
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
import java.util.List;

/**
 * The one place where the tracker commands' bytes are laid out (fastdfs-protocol.md §2). The
 * tracker decodes requests and encodes replies; clients encode requests and decode replies.
 *
 * <p>Query answers carry IP fields of W - 1 bytes, W = 16 here and 46 on IPv6-capable servers; the
 * width is not announced, so a reader recognises it from the body length as the Java client does
 * (§2.10). List answers are recognised by record size (§2.4, §2.5). Every malformed length is an
 * {@link FdfsException} EINVAL with a message that says which.
 *
 * <p>Each layout is written once, its two directions side by side, so a reviewer finds a command's
 * bytes in one place (issue 8): the requests and the query answers here; the list answers' group
 * and storage records (90/91/92) in {@link TrackerListCodec}; the text answers (69, 75, 95) in
 * {@link TrackerTextCodec}. This class is the entry for all of them. The records it fills live in
 * {@link TrackerRequest} and {@link TrackerReply}.
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
      return TrackerListCodec.groupsBody(g);
    }
    if (r instanceof StorageStats s) {
      return TrackerListCodec.storagesBody(s);
    }
    if (r instanceof StorageIds ids) {
      return TrackerTextCodec.storageIdsBody(ids);
    }
    if (r instanceof Parameters p) {
      return TrackerTextCodec.parametersBody(p);
    }
    if (r instanceof Leader l) {
      return TrackerTextCodec.leaderBody(l);
    }
    return Buffer.buffer(); // Empty
  }

  /** Header and body of a successful answer, one buffer for one write. */
  public static Buffer encodeReply(TrackerReply r) {
    return PacketHeader.response(replyBody(r));
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
    FieldReader r = new FieldReader(body);
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
    FieldReader r = new FieldReader(body);
    String group = r.fixed(GROUP);
    List<Address> storages = new ArrayList<>();
    while (r.at < body.length() - 1) {
      storages.add(new Address(r.fixed(QUERY_IP_LEN), (int) r.i64()));
    }
    return new StoreTargets(group, storages, r.u8());
  }

  /** 102/103: 39 or 69 bytes. */
  public static FetchTarget decodeFetchTarget(Buffer body) {
    FieldReader r = new FieldReader(body);
    int ipLen = ipWidth(body.length(), GROUP + 8, "fetch/update query");
    return new FetchTarget(r.fixed(GROUP), r.fixed(ipLen), (int) r.i64());
  }

  /** 105 in the legacy IPv4 shape: 39 + 15·(N - 1) bytes. */
  public static FetchTargets decodeFetchTargets(Buffer body) {
    if (body.length() < FETCH_ONE_SIZE || (body.length() - FETCH_ONE_SIZE) % QUERY_IP_LEN != 0) {
      throw FdfsException.invalid(
          "fetch-all answer of " + body.length() + " bytes is not 39 + 15·N");
    }
    FieldReader r = new FieldReader(body);
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
    return TrackerListCodec.decodeGroupStats(body);
  }

  /** 92: records of 487/517 (modern) or 612 (legacy) bytes. */
  public static StorageStats decodeStorageStats(Buffer body) {
    return TrackerListCodec.decodeStorageStats(body);
  }

  /** 69: i32 total, i32 count, then {@code <id> <group> <host>:<port>} lines. */
  public static StorageIds decodeStorageIds(Buffer body) {
    return TrackerTextCodec.decodeStorageIds(body);
  }

  /** 75: {@code name=value} lines. */
  public static Parameters decodeParameters(Buffer body) {
    return TrackerTextCodec.decodeParameters(body);
  }

  /** 95: {@code host:port}, IPv6 hosts in brackets. */
  public static Leader decodeLeader(Buffer body) {
    return TrackerTextCodec.decodeLeader(body);
  }


  // ---- fields
  // --------------------------------------------------------------------------------------

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


  private static byte[] bytes(String s) {
    // names, groups and ids are ASCII by construction; UTF-8 keeps any stray byte intact
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
