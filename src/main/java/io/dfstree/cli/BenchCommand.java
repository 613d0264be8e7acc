package io.dfstree.cli;

import io.dfstree.client.FdfsClient;
import io.dfstree.client.StorageAddress;
import io.dfstree.client.StoredFile;
import io.dfstree.client.TrackerSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code bench}: modelled on SeaweedFS's {@code weed benchmark}. Uploads {@code -n} files of {@code
 * -s} bytes over {@code -c} concurrent connections, downloads each one and checks every byte, then
 * deletes them. Speaks only the FastDFS protocol (tracker query, then storage), so it drives a real
 * FastDFS just the same. Each worker keeps its tracker and storage connections open across
 * operations, as a pooled client would.
 *
 * <p>{@code --warmup N} first uploads and deletes N other files, unmeasured, so the servers' JIT
 * has compiled the hot paths before the clock starts. {@code --replication} adds a phase {@code
 * replicated} after the upload phase: the time until every uploaded file is on every member of its
 * group (see {@link ReplicationCheck}). With asynchronous replication (write quorum 1) the upload
 * rate alone leaves out the peers' copies, still being made when the phase ends; the {@code
 * replicated} row includes them.
 *
 * <p>Exit code 0 when every operation succeeded and every byte matched, 1 otherwise.
 *
 * <p>What it shares with {@code bench-s3}: the load options ({@link LoadOptions}), {@code
 * --server-pid} ({@link ServerPidOption}), the phase loop ({@link PhaseRunner}) and the printed
 * table ({@link ResultTable}). Each worker's connections are a {@link BenchWorker}.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "bench",
    defaultValueProvider = BenchCommand.LoadDefaults.class,
    description = "Benchmark upload, verified download and delete (like weed benchmark).")
final class BenchCommand extends ClientCommand {
  @Mixin LoadOptions load;

  /** {@code bench}'s defaults: 1000 files of 1K over 16 connections. */
  static final class LoadDefaults extends LoadOptions.Defaults {
    LoadDefaults() {
      super("1000", "1K", "16");
    }
  }

  @Option(
      names = "--max-seconds",
      defaultValue = "0",
      description =
          "stop starting new operations in a phase after this many seconds (0 = no limit); "
              + "the delete phase still removes every uploaded file")
  double maxSeconds;

  @Option(names = "--group", description = "group to upload to (default: the tracker chooses)")
  String group;

