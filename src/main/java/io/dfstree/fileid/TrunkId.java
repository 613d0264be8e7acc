package io.dfstree.fileid;

import io.dfstree.protocol.FdfsException;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * FastDFS's trunk file name (fastdfs-protocol.md §5.7), used for files kept in packed volumes:
 * {@code Mxx/HH/HH/<27-char payload, trunk flag set><16 base64url chars: volume i32, offset i32,
 * slot length i32><7-char extension part>} — 60 characters. Clients and {@code fdfs_file_info} read
 * size, time, CRC32 and source from the payload exactly as for a normal name; the storage finds the
 * slot from the name alone. {@code HH/HH} are the volume number's two low bytes, as FastDFS names a
 * trunk file's directories.
 *
 * @param sourceKey the 4 payload bytes naming the storage that wrote the slot (little-endian
 *     storage id or IPv4 bytes, as {@link FileName} writes them), read as one int: a volume belongs
 *     to the member that appends to it, so members never collide
 * @param sizeHigh the size field's high word: trunk-flag-free random bits that make the name unique
 * @param extPart the 7-character extension part ({@code "419.jpg"}, {@code "1234567"})
 */
public record TrunkId(
    int storePathIndex,
    int sourceKey,
    int createTime,
    int sizeHigh,
    int fileSize,
    int crc32,
    int volume,
    int offset,
    int slotLength,
    String extPart) {
  public static final int LOCATION_CHARS = 16;
  public static final int MAX_VOLUME = 0xFFFF;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  public TrunkId {
    if (volume < 1
        || volume > MAX_VOLUME
        || offset < 0
        || slotLength <= 0
        || fileSize < 0
        || storePathIndex < 0
        || storePathIndex > 255
        || extPart.length() != FileName.EXT_PART_LEN) {
      throw FdfsException.invalid(
          "bad trunk location: volume " + volume + " offset " + offset + " slot " + slotLength);
    }
  }

  /** A new name's random high word: bit 63 set (a size below 4 GiB follows), 23 random bits. */
  public static int randomSizeHigh() {
    return (ThreadLocalRandom.current().nextInt() & 0x007FFFFF) | 0x80000000;
  }

  /** The 64-bit size field of the payload: random high word, trunk flag, size (§5.4). */
  public long sizeField() {
    return ((long) sizeHigh << 32) | FileName.TRUNK_FLAG | (fileSize & 0xFFFFFFFFL);
  }

  /** The 60-character remote name. */
  public String remoteName() {
    ByteBuffer p = ByteBuffer.allocate(20);
    p.putInt(sourceKey).putInt(createTime).putLong(sizeField()).putInt(crc32);
    ByteBuffer loc = ByteBuffer.allocate(12);
    loc.putInt(volume).putInt(offset).putInt(slotLength);
    return FileName.logicPath(storePathIndex, (volume >>> 8) & 0xFF, volume & 0xFF)
        + ENCODER.encodeToString(p.array())
        + ENCODER.encodeToString(loc.array())
        + extPart;
  }

  @Override
  public String toString() {
    return remoteName();
  }

  /**
   * True when a (syntactically valid) remote name is a trunk name: 60 characters and the trunk
   * flag.
   */
  public static boolean isTrunkName(String remoteName) {
    if (remoteName.length() != FileName.TRUNK_NAME_LEN) {
      return false;
    }
    FileName.Decoded d = FileName.decode(remoteName);
    return d.trunk();
  }

  /** Parses a 60-character trunk name; EINVAL when it is not one or its parts disagree. */
  public static TrunkId parse(String remoteName) {
    if (remoteName.length() != FileName.TRUNK_NAME_LEN) {
      throw FdfsException.invalid(
          "trunk file name must be 60 characters, not " + remoteName.length());
    }
    if (remoteName.charAt(0) != 'M'
        || remoteName.charAt(3) != '/'
        || remoteName.charAt(6) != '/'
        || remoteName.charAt(9) != '/') {
      throw FdfsException.invalid("file name must start with Mxx/HH/HH/");
    }
    int path = hex2(remoteName, 1);
    int high = hex2(remoteName, 4);
    int low = hex2(remoteName, 7);
    FileName.Decoded d;
    try {
      d = FileName.decode(remoteName);
    } catch (FdfsException e) {
      throw FdfsException.invalid("trunk file name is not base64url");
    }
    int payloadEnd = FileName.LOGIC_PATH_LEN + FileName.PAYLOAD_CHARS;
    String extPart = remoteName.substring(payloadEnd + LOCATION_CHARS);
    for (int i = 0; i < extPart.length(); i++) {
      if (!FileId.isNameChar(extPart.charAt(i))) {
        throw FdfsException.invalid("illegal character in trunk file name");
      }
    }
    return of(remoteName, path, high, low, d, extPart);
  }

  /**
   * The trunk name of a parsed file id, from the payload {@link FileId#parseRemote} decoded
   * already: only the location part is decoded here. EINVAL as {@link #parse} for a name that is
   * not one.
   */
  public static TrunkId of(FileId id) {
    String remoteName = id.remoteName();
    if (remoteName.length() != FileName.TRUNK_NAME_LEN) {
      throw FdfsException.invalid(
          "trunk file name must be 60 characters, not " + remoteName.length());
    }
    // parseRemote checked the Mxx/HH/HH/ path and that every later character is a name character
    int payloadEnd = FileName.LOGIC_PATH_LEN + FileName.PAYLOAD_CHARS;
    return of(
        remoteName,
        id.storePathIndex(),
        id.high(),
        id.low(),
        id.decoded(),
        remoteName.substring(payloadEnd + LOCATION_CHARS));
  }

  private static TrunkId of(
      String remoteName, int path, int high, int low, FileName.Decoded d, String extPart) {
    int payloadEnd = FileName.LOGIC_PATH_LEN + FileName.PAYLOAD_CHARS;
    byte[] loc;
    try {
      loc = DECODER.decode(remoteName.substring(payloadEnd, payloadEnd + LOCATION_CHARS));
    } catch (IllegalArgumentException e) {
      throw FdfsException.invalid("trunk file name is not base64url");
    }
    long sizeField = d.sizeField();
    if ((sizeField & FileName.TRUNK_FLAG) == 0 || (sizeField & FileName.APPENDER_FLAG) != 0) {
      throw FdfsException.invalid("60-character name without the trunk flag");
    }
    ByteBuffer lb = ByteBuffer.wrap(loc);
    int volume = lb.getInt(0);
    if (((volume >>> 8) & 0xFF) != high || (volume & 0xFF) != low) {
      throw FdfsException.invalid("trunk name directories do not match its volume");
    }
    int sizeHigh = (int) (sizeField >>> 32) & ~(int) (FileName.TRUNK_FLAG >>> 32);
    if ((sizeHigh & 0x7F800000) != 0) {
      throw FdfsException.invalid("trunk name size field has stray bits");
    }
    return new TrunkId(
        path,
        d.sourceKey(),
        d.createTime(),
        sizeHigh,
        (int) sizeField,
        d.crc32(),
        volume,
        lb.getInt(4),
        lb.getInt(8),
        extPart);
  }

  private static int hex2(String s, int at) {
    int h = Character.digit(s.charAt(at), 16);
    int l = Character.digit(s.charAt(at + 1), 16);
    if (h < 0
        || l < 0
        || Character.isLowerCase(s.charAt(at))
        || Character.isLowerCase(s.charAt(at + 1))) {
      throw FdfsException.invalid("bad hex in file name path");
    }
    return h * 16 + l;
  }
}
