package io.dfstree.storage;

import static io.dfstree.RawClient.bytes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.fileid.FileName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored file checked against the size and CRC32 in its name (downloads, the scrub): right bytes
 * pass, a flipped byte or a wrong length does not, a blob inside a larger file is checked from its
 * offset, and a check reads through a reused direct buffer rather than a heap array per call.
 */
class IntegrityCheckTest {
  @TempDir Path dir;

  static String nameOf(byte[] content) {
    CRC32 crc = new CRC32();
    crc.update(content);
    return FileName.generate(
        0, 2, 3, 100001, 1_700_000_000, content.length, (int) crc.getValue(), false, "bin");
  }

  @Test
  void rightBytesPassAndAFlippedByteOrAWrongLengthDoNot() throws Exception {
    byte[] content = bytes(1 << 20);
    String name = nameOf(content);
    Path p = Files.write(dir.resolve("f"), content);
    assertTrue(Integrity.intact(p, name, Integrity.Throttle.NONE));
    assertFalse(Integrity.intact(p, 0, content.length - 1, name, Integrity.Throttle.NONE));
    content[700_001] ^= 0x40;
    Files.write(p, content);
    assertFalse(Integrity.intact(p, name, Integrity.Throttle.NONE));
  }

  @Test
  void aBlobInsideALargerFileIsCheckedFromItsOffset() throws Exception {
    byte[] blob = bytes(300_000);
    byte[] file = new byte[blob.length + 5_000];
    System.arraycopy(blob, 0, file, 4_000, blob.length);
    Path p = Files.write(dir.resolve("volume"), file);
    String name = nameOf(blob);
    assertTrue(Integrity.intact(p, 4_000, blob.length, name, Integrity.Throttle.NONE));
    assertFalse(Integrity.intact(p, 3_999, blob.length, name, Integrity.Throttle.NONE));
  }

  @Test
  void aCheckAllocatesNoHeapBufferForTheBytes() throws Exception {
    byte[] content = bytes(1 << 20);
    String name = nameOf(content);
    Path p = Files.write(dir.resolve("f"), content);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    for (int i = 0; i < 5; i++) {
      assertTrue(Integrity.intact(p, name, Integrity.Throttle.NONE)); // the thread's buffer
    }
    int checks = 20;
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < checks; i++) {
      Integrity.intact(p, name, Integrity.Throttle.NONE);
    }
    long perCheck = (threads.getCurrentThreadAllocatedBytes() - before) / checks;
    // a heap read buffer (64 KiB before) cost a second copy of every byte through native memory
    assertTrue(perCheck < 16 * 1024, "heap bytes allocated per 1 MiB check: " + perCheck);
  }
}
