package io.dfstree.client;

import io.dfstree.api.StorageCounters;
import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses response headers and bodies. The IP field width W (16 or 46) is not announced by the
 * server, so it is recognised from the body length as the Java client does (fastdfs-protocol.md
 * §2.10); list answers are recognised by record size (§2.4, §2.5).
 */
public final class ResponseDecoder {
  private static final int GROUP_LEN = 16;
  private static final int IP_LEN = 16;
  private static final int IPV6_LEN = 46;

  private ResponseDecoder() {}

  /** A decoded response header: how many body bytes follow and the status (0 = success). */
  public record ResponseHeader(long bodyLength, int status) {}

  /**
   * Decodes a 10-byte response header. The status is returned, not thrown, so the caller can
   * still skip a (non-standard) error body and keep the connection in step.
   *
   * @throws ProtocolException when the bytes are not a FastDFS response at all
   */
  public static ResponseHeader header(byte[] header) throws ProtocolException {
    ByteBuffer b = ByteBuffer.wrap(header);
    long length = b.getLong();
    int command = b.get() & 0xFF;
    int status = b.get() & 0xFF;
    if (command != Command.RESP) {
      throw new ProtocolException("response command " + command + " is not " + Command.RESP);
    }
    if (length < 0) {
      throw new ProtocolException("negative body length " + length);
    }
    return new ResponseHeader(length, status);
  }

  /** Throws the {@link FdfsException} a non-zero status stands for. */
  public static void checkStatus(ResponseHeader header, String context) {
    if (header.status() != Errno.OK) {
      throw new FdfsException(header.status(), context);
    }
  }

  /** Store query answer (101/104): 40 bytes with IPv4-width address, 70 with IPv6 width. */
  public static StorageAddress storeTarget(byte[] body) throws ProtocolException {
    int ipLen = ipWidth(body.length, GROUP_LEN + 8 + 1, "store query");
    ByteBuffer b = ByteBuffer.wrap(body);
    String group = fixed(b, GROUP_LEN);
    String ip = fixed(b, ipLen);
    long port = b.getLong();
    int pathIndex = b.get() & 0xFF;
    return new StorageAddress(group, ip, (int) port, pathIndex);
  }

  /** Fetch/update query answer (102/103): 39 or 69 bytes. */
  public static StorageAddress fetchTarget(byte[] body) throws ProtocolException {
    int ipLen = ipWidth(body.length, GROUP_LEN + 8, "fetch/update query");
    ByteBuffer b = ByteBuffer.wrap(body);
    String group = fixed(b, GROUP_LEN);
    String ip = fixed(b, ipLen);
    long port = b.getLong();
    return new StorageAddress(group, ip, (int) port, StorageAddress.ANY_PATH);
  }

  /** Upload, slave upload and regenerate answers: group then remote name ({@link StorageCodec}). */
  public static StoredFile storedFile(byte[] body) throws ProtocolException {
    try {
      StorageReply.StoredFile f = StorageCodec.decodeStoredFile(io.vertx.core.buffer.Buffer.buffer(body));
      return new StoredFile(f.group(), f.remoteName());
    } catch (FdfsException e) {
      throw new ProtocolException(e.getMessage());
    }
  }

  /** Query file info answer (22): 40 or 70 bytes ({@link StorageCodec}). */
  public static StoredFileInfo fileInfo(byte[] body) throws ProtocolException {
    try {
      StorageReply.FileInfo i = StorageCodec.decodeFileInfo(io.vertx.core.buffer.Buffer.buffer(body));
      return new StoredFileInfo(i.size(), i.mtimeSeconds(), i.crc32(), i.sourceIp());
    } catch (FdfsException e) {
      throw new ProtocolException(e.getMessage());
    }
  }

  /** List groups answer (91): zero or more 113-byte (modern) or 105-byte (legacy) records. */
  public static List<GroupStat> groupStats(byte[] body) throws ProtocolException {
    List<GroupStat> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(body);
    // modern first: both sizes divide a body only from 105 groups on, and new servers are the norm
    if (body.length % GroupStat.MODERN_SIZE == 0) {
      while (b.hasRemaining()) {
        String name = fixed(b, GROUP_LEN + 1);
        long total = b.getLong(), free = b.getLong(), reserved = b.getLong(), trunkFree = b.getLong();
        long count = b.getLong(), port = b.getLong(), readable = b.getLong(), writable = b.getLong();
        long writeServer = b.getLong(), paths = b.getLong(), subdirs = b.getLong(), trunkId = b.getLong();
        out.add(new GroupStat(name, total, free, reserved, trunkFree, count, port, -1, readable, writable,
            writeServer, paths, subdirs, trunkId, false));
      }
    } else if (body.length % GroupStat.LEGACY_SIZE == 0) {
      while (b.hasRemaining()) {
        String name = fixed(b, GROUP_LEN + 1);
        long total = b.getLong(), free = b.getLong(), trunkFree = b.getLong(), count = b.getLong();
        long port = b.getLong();
        b.getLong(); // storage_http_port: the HTTP port has no place in the modern record either
        long active = b.getLong(), writeServer = b.getLong(), paths = b.getLong(), subdirs = b.getLong();
        long trunkId = b.getLong();
        out.add(new GroupStat(name, total, free, -1, trunkFree, count, port, active, -1, -1,
            writeServer, paths, subdirs, trunkId, true));
      }
    } else {
      throw new ProtocolException("list-groups answer of " + body.length + " bytes is not a multiple of 113 or 105");
    }
    return out;
  }

