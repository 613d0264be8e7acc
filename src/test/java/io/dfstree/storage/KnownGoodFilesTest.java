package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record of files known to match their name: trusted only for the same file (inode, size,
 * mtime), within the window, and never more than {@link KnownGoodFiles#MAX_ENTRIES} of them.
 */
class KnownGoodFilesTest {
  @TempDir Path dir;

  static BasicFileAttributes attrs(Path p) throws Exception {
    return Files.readAttributes(p, BasicFileAttributes.class);
  }

  @Test
  void trustedOnlyWhileUnchangedAndWithinTheWindow() throws Exception {
    Path f = Files.write(dir.resolve("a"), new byte[] {1, 2, 3});
    AtomicLong now = new AtomicLong(1_000);
    KnownGoodFiles k = new KnownGoodFiles(30);
    k.nanoTime = now::get;
    k.good("M00/00/00/a", attrs(f));
    assertTrue(k.trusted("M00/00/00/a", attrs(f)));
    assertFalse(k.trusted("M00/00/00/b", attrs(f)), "another name");

    now.addAndGet(TimeUnit.SECONDS.toNanos(30));
    assertFalse(k.trusted("M00/00/00/a", attrs(f)), "past the window");

    k.good("M00/00/00/a", attrs(f));
    Files.setLastModifiedTime(f, FileTime.fromMillis(attrs(f).lastModifiedTime().toMillis() + 1));
    assertFalse(k.trusted("M00/00/00/a", attrs(f)), "mtime changed");

    k.good("M00/00/00/a", attrs(f));
    Path replacement = Files.write(dir.resolve("b"), new byte[] {1, 2, 3});
    Files.setLastModifiedTime(replacement, attrs(f).lastModifiedTime());
    Files.move(replacement, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertFalse(k.trusted("M00/00/00/a", attrs(f)), "another inode at the same path");

    k.good("M00/00/00/a", attrs(f));
    k.forget("M00/00/00/a");
    assertFalse(k.trusted("M00/00/00/a", attrs(f)), "forgotten");
  }

  @Test
  void aPeersCopyIsTrustedOnlyWhenItsSizeAndCrcMatchItsName() throws Exception {
    byte[] content = {1, 2, 3, 4, 5};
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(content);
    int good = (int) crc.getValue();
    String name =
        io.dfstree.fileid.FileName.generate(0, 1, 2, 100001, 1_700_000_000, 5, good, false, "bin");
    Path f = Files.write(dir.resolve("copy"), content);
    KnownGoodFiles k = new KnownGoodFiles(30);

    k.copied(name, f, 5, good ^ 1);
    assertFalse(k.trusted(name, attrs(f)), "received bytes whose CRC32 is not the name's");
    k.copied(name, f, 4, good);
    assertFalse(k.trusted(name, attrs(f)), "received fewer bytes than the name says");
    String appender =
        io.dfstree.fileid.FileName.generate(0, 1, 2, 100001, 1_700_000_000, 5, good, true, "bin");
    k.copied(appender, f, 5, good);
    assertFalse(k.trusted(appender, attrs(f)), "an appender's name does not describe its content");

    k.copied(name, f, 5, good);
    assertTrue(k.trusted(name, attrs(f)), "size and CRC32 match the name");
  }

  @Test
  void zeroSecondsTrustsNothing() throws Exception {
    Path f = Files.write(dir.resolve("a"), new byte[] {1});
    KnownGoodFiles k = new KnownGoodFiles(0);
    k.good("a", attrs(f));
    assertFalse(k.trusted("a", attrs(f)));
    assertEquals(0, k.size());
  }

  @Test
  void theRecordStaysBounded() throws Exception {
    Path f = Files.write(dir.resolve("a"), new byte[] {1});
    BasicFileAttributes a = attrs(f);
    KnownGoodFiles k = new KnownGoodFiles(30);
    int n = KnownGoodFiles.MAX_ENTRIES + 1000;
    for (int i = 0; i < n; i++) {
      k.good("name" + i, a);
    }
    assertEquals(KnownGoodFiles.MAX_ENTRIES, k.size());
    assertFalse(k.trusted("name0", a), "the least recently used went first");
    assertTrue(k.trusted("name" + (n - 1), a));
  }
}
