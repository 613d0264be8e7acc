package io.dfstree.fileid;

import io.dfstree.protocol.FdfsException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The FastDFS remote file name (fastdfs-protocol.md §5), bit for bit: {@code Mxx/HH/HH/<27
 * base64url chars of a 20-byte payload><7-char extension part>}.
 *
 * <p>Payload: source storage id (little-endian, the C code's htonl artefact) or IPv4 bytes, create
 * time (i32), size field with flag bits (i64), CRC32 (i32), all big-endian otherwise.
 */
public final class FileName {
  public static final int LOGIC_PATH_LEN = 10; // "M00/AB/CD/"
  public static final int PAYLOAD_CHARS = 27;
  public static final int EXT_PART_LEN = 7;
  public static final int NORMAL_NAME_LEN = LOGIC_PATH_LEN + PAYLOAD_CHARS + EXT_PART_LEN; // 44
  public static final int TRUNK_NAME_LEN = 60;
  public static final long APPENDER_FLAG = 1L << 58;
  public static final long TRUNK_FLAG = 1L << 59;
  private static final long FOUR_GIB = 1L << 32;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private FileName() {}

  /**
   * What a file name says about its file.
   *
   * @param sourceKey the payload's first 4 bytes read big-endian: the raw source field that {@code
   *     sourceId} or {@code sourceIp} interprets ({@link TrunkId#sourceKey})
   */
  public record Decoded(
      int sourceId,
      String sourceIp,
      int createTime,
      long sizeField,
      int crc32,
      boolean appender,
      boolean slave,
      boolean trunk,
      int sourceKey) {
    /** The size embedded in the name (appender files do not carry one: 0). */
    public long fileSize() {
      if (appender) {
        return 0;
      }
      if ((sizeField & (1L << 63)) != 0 || trunk) {
        return sizeField & 0xFFFFFFFFL;
      }
      return sizeField;
    }

    public long crc32Unsigned() {
      return crc32 & 0xFFFFFFFFL;
    }

    /**
     * Names whose content may change or was not described by the name: size and CRC come from disk.
     */
    public boolean nameDescribesContent() {
      return !appender && !slave;
    }
  }

  /** The size field for a new file: random high bits keep names unique (§5.4). */
  public static long sizeField(long size, boolean appender) {
    long r = (ThreadLocalRandom.current().nextInt() & 0x007FFFFFL) | 0x80000000L;
    if (appender) {
      return (r << 32) | APPENDER_FLAG;
    }
    if (size >= FOUR_GIB) {
      return size;
    }
    return (r << 32) | size;
  }

  /** The 27-character base64url payload. */
  public static String payload(int sourceId, int createTime, long sizeField, int crc32) {
    ByteBuffer b = ByteBuffer.allocate(20);
    // the storage id is written little-endian, as the C server does (§5.6)
    b.put((byte) sourceId)
        .put((byte) (sourceId >>> 8))
        .put((byte) (sourceId >>> 16))
        .put((byte) (sourceId >>> 24));
    b.putInt(createTime).putLong(sizeField).putInt(crc32);
    return ENCODER.encodeToString(b.array());
  }

  /** The 7-character extension part: random digits, then ".ext" when there is an extension. */
  public static String extensionPart(String ext) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    StringBuilder sb = new StringBuilder(EXT_PART_LEN);
    int digits = ext.isEmpty() ? EXT_PART_LEN : EXT_PART_LEN - 1 - ext.length();
    for (int i = 0; i < digits; i++) {
      sb.append((char) ('0' + rnd.nextInt(10)));
    }
    if (!ext.isEmpty()) {
      sb.append('.').append(ext);
    }
    return sb.toString();
  }

  public static String logicPath(int storePathIndex, int high, int low) {
    // "M%02X/%02X/%02X/" without a Formatter: built for every packed file name, several times
    // per upload (String.format was ~1% of a storage's CPU per upload)
    if ((storePathIndex | high | low) >>> 8 != 0) {
      return String.format("M%02X/%02X/%02X/", storePathIndex, high, low);
    }
    char[] c = {'M', 0, 0, '/', 0, 0, '/', 0, 0, '/'};
    hex2(c, 1, storePathIndex);
    hex2(c, 4, high);
    hex2(c, 7, low);
    return new String(c);
  }

  private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();

  private static void hex2(char[] c, int at, int v) {
    c[at] = HEX_DIGITS[v >>> 4];
    c[at + 1] = HEX_DIGITS[v & 0xF];
  }

  /** A complete 44-character remote file name for a new normal or appender file. */
  public static String generate(
      int storePathIndex,
      int high,
      int low,
      int sourceId,
      int createTime,
      long size,
      int crc32,
      boolean appender,
      String ext) {
    return logicPath(storePathIndex, high, low)
        + payload(sourceId, createTime, sizeField(size, appender), crc32)
        + extensionPart(ext);
  }

  /** Decodes the payload of a (validated) remote file name. */
  public static Decoded decode(String remoteName) {
    if (remoteName.length() < LOGIC_PATH_LEN + PAYLOAD_CHARS) {
      throw FdfsException.invalid("file name too short: " + remoteName.length());
    }
    byte[] p;
    try {
      p = DECODER.decode(remoteName.substring(LOGIC_PATH_LEN, LOGIC_PATH_LEN + PAYLOAD_CHARS));
    } catch (IllegalArgumentException e) {
      throw FdfsException.invalid("file name is not base64url");
    }
    ByteBuffer b = ByteBuffer.wrap(p);
    int le = (p[0] & 0xFF) | (p[1] & 0xFF) << 8 | (p[2] & 0xFF) << 16 | (p[3] & 0xFF) << 24;
    int sourceId = 0;
    String ip = "";
    if (le > 0 && le <= 0xFFFFFF) {
      sourceId = le;
    } else {
      ip = (p[0] & 0xFF) + "." + (p[1] & 0xFF) + "." + (p[2] & 0xFF) + "." + (p[3] & 0xFF);
    }
    int time = b.getInt(4);
    long sizeField = b.getLong(8);
    int crc = b.getInt(16);
    boolean appender = (sizeField & APPENDER_FLAG) != 0;
    boolean trunk = !appender && (sizeField & TRUNK_FLAG) != 0;
    int len = remoteName.length();
    // FastDFS clients call a name slave when it is longer than 44 (and not a 60-char trunk name);
    // a slave without extension can also be shorter than 44, which only a slave can be
    boolean slave =
        !appender
            && (len > TRUNK_NAME_LEN
                || (len != NORMAL_NAME_LEN && !(trunk && len == TRUNK_NAME_LEN)));
    return new Decoded(sourceId, ip, time, sizeField, crc, appender, slave, trunk, b.getInt(0));
  }

  /**
   * The slave name for a master (§5.8): master up to its extension dot, the prefix, then ".ext"
   * when an extension is given. An empty extension gives no extension, as the C server does.
   */
  public static String slaveName(String masterRemoteName, String prefix, String ext) {
    int tailStart = Math.max(LOGIC_PATH_LEN, masterRemoteName.length() - EXT_PART_LEN);
    int dot = masterRemoteName.indexOf('.', tailStart);
    String stem = dot < 0 ? masterRemoteName : masterRemoteName.substring(0, dot);
    return stem + prefix + (ext.isEmpty() ? "" : "." + ext);
  }

  /**
   * The name a new slave gets ({@link #slaveName}), refused (EINVAL) when no FastDFS client or
   * server could tell it from a trunk name: a slave inherits its master's payload, trunk flag
   * included, and a name of exactly 60 characters with that flag is a trunk name to all of them
   * ({@code fdfs_is_trunk_file}, {@code IS_SLAVE_FILE}: length and flag, nothing else). FastDFS
   * stores such a slave and then answers ENOENT for it (it looks for a trunk slot); a slave of a
   * trunk master of any other length is a file of its own, as in FastDFS.
   */
  public static String newSlaveName(String masterRemoteName, String prefix, String ext) {
    String slave = slaveName(masterRemoteName, prefix, ext);
    if (slave.length() == TRUNK_NAME_LEN && decode(masterRemoteName).trunk()) {
      throw FdfsException.invalid(
          "slave name "
              + slave
              + " would be 60 characters, which every FastDFS client reads as a packed (trunk)"
              + " file of its master; use a prefix or extension of another length");
    }
    return slave;
  }

  /**
   * The extension part of a name (text after the dot in the last 7 chars), for regenerated names.
   */
  public static String extensionOf(String remoteName) {
    int tailStart = Math.max(LOGIC_PATH_LEN, remoteName.length() - EXT_PART_LEN);
    int dot = remoteName.indexOf('.', tailStart);
    return dot < 0 ? "" : remoteName.substring(dot + 1);
  }
}