  /** List storages answer (92): records of 487/517 (modern) or 612 (legacy) bytes. */
  public static List<StorageStat> storageStats(byte[] body) throws ProtocolException {
    List<StorageStat> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(body);
    if (body.length % StorageStat.MODERN_SIZE == 0) {
      while (b.hasRemaining()) {
        out.add(modernStorage(b, IP_LEN));
      }
    } else if (body.length % StorageStat.MODERN_IPV6_SIZE == 0) {
      while (b.hasRemaining()) {
        out.add(modernStorage(b, IPV6_LEN));
      }
    } else if (body.length % StorageStat.LEGACY_SIZE == 0) {
      while (b.hasRemaining()) {
        out.add(legacyStorage(b));
      }
    } else {
      throw new ProtocolException("list-storages answer of " + body.length
          + " bytes is not a multiple of 487, 517 or 612");
    }
    return out;
  }

  private static StorageStat modernStorage(ByteBuffer b, int ipLen) {
    int status = b.get() & 0xFF;
    int rwMode = b.get() & 0xFF;
    String id = fixed(b, 16);
    String ip = fixed(b, ipLen);
    String src = fixed(b, 16);
    String version = fixed(b, 8);
    long join = b.getLong(), up = b.getLong(), total = b.getLong(), free = b.getLong(), reserved = b.getLong();
    long priority = b.getLong(), paths = b.getLong(), subdirs = b.getLong(), writePath = b.getLong();
    long port = b.getLong();
    return withStatBuffer(b, status, rwMode, id, ip, "", src, version, join, up, total, free, reserved,
        priority, paths, subdirs, writePath, port, -1, false);
  }

  private static StorageStat legacyStorage(ByteBuffer b) {
    int status = b.get() & 0xFF;
    String id = fixed(b, 16);
    String ip = fixed(b, 16);
    String domain = fixed(b, 128);
    String src = fixed(b, 16);
    String version = fixed(b, 6);
    long join = b.getLong(), up = b.getLong(), total = b.getLong(), free = b.getLong();
    long priority = b.getLong(), paths = b.getLong(), subdirs = b.getLong(), writePath = b.getLong();
    long port = b.getLong(), httpPort = b.getLong();
    return withStatBuffer(b, status, -1, id, ip, domain, src, version, join, up, total, free, -1,
        priority, paths, subdirs, writePath, port, httpPort, true);
  }

  /** Reads the 348-byte statistics buffer both layouts share, then the trunk flag. */
  private static StorageStat withStatBuffer(ByteBuffer b, int status, int rwMode, String id, String ip, String domain,
                                            String src, String version, long join, long up, long total, long free,
                                            long reserved, long priority, long paths, long subdirs, long writePath,
                                            long port, long httpPort, boolean legacy) {
    int alloc = b.getInt(), current = b.getInt(), max = b.getInt();
    long[] counters = new long[StorageCounters.COUNT];
    for (int i = 0; i < counters.length; i++) {
      counters[i] = b.getLong();
    }
    long lastSource = b.getLong(), lastSync = b.getLong(), synced = b.getLong(), heartbeat = b.getLong();
    boolean trunk = b.get() != 0;
    return new StorageStat(status, rwMode, id, ip, domain, src, version, join, up, total, free, reserved, priority,
        paths, subdirs, writePath, port, httpPort, alloc, current, max, counters, lastSource, lastSync, synced,
        heartbeat, trunk, legacy);
  }

  private static int ipWidth(int bodyLength, int otherFields, String what) throws ProtocolException {
    if (bodyLength == otherFields + IP_LEN - 1) {
      return IP_LEN - 1;
    }
    if (bodyLength == otherFields + IPV6_LEN - 1) {
      return IPV6_LEN - 1;
    }
    throw new ProtocolException(what + " answer of " + bodyLength + " bytes (expected "
        + (otherFields + IP_LEN - 1) + " or " + (otherFields + IPV6_LEN - 1) + ")");
  }

  /** A NUL-padded field: the text before the first NUL. */
  private static String fixed(ByteBuffer b, int width) {
    byte[] raw = new byte[width];
    b.get(raw);
    int end = 0;
    while (end < width && raw[end] != 0) {
      end++;
    }
    return new String(raw, 0, end, StandardCharsets.UTF_8).trim();
  }
}
