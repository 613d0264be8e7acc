package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tombstone file: read back after a restart, expired entries dropped, compacted, a torn last
 * line ignored.
 */
class TombstoneStoreTest {
  static final long DAY = 86_400;
  @TempDir Path dir;

  @Test
  void tombstonesSurviveAReopenUntilTheyExpire() throws Exception {
    Path f = dir.resolve("sync/tombstones");
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, true, 1_000_000);
    s.bury("M00/00/00/a.txt", 1_000_000);
    s.bury("M00/00/00/b.txt", 1_000_000 - 9 * DAY);
    s.bury("M00/00/00/a.txt", 1_000_010); // deleted again later (a slave name re-uploaded, deleted)
    s.close();
    Files.writeString(
        f,
        Files.readString(f) + "1000020 M00/00",
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    Files.writeString(f, Files.readString(f) + "\n12x", java.nio.file.StandardOpenOption.APPEND);

    TombstoneStore again = TombstoneStore.open(f, 10 * DAY, true, 1_000_100);
    assertEquals(1_000_010L, again.deletedAt("M00/00/00/a.txt"), "the latest delete counts");
    assertEquals(1_000_000L - 9 * DAY, again.deletedAt("M00/00/00/b.txt"));
    assertNull(again.deletedAt("M00/00/00/c.txt"));
    again.close();

    TombstoneStore later = TombstoneStore.open(f, 10 * DAY, true, 1_000_000 + 2 * DAY);
    assertNull(later.deletedAt("M00/00/00/b.txt"), "expired after the retention");
    assertEquals(1_000_010L, later.deletedAt("M00/00/00/a.txt"));
    later.close();
  }

