package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With fsync on, the binlog's head is written with zeros ahead of its lines ({@link
 * Binlog#ZERO_AHEAD}), so that a forced append does not make the file longer (no inode through the
 * journal per force). The zeros are never a line: readers stop at the logical end, a rotation and a
 * clean stop cut them off, a restart after a crash drops them.
 */
class BinlogZeroAheadTest {
  Path dir;

  @BeforeEach
  void dir() throws Exception {
    dir = Files.createTempDirectory("binlog-zero");
  }

  @AfterEach
  void clean() throws Exception {
    io.dfstree.TempTrees.delete(dir);
  }

  static String name(int i) {
    return String.format("M00/00/00/wKgAAWYAAAAAAAAAAAAAAAAAAAAA-%06d.jpg", i);
  }

  static boolean hasZero(byte[] b) {
    for (byte x : b) {
      if (x == 0) {
        return true;
      }
    }
    return false;
  }

  @Test
  void withFsyncForcedAppendsWithinAChunkLeaveTheFileLengthAlone() throws Exception {
    Path file = dir.resolve("binlog");
    Binlog log = new Binlog(file, Binlog.NO_ROTATION, true);
    log.append(1_700_000_000L, Binlog.DELETE, name(0), null, true);
    long length = Files.size(file);
    assertTrue(length >= log.size() + Binlog.ZERO_AHEAD, "written ahead: " + length);
    int lines = 1;
    while (log.size() + 200 < length) {
      // forced: the first 150 and the last few of the chunk (the rest unforced, for time)
      boolean force = lines < 60 || log.size() + 600 > length;
      log.append(1_700_000_000L + lines, Binlog.DELETE, name(lines), null, force);
      assertEquals(length, Files.size(file), "the file's length after line " + lines);
      lines++;
    }
    assertTrue(lines > 500, lines + " appends inside one chunk");
    List<String> read = new ArrayList<>();
    for (Binlog.Entry e : Binlog.parse(log.read(0, Integer.MAX_VALUE - 8), 0)) {
      read.add(e.name());
    }
    assertEquals(lines, read.size());
    assertEquals(name(lines - 1), read.get(lines - 1));
    // the chunk used up, the next append writes the next one
    while (log.size() <= length) {
      log.append(1_700_000_000L + lines, Binlog.DELETE, name(lines++), null, true);
    }
    assertTrue(Files.size(file) >= log.size() + Binlog.ZERO_AHEAD / 2, "grown again");
    log.close();
    assertEquals(log.size(), Files.size(file), "a clean stop cuts the zeros off");
  }

  @Test
  void withoutFsyncTheFileEndsWithItsLastLineAsAlways() throws Exception {
    Path file = dir.resolve("binlog");
    Binlog log = new Binlog(file, Binlog.NO_ROTATION, false);
    for (int i = 0; i < 50; i++) {
      log.append(1_700_000_000L + i, Binlog.DELETE, name(i), null, i % 10 == 0);
      assertEquals(log.size(), Files.size(file));
    }
    log.appendUnsynced(List.of(Binlog.line(1_700_000_100L, 'C', name(99))));
    assertEquals(log.size(), Files.size(file));
    log.close();
  }

