package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small download is read once into the buffer it is sent from: the bytes behind the response
 * header, checked against the size and CRC32 in the file's name; a mismatch reads as damaged.
 */
class SmallDownloadTest {
  @TempDir Path dir;

  static FileName.Decoded nameOf(byte[] content) {
    CRC32 crc = new CRC32();
    crc.update(content);
    return FileName.decode(
        FileName.generate(
            0, 2, 3, 100001, 1_700_000_000, content.length, (int) crc.getValue(), false, "txt"));
  }

  @Test
  void theWholeFileGoesOutBehindItsHeaderInOneBuffer() throws Exception {
    byte[] content = "hello, small file".getBytes(StandardCharsets.US_ASCII);
    Path p = Files.write(dir.resolve("f"), content);
    SmallDownload.Whole w = SmallDownload.read(p, nameOf(content));
    assertEquals(content.length, w.length);
    ByteBuf out = w.response(0, content.length);
    try {
      assertEquals(10 + content.length, out.readableBytes());
      assertEquals(content.length, out.getLong(0), "header: body length");
      assertEquals(100, out.getByte(8), "header: command RESP");
      assertEquals(0, out.getByte(9), "header: status 0");
      assertArrayEquals(content, ByteBufUtil.getBytes(out, 10, content.length));
    } finally {
      out.release();
    }
    assertEquals(0, out.refCnt());
  }

  @Test
  void aRangeIsCopiedBehindItsOwnHeader() throws Exception {
    byte[] content = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    Path p = Files.write(dir.resolve("f"), content);
    ByteBuf out = SmallDownload.read(p, nameOf(content)).response(4, 6);
    try {
      assertEquals(16, out.readableBytes());
      assertEquals(6, out.getLong(0));
      assertEquals("456789", out.toString(10, 6, StandardCharsets.US_ASCII));
    } finally {
      out.release();
    }
  }

  @Test
  void anEmptyFileIsAHeaderAlone() throws Exception {
    Path p = Files.write(dir.resolve("f"), new byte[0]);
    ByteBuf out = SmallDownload.read(p, nameOf(new byte[0])).response(0, 0);
    assertEquals(10, out.readableBytes());
    assertEquals(0, out.getLong(0));
    out.release();
  }

  @Test
  void aFlippedByteOrAWrongSizeReadsAsDamaged() throws Exception {
    byte[] content = "the bytes the name describes".getBytes(StandardCharsets.US_ASCII);
    FileName.Decoded name = nameOf(content);
    byte[] flipped = content.clone();
    flipped[3] ^= 1;
    assertSame(
        SmallDownload.Whole.DAMAGED,
        SmallDownload.read(Files.write(dir.resolve("a"), flipped), name));
    byte[] shorter = java.util.Arrays.copyOf(content, content.length - 1);
    assertSame(
        SmallDownload.Whole.DAMAGED,
        SmallDownload.read(Files.write(dir.resolve("b"), shorter), name));
  }

  @Test
  void aMissingFileOrADirectoryIsEnoent() throws Exception {
    FileName.Decoded name = nameOf(new byte[4]);
    FdfsException missing =
        assertThrows(FdfsException.class, () -> SmallDownload.read(dir.resolve("none"), name));
    assertEquals(Errno.ENOENT, missing.errno());
    Files.createDirectory(dir.resolve("d"));
    assertEquals(
        Errno.ENOENT,
        assertThrows(FdfsException.class, () -> SmallDownload.read(dir.resolve("d"), name))
            .errno());
  }
}
