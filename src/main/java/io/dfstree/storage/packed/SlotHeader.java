package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The 32-byte header in front of every slot of a volume. Slots start at multiples of {@value
 * #ALIGN}, so a header never straddles a 512-byte sector and is rewritten (delete, free run) in one
 * piece.
 *
 * <pre>
 *  0 u16 magic 0xDF5A     2 u8 state ('F' file, 'D' deleted, 'R' free run)   3 u8 0
 *  4 i32 slot length (header + content + padding; for 'R' the whole run)
 *  8 i32 file size       12 i32 CRC32 of the content   16 i32 create time (unix s)
 * 20 i32 the name's size-field high word (its random bits)   24 7 bytes the name's extension part
 * 31 u8 low byte of the CRC32 of bytes 0..30
 * </pre>
 *
 * The name fields bind a slot to exactly one file ID: an ID whose random bits or extension digits
 * differ does not find the slot.
 */
record SlotHeader(
    byte state,
    int slotLength,
    int fileSize,
    int crc32,
    int createTime,
    int sizeHigh,
    String extPart) {
  static final int SIZE = 32;
  static final int ALIGN = 32;
  static final short MAGIC = (short) 0xDF5A;
  static final byte FILE = 'F';
  static final byte DELETED = 'D';
  static final byte FREE_RUN = 'R';

  /** What 32 bytes read from a volume turned out to be. */
  enum Kind {
    VALID,
    ZERO,
    INVALID
  }

  static int slotLength(int fileSize) {
    return align(SIZE + fileSize);
  }

  static int align(long n) {
    return (int) ((n + ALIGN - 1) & ~(long) (ALIGN - 1));
  }

  static SlotHeader freeRun(int length) {
    return new SlotHeader(FREE_RUN, length, 0, 0, 0, 0, "\0\0\0\0\0\0\0");
  }

  SlotHeader withState(byte newState) {
    return new SlotHeader(newState, slotLength, fileSize, crc32, createTime, sizeHigh, extPart);
  }

  boolean live() {
    return state == FILE;
  }

  /** Whether this is the live slot of exactly {@code id} (every field its name carries). */
  boolean matches(TrunkId id) {
    return live()
        && fileSize == id.fileSize()
        && crc32 == id.crc32()
        && createTime == id.createTime()
        && sizeHigh == id.sizeHigh()
        && slotLength == id.slotLength()
        && extPart.equals(id.extPart());
  }

  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putShort(MAGIC)
        .put(state)
        .put((byte) 0)
        .putInt(slotLength)
        .putInt(fileSize)
        .putInt(crc32)
        .putInt(createTime)
        .putInt(sizeHigh);
    byte[] ext = extPart.getBytes(StandardCharsets.ISO_8859_1);
    b.put(ext, 0, 7);
    b.put(check(b.array()));
    return b.flip();
  }

  static Kind classify(ByteBuffer b) {
    boolean zero = true;
    for (int i = 0; i < SIZE; i++) {
      if (b.get(b.position() + i) != 0) {
        zero = false;
        break;
      }
    }
    if (zero) {
      return Kind.ZERO;
    }
    return decode(b) == null ? Kind.INVALID : Kind.VALID;
  }

  /** The header in the next 32 bytes, or null when they are not a well-formed header. */
  static SlotHeader decode(ByteBuffer src) {
    int p = src.position();
    byte[] raw = new byte[SIZE];
    src.get(p, raw);
    ByteBuffer b = ByteBuffer.wrap(raw);
    if (b.getShort(0) != MAGIC || raw[3] != 0 || raw[31] != check(raw)) {
      return null;
    }
    byte state = raw[2];
    int slotLength = b.getInt(4);
    int fileSize = b.getInt(8);
    if (state != FILE && state != DELETED && state != FREE_RUN) {
      return null;
    }
    if (slotLength < SIZE
        || slotLength % ALIGN != 0
        || fileSize < 0
        || (state != FREE_RUN && slotLength != slotLength(fileSize))) {
      return null;
    }
    return new SlotHeader(
        state,
        slotLength,
        fileSize,
        b.getInt(12),
        b.getInt(16),
        b.getInt(20),
        new String(raw, 24, 7, StandardCharsets.ISO_8859_1));
  }

  private static byte check(byte[] raw) {
    CRC32 c = new CRC32();
    c.update(raw, 0, 31);
    return (byte) c.getValue();
  }
}
