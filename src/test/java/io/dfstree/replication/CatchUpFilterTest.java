package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.storage.Binlog;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which lines of a peer's binlog run catch-up may skip without a lock or a disk hop. */
class CatchUpFilterTest {
  private static final long T = 1_760_000_000L;

  private final Map<String, Long> tombstones = new HashMap<>();
  private final Set<String> placing = new HashSet<>();
  private final CatchUpFilter.Here here =
      CatchUpFilter.of(
          name -> name.startsWith("bad") ? null : FileId.parseRemote("group1", name),
          (id, ts) -> tombstones.getOrDefault(id.remoteName(), -1L) >= ts,
          (id, ts) -> tombstones.containsKey(id.remoteName()),
          placing::contains);

  private static String name(int n) {
    return "M00/00/00/" + FileName.payload(1, (int) T + n, 4096, n) + ".bin";
  }

  private static Binlog.Entry line(char op, String name, long ts) {
    return new Binlog.Entry(ts, op, name, null, 0);
  }

  private static List<String> names(List<FileId> ids) {
    return ids.stream().map(FileId::remoteName).toList();
  }

  @Test
  void createsOfFilesHeldAreDroppedAfterOneCheck() {
    List<Binlog.Entry> run =
        List.of(line('C', name(1), T), line('c', name(2), T), line('C', name(3), T));
    List<FileId> checked = CatchUpFilter.createsToCheck(run, here);
    assertEquals(List.of(name(1), name(2), name(3)), names(checked));
    List<Binlog.Entry> left = CatchUpFilter.pending(run, checked, Set.of(name(1), name(2)), here);
    assertEquals(List.of(run.get(2)), left);
  }

  @Test
  void aCreateAfterADeleteOfTheSameNameIsAppliedWhateverIsHereNow() {
    // a derived (slave) name deleted and uploaded again: the file here now is the old one, which
    // the delete removes, so the create must still fetch the new one
    List<Binlog.Entry> run = List.of(line('D', name(1), T), line('C', name(1), T + 5));
    List<FileId> checked = CatchUpFilter.createsToCheck(run, here);
    assertEquals(List.of(), names(checked));
    assertEquals(run, CatchUpFilter.pending(run, checked, Set.of(name(1)), here));
  }

  @Test
  void deletesAppliedHereAlreadyAreDropped() {
    tombstones.put(name(1), T); // we deleted it ourselves: the peer's d line of that delete
    tombstones.put(name(2), T - 10); // deleted here before, then re-created and deleted there
    List<Binlog.Entry> run = List.of(line('d', name(1), T), line('D', name(2), T));
    List<Binlog.Entry> left = CatchUpFilter.pending(run, List.of(), Set.of(), here);
    assertEquals(List.of(run.get(1)), left);
  }

  @Test
  void createsBeingPlacedDeletedOrBadWaitForTheirOwnLine() {
    placing.add(name(1));
    tombstones.put(name(2), T);
    List<Binlog.Entry> run =
        List.of(
            line('C', name(1), T),
            line('C', name(2), T - 1),
            line('C', "bad-name", T),
            line('U', name(4), T));
    List<FileId> checked = CatchUpFilter.createsToCheck(run, here);
    assertEquals(List.of(), names(checked));
    // none is dropped here: apply() waits for the placing one, skips the deleted and bad ones
    assertEquals(run, CatchUpFilter.pending(run, checked, Set.of(name(1), name(4)), here));
  }
  @Test
  void consecutiveDeletesOfDifferentNamesAreOneStep() {
    Binlog.Entry d1 = line('D', name(1), T);
    Binlog.Entry d2 = line('d', name(2), T);
    Binlog.Entry d3 = line('D', name(3), T);
    Binlog.Entry c4 = line('C', name(4), T);
    Binlog.Entry d5 = line('D', name(5), T);
    Binlog.Entry d1again = line('D', name(1), T + 1);
    Binlog.Entry c1 = line('C', name(1), T + 2);
    List<List<Binlog.Entry>> steps =
        CatchUpFilter.steps(List.of(d1, d2, d3, c4, d5, d1again, c1));
    // deletes of one name keep their order (a second delete of name 1 starts a new step), and a
    // create waits for the deletes before it
    assertEquals(
        List.of(List.of(d1, d2, d3), List.of(c4), List.of(d5, d1again), List.of(c1)), steps);
    assertEquals(List.of(List.of(d1), List.of(d1again)), CatchUpFilter.steps(List.of(d1, d1again)));
    assertEquals(List.of(), CatchUpFilter.steps(List.of()));
  }

  @Test
  void aLongRunOfDeletesIsCutIntoBoundedSteps() {
    // a poll's deletes queued at once held the committer for milliseconds, and a client's delete
    // waited behind them all (c1tail, session 24)
    List<Binlog.Entry> run = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      run.add(line('D', name(i), T));
    }
    List<List<Binlog.Entry>> steps = CatchUpFilter.steps(run);
    int max = CatchUpFilter.MAX_DELETES_PER_STEP;
    assertEquals((50 + max - 1) / max, steps.size());
    for (List<Binlog.Entry> step : steps) {
      assertTrue(step.size() <= max, "step of " + step.size());
    }
    assertEquals(run, steps.stream().flatMap(List::stream).toList());
  }
}
