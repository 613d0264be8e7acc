package io.dfstree.replication;

import io.dfstree.fileid.FileId;
import io.dfstree.storage.Binlog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Drops the lines of a peer's binlog run that are applied here already, before any lock or
 * disk-thread hop is spent on them. In a group most of what a member reads from its peer is such
 * lines: with a write quorum of 2 every upload arrived by the replica stream before its line, and a
 * peer's binlog lists, lower-case, the copies it took from us and the deletes it applied for us.
 * Pure: what is here comes in through {@link Here}.
 */
final class CatchUpFilter {
  private CatchUpFilter() {}

  /** What the filter asks of this storage. */
  interface Here {
    /** The id of a binlog name, or null when it is not a valid name of this group. */
    FileId idOf(String name);

    /** Deleted here at or after {@code ts}: a delete line of that time is applied already. */
    boolean deletedAtOrAfter(FileId id, long ts);

    /** Deleted here since {@code ts}: a create line of that time is stale. */
    boolean deletedSince(FileId id, long ts);

    /** A copy of {@code name} is being placed here right now (its line waits for it). */
    boolean placing(String name);
  }

  /**
   * The create lines of {@code run} worth one presence check for all of them: valid, not deleted
   * here since, not being placed, and the first line of the run about their name (a create after
   * a delete of the same name in the run must be applied after that delete, whatever is here now).
   */
  static List<FileId> createsToCheck(List<Binlog.Entry> run, Here here) {
    List<FileId> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Binlog.Entry e : run) {
      boolean first = seen.add(e.name());
      if (e.secondName() != null) {
        seen.add(e.secondName());
      }
      if (!first || e.kind() != Binlog.CREATE || here.placing(e.name())) {
        continue;
      }
      FileId id = here.idOf(e.name());
      if (id != null && !here.deletedSince(id, e.timestamp())) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * {@code run} without the lines applied already: the creates {@link #createsToCheck} chose whose
   * file {@code present} holds, and deletes of names deleted here at or after their time.
   */
  static List<Binlog.Entry> pending(
      List<Binlog.Entry> run, List<FileId> checked, Set<String> present, Here here) {
    Set<String> held = new HashSet<>();
    for (FileId id : checked) {
      if (present.contains(id.remoteName())) {
        held.add(id.remoteName());
      }
    }
    List<Binlog.Entry> out = new ArrayList<>(run.size());
    Set<String> seen = new HashSet<>();
    for (Binlog.Entry e : run) {
      boolean first = seen.add(e.name());
      if (e.secondName() != null) {
        seen.add(e.secondName());
      }
      if (first && e.kind() == Binlog.CREATE && held.contains(e.name())) {
        continue;
      }
      if (e.kind() == Binlog.DELETE) {
        FileId id = here.idOf(e.name());
        if (id != null && here.deletedAtOrAfter(id, e.timestamp())) {
          continue;
        }
      }
      out.add(e);
    }
    return out;
  }

  /** A {@link Here} over plain functions (the storage's, or a test's). */
  static Here of(
      Function<String, FileId> idOf,
      java.util.function.BiPredicate<FileId, Long> deletedAtOrAfter,
      java.util.function.BiPredicate<FileId, Long> deletedSince,
      java.util.function.Predicate<String> placing) {
    return new Here() {
      @Override
      public FileId idOf(String name) {
        return idOf.apply(name);
      }

      @Override
      public boolean deletedAtOrAfter(FileId id, long ts) {
        return deletedAtOrAfter.test(id, ts);
      }

      @Override
      public boolean deletedSince(FileId id, long ts) {
        return deletedSince.test(id, ts);
      }

      @Override
      public boolean placing(String name) {
        return placing.test(name);
      }
    };
  }
  /**
   * Most deletes in one step ({@link #steps}). A step's deletes are queued on the volume's
   * committer at once and written there as one batch, during which a client's delete on the same
   * storage cannot mark on its event loop and queues behind the whole batch (c1tail, session 24:
   * a poll's ~50 deletes per lane, ~200 over the four lanes, held the committer 3-8 ms, and the
   * group's c=1 deletes that met it made the row's tail). Eight per lane keeps such a batch near a
   * millisecond, and still shares one round among the lanes' deletes.
   */
  static final int MAX_DELETES_PER_STEP = 8;

  /**
   * A lane's entries in the steps they are applied in: consecutive deletes of different names form
   * one step of at most {@link #MAX_DELETES_PER_STEP}, applied together (their tombstones and lines
   * then share one durable round of the delete committer, where one at a time each took a round,
   * i.e. a binlog force, of its own); every other entry, and a delete of a name already in the
   * step, starts a step of its own. The entries of one name keep their order.
   */
  static List<List<Binlog.Entry>> steps(List<Binlog.Entry> lane) {
    List<List<Binlog.Entry>> out = new ArrayList<>();
    List<Binlog.Entry> deletes = null;
    Set<String> names = new HashSet<>();
    for (Binlog.Entry e : lane) {
      if (e.kind() == Binlog.DELETE && e.secondName() == null) {
        if (deletes == null
            || deletes.size() == MAX_DELETES_PER_STEP
            || !names.add(e.name())) {
          deletes = new ArrayList<>();
          names.clear();
          names.add(e.name());
          out.add(deletes);
        }
        deletes.add(e);
      } else {
        deletes = null;
        out.add(List.of(e));
      }
    }
    return out;
  }
}
