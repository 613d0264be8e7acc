package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The binlog rotates into segments, reads across them by logical offset, and trims what every
 * reader passed.
 */
class BinlogSegmentsTest {
  Path dir;

  @BeforeEach
  void dir() throws Exception {
    dir = Files.createTempDirectory("binlog-seg");
  }

  @AfterEach
  void clean() throws Exception {
    io.dfstree.TempTrees.delete(dir);
  }

  static String name(int i) {
    return String.format("M00/00/00/file-%06d.bin", i);
  }

  /** Every line from {@code offset} to the end, the way a peer pulls them. */
  static List<Binlog.Entry> readAll(Binlog log, long offset) throws Exception {
    List<Binlog.Entry> out = new ArrayList<>();
    while (offset < log.size()) {
      byte[] chunk = log.read(offset, 700);
      assertTrue(chunk.length > 0, "no progress at " + offset);
      List<Binlog.Entry> got = Binlog.parse(chunk, offset);
      out.addAll(got);
      offset = got.get(got.size() - 1).endOffset();
    }
    return out;
  }

  @Test
  void rotatesReadsAcrossSegmentsAndTrims() throws Exception {
    Path file = dir.resolve("binlog");
    Binlog log = new Binlog(file, 1024);
    for (int i = 0; i < 500; i++) {
      log.append(1_700_000_000L + i, Binlog.CREATE, name(i), null, i % 50 == 0);
    }
    long size = log.size();
    assertTrue(log.segmentCount() > 10, "rotated: " + log.segmentCount());
    List<Binlog.Entry> all = readAll(log, 0);
    assertEquals(500, all.size());
    for (int i = 0; i < 500; i++) {
      assertEquals(name(i), all.get(i).name(), "line " + i + " in order across segments");
    }
    // readers at line 300: the segments before it go, the rest stay readable
    long reader = all.get(299).endOffset();
    long before = log.bytesOnDisk();
    long freed = log.trim(reader);
    assertTrue(freed > 0 && freed <= reader, "freed " + freed);
    assertEquals(before - freed, log.bytesOnDisk());
    assertTrue(log.trimmed(0));
    assertFalse(log.trimmed(reader));
    assertEquals(0, log.read(0, 1000).length, "nothing from a trimmed offset");
    assertEquals(all.subList(300, 500), readAll(log, reader));
    log.close();

    // reopened: same logical offsets, same first offset
    Binlog again = new Binlog(file, 1024);
    assertEquals(size, again.size());
    assertEquals(log.firstOffset(), again.firstOffset());
    assertEquals(all.subList(300, 500), readAll(again, reader));
    again.append(1_800_000_000L, Binlog.DELETE, name(1), null, true);
    List<Binlog.Entry> tail = readAll(again, size);
    assertEquals(1, tail.size());
    assertEquals(Binlog.DELETE, tail.get(0).op());
    // everything trimmed but the head: the head's start survives a restart (binlog.base)
    again.trim(again.size());
    assertEquals(1, again.segmentCount());
    long end = again.size();
    long first = again.firstOffset();
    assertTrue(first > reader, "only the head is left: " + first);
    again.close();
    Binlog third = new Binlog(file, 1024);
    assertEquals(end, third.size());
    assertEquals(first, third.firstOffset());
    assertTrue(third.trimmed(first - 1));
    third.close();
  }

  @Test
  void aCrashBetweenRenameAndNewHeadIsRepairedOnOpen() throws Exception {
    Path file = dir.resolve("binlog");
    Binlog log = new Binlog(file, Binlog.NO_ROTATION);
    for (int i = 0; i < 20; i++) {
      log.append(1_700_000_000L + i, Binlog.CREATE, name(i), null, false);
    }
    long size = log.size();
    log.close();
    // the head renamed to its segment name, then the process died
    Files.move(file, dir.resolve("binlog." + String.format("%016d", 0)));
    Binlog reopened = new Binlog(file, 1024);
    assertEquals(size, reopened.size(), "the new head starts where the renamed one ended");
    reopened.append(1_800_000_000L, Binlog.CREATE, name(99), null, false);
    List<Binlog.Entry> all = readAll(reopened, 0);
    assertEquals(21, all.size());
    assertEquals(name(99), all.get(20).name());
    reopened.close();
  }

  @Test
  void aNeverRotatedBinlogKeepsItsOldFileAndOffsets() throws Exception {
    Path file = dir.resolve("binlog");
    Files.writeString(file, "1700000000 C " + name(1) + "\n1700000001 D " + name(1) + "\n");
    Binlog log = new Binlog(file, 64L << 20);
    assertEquals(Files.size(file), log.size());
    assertEquals(0, log.firstOffset());
    assertEquals(2, readAll(log, 0).size());
    log.close();
  }

  @Test
  void readersHoldSegmentsBackUntilTheyPassOrAreForgotten() throws Exception {
    BinlogReaders r = new BinlogReaders(dir.resolve("binlog.readers"), 10_000);
    long now = 1_000_000;
    assertEquals(500, r.trimPoint(500, List.of(), now), "nobody reads: everything may go");
    assertEquals(
        0,
        r.trimPoint(500, List.of(Map.entry(7, now)), now),
        "a member heard of that has not read yet");
    r.reported(7, 300, now);
    r.reported(8, 120, now);
    assertEquals(120, r.trimPoint(500, List.of(Map.entry(7, now), Map.entry(8, now)), now));
    r.reported(8, 450, now + 1);
    assertEquals(300, r.trimPoint(500, List.of(), now + 1));
    // 7 silent past the window: no longer holds anything back
    assertEquals(450, r.trimPoint(500, List.of(Map.entry(7, now)), now + 10_001));
    r.save();
    BinlogReaders back = BinlogReaders.load(dir.resolve("binlog.readers"), 10_000);
    assertEquals(300, back.trimPoint(500, List.of(), now + 2), "positions survive a restart");
  }
}