  @Option(names = "--skip-delete", description = "leave the files in place")
  boolean skipDelete;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "seed of the file contents (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "before measuring, upload and delete N files, unmeasured, to warm up the servers (default ${DEFAULT-VALUE}); "
              + "with --replication it also waits until they were on every member and gone again")
  int warmup;

  @Option(
      names = "--replication",
      description =
          "after the upload phase, measure until every file is on every member of its group "
              + "(phase 'replicated', timed from the start of the upload phase; bounded by --max-seconds, "
              + "or "
              + (int) DEFAULT_REPLICATION_CAP_SECONDS
              + " s when that is 0)")
  boolean replication;

  @Mixin ServerPidOption serverCpu;

  /** How long the {@code replicated} phase may wait when {@code --max-seconds} is 0. */
  static final double DEFAULT_REPLICATION_CAP_SECONDS = 300;

  @Override
  int execute() throws IOException {
    if (load.count <= 0 || load.concurrency <= 0) {
      throw new ParameterException(spec.commandLine(), "-n and -c must be positive");
    }
    if (warmup < 0) {
      throw new ParameterException(spec.commandLine(), "--warmup must not be negative");
    }
    FdfsClient client = client();
    // one probe first, so an unreachable tracker is one clear error rather than n failed uploads
    try (TrackerSession probe = client.openTracker()) {
      probe.activeTest();
    }
    if (!json) {
      out()
          .printf(
              "bench: %d files of %d bytes, %d connections, tracker %s, group %s%n",
              load.count,
              load.size,
              load.concurrency,
              client.options().trackers().get(0),
              group == null ? "(tracker's choice)" : group);
      out().flush();
    }
    AtomicReferenceArray<StoredFile> stored = new AtomicReferenceArray<>(load.count);
    List<BenchWorker> workers = new ArrayList<>();
    for (int i = 0; i < load.concurrency; i++) {
      workers.add(new BenchWorker(client));
    }
    List<PhaseResult> results = new ArrayList<>();
    ServerCpuProbe cpu = serverCpu.probe();
    try {
      if (warmup > 0) {
        String problem = warmUp(workers);
        if (problem != null) {
          err().println("error: warm-up failed: " + problem);
          return LOCAL_FAILURE;
        }
      }
      // the order in which uploads were acknowledged: the replication check watches the newest
      AtomicIntegerArray ackOrder = new AtomicIntegerArray(load.count);
      AtomicInteger acked = new AtomicInteger();
      PhaseResult upload =
          cpu.measure(
              () ->
                  PhaseRunner.run(
                      "upload",
                      PhaseRunner.upTo(load.count),
                      workers,
                      maxSeconds,
                      load.size,
                      (w, i) -> {
                        stored.set(i, upload(w, seed, i));
                        ackOrder.set(acked.getAndIncrement(), i);
                      }));
      long uploadEnd = System.nanoTime();
      results.add(upload);
      int[] uploaded = uploadedIndexes(stored);
      if (replication && uploaded.length > 0) {
        int[] order = new int[acked.get()];
        Arrays.setAll(order, ackOrder::get);
        long deadline = uploadEnd + (long) (replicationCapSeconds() * 1e9);
        ReplicationCheck.Outcome outcome =
            ReplicationCheck.await(order, stored, true, workers, deadline);
        results.add(ReplicationCheck.phase(upload, uploadEnd, outcome, System.nanoTime()));
      }
      results.add(
          cpu.measure(
              () ->
                  PhaseRunner.run(
                      "download",
                      uploaded,
                      workers,
                      maxSeconds,
                      load.size,
                      (w, i) -> {
                        StoredFile f = stored.get(i);
                        StorageAddress source = w.tracker().queryFetch(f.group(), f.remoteName());
                        BenchContent.Verifier verifier =
                            new BenchContent(seed, i, load.size).verifier();
                        w.storage(source).download(f.group(), f.remoteName(), 0, 0, verifier);
                        String problem = verifier.problem();
                        if (problem != null) {
                          throw new IllegalStateException("verify " + f.fileId() + ": " + problem);
                        }
                      })));
      if (!skipDelete) {
        results.add(cpu.measure(() -> deletePhase("delete", uploaded, stored, workers)));
      }
    } finally {
      workers.forEach(BenchWorker::close);
    }
    print(results, cpu);
    return results.stream().allMatch(r -> r.errors() == 0) ? 0 : LOCAL_FAILURE;
  }

  /** Uploads file {@code i} of the content seeded {@code contentSeed} where the tracker says. */
  private StoredFile upload(BenchWorker w, long contentSeed, int i) throws IOException {
    StorageAddress target = w.tracker().queryStore(group);
    return w.storage(target)
        .upload(
            target.storePathIndex(),
            new BenchContent(contentSeed, i, load.size).stream(),
            load.size,
            "");
  }

  /** Deletes the files of {@code indexes}, each from the member the tracker names for updates. */
  private static PhaseResult deletePhase(
      String name,
      int[] indexes,
      AtomicReferenceArray<StoredFile> stored,
      List<BenchWorker> workers) {
    return PhaseRunner.run(
        name,
        indexes,
        workers,
        0,
        0,
        (w, i) -> {
          StoredFile f = stored.get(i);
          StorageAddress target = w.tracker().queryUpdate(f.group(), f.remoteName());
          w.storage(target).delete(f.group(), f.remoteName());
        });
  }

  double replicationCapSeconds() {
    return maxSeconds > 0 ? maxSeconds : DEFAULT_REPLICATION_CAP_SECONDS;
  }

  /**
   * With --replication, how long the warm-up leaves its files alone once they are on every member
   * before deleting them. Catch-up also replays the replica lines of a peer's binlog; a delete that
   * overtakes them makes the file bounce between the members (each re-fetches it from the other,
   * which then applies the delete, and so on), which would run on into the measured phases. The
   * members poll each other's binlogs every storage.catchUpIntervalMs (500 ms by default), so a
   * pause of a few intervals lets every member read past those lines first.
   */
  static final long WARMUP_QUIET_MILLIS = 2000;

  /**
   * Files of the warm-up found again on a member after their delete was confirmed (JSON:
   * warmupReturned).
   */
  private int warmupReturned;

  /**
   * Uploads and deletes {@link #warmup} files of other content, unmeasured. With --replication it
   * waits, between the two, until the files are on every member (plus {@link
   * #WARMUP_QUIET_MILLIS}), and after the deletes until they are gone from every member, so none of
   * the warm-up's replication runs into the measured phases; a second later it looks once more and
   * reports files that came back. Returns null, or what went wrong.
   */
  private String warmUp(List<BenchWorker> workers) throws IOException {
    AtomicReferenceArray<StoredFile> stored = new AtomicReferenceArray<>(warmup);
    long warmSeed = ~seed;
    double cap = replicationCapSeconds();
    PhaseResult up =
        PhaseRunner.run(
            "warmup-upload",
            PhaseRunner.upTo(warmup),
            workers,
            maxSeconds,
            load.size,
            (w, i) -> stored.set(i, upload(w, warmSeed, i)));
    int[] uploaded = uploadedIndexes(stored);
    String problem = up.firstError();
    if (problem == null && replication && uploaded.length > 0) {
      problem =
          ReplicationCheck.await(
                  uploaded, stored, true, workers, System.nanoTime() + (long) (cap * 1e9))
              .firstError();
      pause(WARMUP_QUIET_MILLIS);
    }
    PhaseResult delete = deletePhase("warmup-delete", uploaded, stored, workers);
    if (problem == null) {
      problem = delete.firstError();
    }
    if (problem == null && replication && uploaded.length > 0) {
      problem =
          ReplicationCheck.await(
                  uploaded, stored, false, workers, System.nanoTime() + (long) (cap * 1e9))
              .firstError();
      if (problem == null) {
        pause(1000);
        warmupReturned =
            ReplicationCheck.checkOnce(uploaded, stored, false, workers).filesUnconfirmed();
      }
    }
    if (!json) {
      out().printf("warm-up: %d files%n", uploaded.length);
      if (warmupReturned > 0) {
        out()
            .printf(
                "warning: %d deleted warm-up files came back on a member (replication re-created them); "
                    + "their copies may overlap the measured phases%n",
                warmupReturned);
      }
      out().flush();
    }
    return problem;
  }

  /** Sleeps; an interrupt ends the command. */
  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalProblem("interrupted");
    }
  }

  private static int[] uploadedIndexes(AtomicReferenceArray<StoredFile> stored) {
    int[] out = new int[stored.length()];
    int n = 0;
    for (int i = 0; i < stored.length(); i++) {
      if (stored.get(i) != null) {
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private void print(List<PhaseResult> results, ServerCpuProbe cpu) {
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("files", load.count);
      doc.put("size", load.size);
      doc.put("concurrency", load.concurrency);
      doc.put("warmup", warmup);
      doc.put("warmupReturned", warmupReturned);
      List<Object> phases = new ArrayList<>();
      for (PhaseResult r : results) {
        phases.add(ResultTable.json(r, cpu));
      }
      doc.put("phases", phases);
      printJson(doc);
      return;
    }
    ResultTable.print(out(), results, cpu);
  }
}