  /**
   * A peer tails the head while lines are appended (forced and unsynced, the head rotating): every
   * read ends with a whole line, holds no zero, and the lines come in order, each once.
   */
  @Test
  void aReaderTailingTheHeadNeverGetsZerosOrBytesPastTheLogicalEnd() throws Exception {
    Path file = dir.resolve("binlog");
    // small segments and chunks: many rotations and growths while the reader reads
    Binlog log = new Binlog(file, 48 * 1024, 4096L);
    int total = 2400;
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < total; ) {
                  if (i % 7 == 3) {
                    List<String> batch = new ArrayList<>();
                    for (int k = 0; k < 3 && i < total; k++, i++) {
                      batch.add(Binlog.line(1_700_000_000L + i, 'C', name(i)));
                    }
                    log.appendUnsynced(batch);
                  } else {
                    log.append(1_700_000_000L + i, Binlog.DELETE, name(i), null, i % 5 == 0);
                    i++;
                  }
                }
              } catch (Throwable t) {
                failed.set(t);
              } finally {
                writing.set(false);
              }
            });
    writer.start();
    List<String> seen = new ArrayList<>();
    long offset = 0;
    int reads = 0;
    while (writing.get() || offset < log.size()) {
      byte[] chunk = log.read(offset, 700);
      reads++;
      if (chunk.length == 0) {
        Thread.sleep(0, 200_000); // the writer has not appended since
        continue;
      }
      assertTrue(!hasZero(chunk), "zeros read at " + offset);
      assertEquals('\n', chunk[chunk.length - 1], "a whole line at " + offset);
      assertTrue(offset + chunk.length <= log.size(), "past the logical end at " + offset);
      List<Binlog.Entry> got = Binlog.parse(chunk, offset);
      assertEquals(
          new String(chunk, StandardCharsets.US_ASCII).split("\n").length,
          got.size(),
          "every line read parses");
      got.forEach(e -> seen.add(e.name()));
      offset = got.get(got.size() - 1).endOffset();
    }
    writer.join();
    if (failed.get() != null) {
      throw new AssertionError(failed.get());
    }
    assertEquals(0, log.read(log.size(), 700).length, "nothing at the end");
    assertEquals(total, seen.size(), "lines read: " + seen.size() + " in " + reads + " reads");
    for (int i = 0; i < total; i++) {
      assertEquals(name(i), seen.get(i), "line " + i);
    }
    assertTrue(log.segmentCount() > 3, "rotated: " + log.segmentCount());
    log.close();
  }

  @Test
  void aRotatedSegmentEndsWithItsLastLineAndOffsetsSurviveAReopen() throws Exception {
    Path file = dir.resolve("binlog");
    Binlog log = new Binlog(file, 8 * 1024, 64L * 1024);
    for (int i = 0; i < 400; i++) {
      log.append(1_700_000_000L + i, Binlog.DELETE, name(i), null, i % 10 == 0);
    }
    long size = log.size();
    assertTrue(log.segmentCount() > 3, "rotated: " + log.segmentCount());
    long olderBytes = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "binlog.0*")) {
      for (Path p : ds) {
        byte[] b = Files.readAllBytes(p);
        assertTrue(!hasZero(b), p + " holds zeros");
        assertEquals('\n', b[b.length - 1], p + " ends with a line");
        olderBytes += b.length;
      }
    }
    assertTrue(
        Files.size(file) > size - olderBytes, "the head is written ahead: " + Files.size(file));
    byte[] before = readAll(log);
    // a crash (the head's zeros left behind), then a restart: same offsets, same lines
    byte[] head = Files.readAllBytes(file);
    log.close();
    Files.write(file, head);
    Binlog again = new Binlog(file, 8 * 1024, 64L * 1024);
    assertEquals(size, again.size());
    assertArrayEquals(before, readAll(again));
    again.append(1_800_000_000L, Binlog.CREATE, name(999), null, true);
    List<Binlog.Entry> tail = Binlog.parse(again.read(size, 4096), size);
    assertEquals(1, tail.size());
    assertEquals(name(999), tail.get(0).name());
    again.close();
  }

  /** A crash with lines in a zero tail: the lines are kept, the next append follows them. */
  @Test
  void aRestartAfterACrashFindsTheLastLineInsideTheZerosAndAppendsThere() throws Exception {
    Path file = dir.resolve("binlog");
    Binlog log = new Binlog(file, Binlog.NO_ROTATION, true);
    for (int i = 0; i < 100; i++) {
      log.append(1_700_000_000L + i, Binlog.DELETE, name(i), null, i % 10 == 0);
    }
    long size = log.size();
    byte[] lines = log.read(0, (int) size);
    // kill -9 keeps what was written: the lines, then the zeros of the chunk
    byte[] crashed = Files.readAllBytes(file);
    assertTrue(crashed.length > size, "zeros past the lines");
    log.close();
    Files.write(file, crashed);

    Binlog again = new Binlog(file);
    assertEquals(size, again.size(), "the logical end");
    assertEquals(size, Files.size(file), "the zeros dropped");
    assertArrayEquals(lines, again.read(0, (int) size));
    again.append(1_700_000_500L, Binlog.DELETE, name(500), null, true);
    List<Binlog.Entry> all = Binlog.parse(again.read(0, Integer.MAX_VALUE - 8), 0);
    assertEquals(101, all.size());
    assertEquals(name(500), all.get(100).name());
    assertEquals(again.size(), all.get(100).endOffset());
    again.close();
  }

  /**
   * A crash between the zeros of a new chunk and the line that asked for them, or in the middle of
   * that line, or with more zeros than a restart looks back for a torn end (1 MiB): a valid log.
   */
  @Test
  void aCrashBetweenTheZerosAndTheLineLeavesAValidLog() throws Exception {
    String kept =
        Binlog.line(1_700_000_000L, 'C', name(1))
            + "\n"
            + Binlog.line(1_700_000_001L, 'D', name(1))
            + "\n";
    byte[] keptBytes = kept.getBytes(StandardCharsets.US_ASCII);
    String half = Binlog.line(1_700_000_002L, 'D', name(2)).substring(0, 20);
    int[] zeros = {Binlog.ZERO_AHEAD, 3 * Binlog.TAIL_CHECK + 17};
    for (int z : zeros) {
      for (String torn : new String[] {"", half}) {
        Path file = dir.resolve("binlog-" + z + "-" + torn.length());
        byte[] b = new byte[keptBytes.length + torn.length() + z];
        System.arraycopy(keptBytes, 0, b, 0, keptBytes.length);
        System.arraycopy(
            torn.getBytes(StandardCharsets.US_ASCII), 0, b, keptBytes.length, torn.length());
        Files.write(file, b);
        Binlog log = new Binlog(file, Binlog.NO_ROTATION, true);
        String what = z + " zeros, " + torn.length() + " bytes of a torn line";
        assertEquals(keptBytes.length, log.size(), what);
        assertArrayEquals(keptBytes, log.read(0, 1 << 20), what);
        log.append(1_700_000_003L, Binlog.DELETE, name(3), null, true);
        List<Binlog.Entry> all = Binlog.parse(log.read(0, 1 << 20), 0);
        assertEquals(3, all.size(), what);
        assertEquals(name(3), all.get(2).name(), what);
        log.close();
        assertEquals(log.size(), Files.size(file), what);
      }
    }
  }

  static byte[] readAll(Binlog log) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    long offset = log.firstOffset();
    while (offset < log.size()) {
      byte[] chunk = log.read(offset, 4096);
      assertTrue(chunk.length > 0, "no progress at " + offset);
      out.write(chunk);
      offset += chunk.length;
    }
    return out.toByteArray();
  }
}
