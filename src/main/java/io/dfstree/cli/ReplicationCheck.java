package io.dfstree.cli;

import io.dfstree.client.StorageAddress;
import io.dfstree.client.StoredFile;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageStat;
import io.dfstree.protocol.StorageStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Waits until every file bench uploaded is on every member of its group (or, after a delete, gone
 * from every member): the {@code replicated} phase, and the settling of the warm-up.
 *
 * <p>Members are the tracker's storage list of the group, every status except OFFLINE and DELETED.
 * Presence is asked with QUERY_FILE_INFO straight at each member: a member that lacks the file
 * answers ENOENT. (A download would not do: a member asked for a file it lacks fetches it from a
 * peer, which is exactly what is being measured.)
 *
 * <p>The check must not slow down the replication it watches, so it works in rounds. Each member's
 * <em>sentinel</em> — the latest acknowledged file it is still missing — is polled every {@link
 * #POLL_MILLIS} ms on one connection; once every sentinel is confirmed, the remaining pairs are
 * checked in one pass on all worker connections, and what is still missing starts the next round.
 * Peers copy each source's binlog in order, so after the sentinel little is left.
 *
 * <p>When was a file confirmed? A sentinel: when its answer came back. A file found present in the
 * pass that follows: at the time its round's sentinels were all confirmed, not when the pass
 * reached it — the pass only verifies that nothing acknowledged earlier is still missing, and its
 * own length (files × members queries) is the check's cost, not replication time. That makes the
 * figure a slight underestimate for a file that arrived during the pass (by at most the pass's
 * length), never an overestimate.
 */
final class ReplicationCheck {
  /** Interval of the sentinel poll. */
  static final long POLL_MILLIS = 10;

  private ReplicationCheck() {}

  /** File {@code file} (a bench index) is to be confirmed on {@code member} ({@code host:port}). */
  record Pair(int file, String member) {}

  /**
   * Where a check ended: files confirmed on all members, files not, and when the last was
   * confirmed.
   */
  record Outcome(
      int filesConfirmed, int filesUnconfirmed, long lastConfirmedNanos, String firstError) {}

  /**
   * Which (file, member) pairs are still unconfirmed, and when the last confirmation happened. Pure
   * bookkeeping, safe for the worker threads of a pass to share.
   */
  static final class Ledger {
    private final int files;

    /** Per member: its unconfirmed pairs by the file's rank in acknowledgement order. */
    private final Map<String, TreeMap<Integer, Pair>> pendingByMember = new LinkedHashMap<>();

    private final Map<Integer, Integer> rankOf = new HashMap<>();

    /** Per file: members not confirmed yet; a file leaves the map once it is everywhere. */
    private final Map<Integer, Integer> missingMembers = new HashMap<>();

    private long lastConfirmedNanos;
    private boolean anyConfirmed;

    /**
     * @param order the files in acknowledgement order (the last one is the newest)
     * @param membersOf the members ({@code host:port}) each file must be confirmed on
     */
    Ledger(int[] order, Function<Integer, List<String>> membersOf) {
      this.files = order.length;
      for (int rank = 0; rank < order.length; rank++) {
        int file = order[rank];
        rankOf.put(file, rank);
        List<String> members = membersOf.apply(file);
        if (!members.isEmpty()) {
          missingMembers.put(file, members.size());
        }
        for (String m : members) {
          pendingByMember.computeIfAbsent(m, k -> new TreeMap<>()).put(rank, new Pair(file, m));
        }
      }
    }

    /**
     * Records that {@code p} holds (or no longer holds) the file as of {@code atNanos}; false if
     * already known.
     */
    synchronized boolean confirm(Pair p, long atNanos) {
      TreeMap<Integer, Pair> pending = pendingByMember.get(p.member());
      Integer rank = rankOf.get(p.file());
      if (pending == null || rank == null || pending.remove(rank) == null) {
        return false;
      }
      if (pending.isEmpty()) {
        pendingByMember.remove(p.member());
      }
      missingMembers.computeIfPresent(p.file(), (f, n) -> n == 1 ? null : n - 1);
      lastConfirmedNanos = anyConfirmed ? Math.max(lastConfirmedNanos, atNanos) : atNanos;
      anyConfirmed = true;
      return true;
    }

    /** Per member, its newest unconfirmed pair: the one to poll until it turns up. */
    synchronized List<Pair> sentinels() {
      List<Pair> out = new ArrayList<>();
      pendingByMember.values().forEach(pending -> out.add(pending.lastEntry().getValue()));
      return out;
    }

    /** Every unconfirmed pair, member by member, oldest first. */
    synchronized List<Pair> pending() {
      List<Pair> out = new ArrayList<>();
      pendingByMember.values().forEach(pending -> out.addAll(pending.values()));
      return out;
    }

    synchronized boolean complete() {
      return pendingByMember.isEmpty();
    }

    synchronized int filesConfirmed() {
      return files - missingMembers.size();
    }

    synchronized int filesUnconfirmed() {
      return missingMembers.size();
    }

    /** The latest confirmation time, or {@code fallback} if nothing was confirmed. */
    synchronized long lastConfirmedNanos(long fallback) {
      return anyConfirmed ? lastConfirmedNanos : fallback;
    }
  }

  /**
   * Seconds of the {@code replicated} phase: the upload phase plus the time from its end to the
   * last confirmation, i.e. measured from the start of the upload phase.
   */
  static double phaseSeconds(double uploadSeconds, long uploadEndNanos, long lastConfirmedNanos) {
    return uploadSeconds + Math.max(0, lastConfirmedNanos - uploadEndNanos) / 1e9;
  }

  /**
   * The {@code replicated} phase row. It has no per-operation latencies (p50 and p99 show as "-").
   */
  static PhaseResult phase(
      PhaseResult upload, long uploadEndNanos, Outcome outcome, long endNanos) {
    long last = outcome.filesUnconfirmed() == 0 ? outcome.lastConfirmedNanos() : endNanos;
    return new PhaseResult(
        "replicated",
        outcome.filesConfirmed(),
        outcome.filesUnconfirmed(),
        phaseSeconds(upload.seconds(), uploadEndNanos, last),
        upload.bytesPerOp(),
        null,
        outcome.firstError());
  }

  /**
   * The members of {@code group} that must hold its files: the tracker's list minus OFFLINE and
   * DELETED.
   */
  static List<StorageAddress> members(List<StorageStat> listed, String group) {
    List<StorageAddress> out = new ArrayList<>();
    for (StorageStat s : listed) {
      if (counts(s.status())) {
        out.add(new StorageAddress(group, s.ip(), (int) s.storagePort(), StorageAddress.ANY_PATH));
      }
    }
    return out;
  }

  static boolean counts(StorageStatus status) {
    return status != StorageStatus.OFFLINE && status != StorageStatus.DELETED;
  }

  /**
   * Waits until each file of {@code order} is present ({@code wantPresent}) or absent on every
   * member of its group, or until {@code deadlineNanos}.
   */
  static Outcome await(
      int[] order,
      AtomicReferenceArray<StoredFile> stored,
      boolean wantPresent,
      List<BenchWorker> workers,
      long deadlineNanos)
      throws IOException {
    Map<String, StorageAddress> byHostPort = new HashMap<>();
    Ledger ledger = ledger(order, stored, workers.get(0), byHostPort);
    AtomicReference<String> firstError = new AtomicReference<>();
    BenchWorker poller = workers.get(0);
    while (!ledger.complete() && System.nanoTime() < deadlineNanos) {
      // 1. the sentinels, on one connection, until all of them are confirmed
      List<Pair> sentinels = new ArrayList<>(ledger.sentinels());
      while (!sentinels.isEmpty() && System.nanoTime() < deadlineNanos) {
        sentinels.removeIf(
            p -> {
              try {
                if (matches(
                    poller, byHostPort.get(p.member()), stored.get(p.file()), wantPresent)) {
                  ledger.confirm(p, System.nanoTime());
                  return true;
                }
              } catch (Exception e) {
                firstError.compareAndSet(null, e.toString());
                poller.dropBrokenSessions();
              }
              return false;
            });
        if (!sentinels.isEmpty()) {
          BenchCommand.pause(POLL_MILLIS);
        }
      }
      // 2. everything else still pending, on every connection, credited to the sentinels' time
      long credit = System.nanoTime();
      List<Pair> pending = ledger.pending();
      if (pending.isEmpty() || credit >= deadlineNanos) {
        break;
      }
      int[] indexes = new int[pending.size()];
      java.util.Arrays.setAll(indexes, i -> i);
      PhaseResult pass =
          PhaseRunner.run(
              "check",
              indexes,
              workers,
              Math.max(0.001, (deadlineNanos - credit) / 1e9),
              0,
              (w, k) -> {
                Pair p = pending.get(k);
                if (matches(w, byHostPort.get(p.member()), stored.get(p.file()), wantPresent)) {
                  ledger.confirm(p, credit);
                }
              });
      if (pass.firstError() != null) {
        firstError.compareAndSet(null, pass.firstError());
      }
      if (!ledger.complete()) {
        BenchCommand.pause(POLL_MILLIS);
      }
    }
    String problem = null;
    if (!ledger.complete()) {
      Pair example = ledger.pending().get(0);
      problem =
          ledger.filesUnconfirmed()
              + " of "
              + order.length
              + " files "
              + (wantPresent ? "not on" : "still on")
              + " every member in time, e.g. "
              + stored.get(example.file()).fileId()
              + " on "
              + example.member()
              + (firstError.get() == null ? "" : "; first error: " + firstError.get());
    }
    return new Outcome(
        ledger.filesConfirmed(),
        ledger.filesUnconfirmed(),
        ledger.lastConfirmedNanos(System.nanoTime()),
        problem);
  }

  /** One pass over every (file, member) pair, no waiting: how many files are not yet as wanted. */
  static Outcome checkOnce(
      int[] order,
      AtomicReferenceArray<StoredFile> stored,
      boolean wantPresent,
      List<BenchWorker> workers)
      throws IOException {
    Map<String, StorageAddress> byHostPort = new HashMap<>();
    Ledger ledger = ledger(order, stored, workers.get(0), byHostPort);
    List<Pair> pending = ledger.pending();
    int[] indexes = new int[pending.size()];
    java.util.Arrays.setAll(indexes, i -> i);
    PhaseResult pass =
        PhaseRunner.run(
            "check",
            indexes,
            workers,
            0,
            0,
            (w, k) -> {
              Pair p = pending.get(k);
              if (matches(w, byHostPort.get(p.member()), stored.get(p.file()), wantPresent)) {
                ledger.confirm(p, System.nanoTime());
              }
            });
    return new Outcome(
        ledger.filesConfirmed(),
        ledger.filesUnconfirmed(),
        ledger.lastConfirmedNanos(System.nanoTime()),
        pass.firstError());
  }

  /**
   * The pairs to confirm: each file with every member of its group as the tracker lists them now.
   */
  private static Ledger ledger(
      int[] order,
      AtomicReferenceArray<StoredFile> stored,
      BenchWorker worker,
      Map<String, StorageAddress> byHostPort)
      throws IOException {
    Map<String, List<String>> membersOfGroup = new HashMap<>();
    for (int file : order) {
      String group = stored.get(file).group();
      if (!membersOfGroup.containsKey(group)) {
        List<String> names = new ArrayList<>();
        for (StorageAddress a : members(worker.tracker().listStorages(group, null), group)) {
          byHostPort.put(a.hostPort(), a);
          names.add(a.hostPort());
        }
        if (names.isEmpty()) {
          throw new FdfsException(Errno.ENOENT, "the tracker lists no member of group " + group);
        }
        membersOfGroup.put(group, names);
      }
    }
    return new Ledger(order, f -> membersOfGroup.get(stored.get(f).group()));
  }

  /** True when {@code member} holds the file and {@code wantPresent}, or lacks it and not. */
  private static boolean matches(
      BenchWorker w, StorageAddress member, StoredFile f, boolean wantPresent)
      throws IOException {
    try {
      w.storage(member).queryFileInfo(f.group(), f.remoteName(), false);
      return wantPresent;
    } catch (FdfsException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
      return !wantPresent;
    }
  }
}
