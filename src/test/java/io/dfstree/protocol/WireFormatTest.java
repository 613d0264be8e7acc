package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** PacketHeader, fixed-width fields and errno names as byte fixtures. */
class WireFormatTest {
  static final byte[] HEADER = {0, 0, 0, 0, 0, 0, 0x01, 0x02, 11, 0};

  @Test
  void headerDecodesFromBufferBigEndian() {
    PacketHeader h = PacketHeader.decode(Buffer.buffer(HEADER));
    assertEquals(258, h.bodyLength());
    assertEquals(11, h.commandCode());
    assertEquals(0, h.statusCode());
  }

  @Test
  void headerDecodesFromBufferAtAnOffset() {
    Buffer b = Buffer.buffer().appendBytes(new byte[] {9, 9, 9}).appendBytes(HEADER);
    assertEquals(258, PacketHeader.decode(b, 3).bodyLength());
  }

  @Test
  void headerDecodesFromByteArrayLikeFromBuffer() {
    byte[] b = {(byte) 0x80, 0, 0, 0, 0, 0, 0, 1, (byte) 200, (byte) 255};
    assertEquals(PacketHeader.decode(Buffer.buffer(b)), PacketHeader.decode(b));
    assertEquals(0x8000000000000001L, PacketHeader.decode(b).bodyLength());
  }

  @Test
  void commandAndStatusCodesAreUnsigned() {
    PacketHeader h = new PacketHeader(0, (byte) 200, (byte) 255);
    assertEquals(200, h.commandCode());
    assertEquals(255, h.statusCode());
  }

  @Test
  void toBytesAndToBufferWriteTheSameTenBytes() {
    PacketHeader h = new PacketHeader(0x0102030405060708L, (byte) 14, (byte) 2);
    assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 14, 2}, h.toBytes());
    assertArrayEquals(h.toBytes(), h.toBuffer().getBytes());
  }

  @Test
  void responseCarriesCommand100StatusZeroAndTheBodyInOneBuffer() {
    Buffer r = PacketHeader.response(Buffer.buffer("abc"));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 3, 100, 0, 'a', 'b', 'c'}, r.getBytes());
  }

  @Test
  void statusResponseHasNoBody() {
    assertArrayEquals(
        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 100, 28}, PacketHeader.status(Errno.ENOSPC).getBytes());
  }

  @Test
  void requestCarriesTheCommandAndBody() {
    assertArrayEquals(
        new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 111, 0, 7},
        PacketHeader.request((byte) 111, Buffer.buffer(new byte[] {7})).getBytes());
  }

  // ---- fixed-width fields --------------------------------------------------------------------

  @Test
  void appendFixedPadsWithNul() {
    assertArrayEquals(
        new byte[] {'g', '1', 0, 0, 0}, Wire.appendFixed(Buffer.buffer(), "g1", 5).getBytes());
  }

  @Test
  void appendFixedTruncatesToTheWidth() {
    assertArrayEquals("abcd".getBytes(), Wire.appendFixed(Buffer.buffer(), "abcdef", 4).getBytes());
  }

  @Test
  void appendFixedWritesNullAsAllNul() {
    assertArrayEquals(new byte[3], Wire.appendFixed(Buffer.buffer(), null, 3).getBytes());
  }

  @Test
  void appendFixedOfAFullWidthValueHasNoTerminator() {
    Buffer b = Wire.appendFixed(Buffer.buffer(), "group1group1grou", Wire.GROUP_NAME_LEN);
    assertEquals(16, b.length());
    assertEquals("group1group1grou", Wire.readFixed(b, 0, 16));
  }

  @Test
  void readFixedStopsAtTheFirstNul() {
    Buffer b = Buffer.buffer(new byte[] {'x', 'a', 'b', 0, 'c', 0, 'y'});
    assertEquals("ab", Wire.readFixed(b, 1, 5));
  }

  @Test
  void readFixedDoesNotReadPastItsWidth() {
    Buffer b = Buffer.buffer("abcdef");
    assertEquals("abc", Wire.readFixed(b, 0, 3));
  }

  @Test
  void readFixedOfAllNulIsEmpty() {
    assertEquals("", Wire.readFixed(Buffer.buffer(new byte[6]), 0, 6));
  }

  @Test
  void cleanFixedAcceptsValueThenPadding() {
    assertTrue(Wire.isCleanFixed(Buffer.buffer(new byte[] {'a', 'b', 0, 0}), 0, 4));
    assertTrue(Wire.isCleanFixed(Buffer.buffer("abcd"), 0, 4));
    assertTrue(Wire.isCleanFixed(Buffer.buffer(new byte[4]), 0, 4));
  }

  @Test
  void cleanFixedRejectsANulInsideTheValue() {
    assertFalse(Wire.isCleanFixed(Buffer.buffer(new byte[] {'a', 0, 'b', 0}), 0, 4));
  }

  @Test
  void cleanFixedLooksOnlyAtItsOwnField() {
    Buffer b = Buffer.buffer(new byte[] {'a', 0, 'z', 'b', 0});
    assertTrue(Wire.isCleanFixed(b, 0, 2));
    assertFalse(Wire.isCleanFixed(b, 0, 3));
  }

  // ---- errno names ---------------------------------------------------------------------------

  @Test
  void errnoNamesAreSymbolic() {
    assertEquals("OK", Errno.name(0));
    assertEquals("ENOENT", Errno.name(2));
    assertEquals("EINVAL", Errno.name(22));
    assertEquals("ENOSPC", Errno.name(28));
    assertEquals("EALREADY", Errno.name(114));
  }

  @Test
  void unknownErrnoIsNamedByNumber() {
    assertEquals("errno 99", Errno.name(99));
  }

  @Test
  void fdfsExceptionCarriesItsErrno() {
    FdfsException e = FdfsException.notFound("gone");
    assertEquals(Errno.ENOENT, e.errno());
    assertEquals("ENOENT: gone", e.toString());
    assertEquals(Errno.EINVAL, FdfsException.invalid("x").errno());
  }
}