  @Test
  void repeatedDeletesOfFewNamesKeepTheFileSmall() throws Exception {
    Path f = dir.resolve("tombstones");
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, false, 1000);
    for (int i = 0; i < 10_000; i++) {
      s.bury("M00/00/00/name-" + (i % 10), 1000 + i);
    }
    assertEquals(10, s.size());
    assertTrue(
        Files.readAllLines(f).size() <= 2048,
        "compacted: " + Files.readAllLines(f).size() + " lines");
    s.close();
    TombstoneStore again = TombstoneStore.open(f, 10 * DAY, false, 20_000);
    assertEquals(10_999L, again.deletedAt("M00/00/00/name-9"));
    again.close();
  }

  /**
   * A delete the binlog records is not forced in the tombstone file; after a crash that lost the
   * file's unforced tail, opening replays the binlog's deletes since the last checkpoint.
   */
  @Test
  void deletesTheBinlogRecordsComeBackFromItAfterTheTombstoneTailIsLost() throws Exception {
    Path f = dir.resolve("sync/tombstones");
    Binlog log = new Binlog(dir.resolve("sync/binlog"));
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, true, 1_000_000, log);
    String checkpointed = Files.readString(f);
    assertTrue(
        checkpointed.startsWith("# 0"), "a fresh file starts with a checkpoint: " + checkpointed);
    log.append(999_999, Binlog.CREATE, "M00/00/00/a.txt", null, true);
    s.bury("M00/00/00/a.txt", 1_000_000, true);
    log.append(1_000_000, Binlog.DELETE, "M00/00/00/a.txt", null, true);
    s.bury("M00/00/00/b.txt", 1_000_001, true);
    log.append(1_000_001, Character.toLowerCase(Binlog.DELETE), "M00/00/00/b.txt", null, true);
    s.bury("M00/00/00/c.txt", 1_000_002); // not in the binlog: forced on its own
    // the crash: the unforced lines are gone, the forced one (c) stays
    Files.writeString(f, checkpointed + "1000002 M00/00/00/c.txt\n");
    log.close();

    Binlog again = new Binlog(dir.resolve("sync/binlog"));
    TombstoneStore reopened = TombstoneStore.open(f, 10 * DAY, true, 1_000_100, again);
    assertEquals(
        1_000_000L, reopened.deletedAt("M00/00/00/a.txt"), "replayed from the binlog's D line");
    assertEquals(1_000_001L, reopened.deletedAt("M00/00/00/b.txt"), "and from a peer's d line");
    assertEquals(1_000_002L, reopened.deletedAt("M00/00/00/c.txt"));
    assertEquals(3, reopened.size(), "a create is no tombstone");
    reopened.close();
    again.close();
  }

  @Test
  void coveredDeletesAreCheckpointedAndOpeningReplaysTheBinlogAfterTheLastCheckpoint()
      throws Exception {
    Path f = dir.resolve("tombstones");
    Binlog log = new Binlog(dir.resolve("binlog"));
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, true, 1_000_000, log);
    for (int i = 0; i < TombstoneStore.CHECKPOINT_EVERY; i++) {
      s.bury("M00/00/00/n" + i, 1_000_000, true);
      log.append(1_000_000, Binlog.DELETE, "M00/00/00/n" + i, null, false);
    }
    assertTrue(
        Files.readAllLines(f).stream().anyMatch(l -> l.startsWith("# ") && !l.equals("# 0")),
        "covered deletes took a checkpoint by count (or by age): "
            + Files.readAllLines(f).size()
            + " lines");
    s.bury("M00/00/00/last", 1_000_000, true);
    log.append(1_000_000, Binlog.DELETE, "M00/00/00/last", null, false);
    s.close(); // what is unforced is checkpointed at the binlog's end: nothing left to replay
    assertTrue(
        Files.readString(f).endsWith("# " + log.size() + "\n"),
        "ends with a checkpoint at " + log.size());
    log.append(1_000_000, Binlog.DELETE, "M00/00/00/after", null, false);
    TombstoneStore reopened = TombstoneStore.open(f, 10 * DAY, true, 1_000_100, log);
    assertEquals(TombstoneStore.CHECKPOINT_EVERY + 2, reopened.size());
    assertEquals(
        1_000_000L, reopened.deletedAt("M00/00/00/after"), "after the checkpoint: replayed");
    reopened.close();
    log.close();
  }

  @Test
  void aRoundsTombstonesAreWrittenTogetherAndKeepTheirCheckpointAndSyncRules() throws Exception {
    Path f = dir.resolve("tombstones");
    Binlog log = new Binlog(dir.resolve("binlog"));
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, true, 1_000_000, log);
    List<TombstoneStore.Entry> covered = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      covered.add(new TombstoneStore.Entry("M00/00/00/c" + i, 1_000_000 + i, true));
    }
    assertFalse(s.appendAll(covered), "every delete has a binlog line: no force of its own");
    assertTrue(
        s.appendAll(
            List.of(
                new TombstoneStore.Entry("M00/00/00/x", 1_000_010, true),
                new TombstoneStore.Entry("M00/00/00/y", 1_000_011, false))),
        "a delete without a binlog line: the round forces this file");
    assertEquals(
        List.of(
            "1000000 M00/00/00/c0",
            "1000001 M00/00/00/c1",
            "1000002 M00/00/00/c2",
            "1000010 M00/00/00/x",
            "1000011 M00/00/00/y"),
        Files.readAllLines(f).stream().filter(l -> !l.startsWith("#")).toList(),
        "one line each, in order");
    s.sync();
    s.close();
    TombstoneStore reopened = TombstoneStore.open(f, 10 * DAY, true, 1_000_100, log);
    assertEquals(5, reopened.size());
    assertEquals(1_000_011L, reopened.deletedAt("M00/00/00/y"));
    reopened.close();
    log.close();
  }

  @Test
  void aCheckpointThatFallsDueInARoundWaitsUntilTheRoundIsAnswered() throws Exception {
    Path f = dir.resolve("tombstones");
    Binlog log = new Binlog(dir.resolve("binlog"));
    TombstoneStore s = TombstoneStore.open(f, 10 * DAY, true, 1_000_000, log);
    List<TombstoneStore.Entry> round = new java.util.ArrayList<>();
    for (int i = 0; i < TombstoneStore.CHECKPOINT_EVERY; i++) {
      round.add(new TombstoneStore.Entry("M00/00/00/r" + i, 1_000_000, true));
      log.append(1_000_000, Binlog.DELETE, "M00/00/00/r" + i, null, false);
    }
    long checkpointsBefore = checkpoints(f);
    assertFalse(s.appendAll(round, true), "covered: no force of its own");
    assertEquals(
        checkpointsBefore, checkpoints(f), "due, but not taken on the deletes' path");
    s.checkpointIfDue();
    assertEquals(checkpointsBefore + 1, checkpoints(f), "taken once they were answered");
    assertTrue(Files.readString(f).endsWith("# " + log.size() + "\n"));
    s.checkpointIfDue();
    assertEquals(checkpointsBefore + 1, checkpoints(f), "once");
    s.close();
    log.close();
  }

  private static long checkpoints(Path f) throws Exception {
    return Files.readAllLines(f).stream().filter(l -> l.startsWith("# ")).count();
  }
}
