package io.dfstree.cli;

import io.dfstree.client.FdfsClient;
import io.dfstree.client.StorageAddress;
import io.dfstree.client.StorageSession;
import io.dfstree.client.StoredFile;
import io.dfstree.client.TrackerSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;
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
 * <p>Why over 500 lines: options, the four phases and the report are one command. The load options
 * ({@code -n -s -c}) are the {@link LoadOptions} mixin shared with {@code bench-s3}; the report is
 * still repeated in {@code bench-s3} and {@code bench-packed}, and is the next cut.
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

  @Option(
      names = "--server-pid",
      split = ",",
      paramLabel = "PID",
      description =
          "server process(es) on this machine: adds each phase's server CPU us/op (from /proc)")
  List<Long> serverPids = new ArrayList<>();

  /** Server CPU µs per operation of each measured phase (with --server-pid). */
  private final Map<String, Double> cpuPerOp = new HashMap<>();

  /** Runs a phase between two CPU readings of the servers (see {@link ServerCpuProbe}). */
  private PhaseResult measured(ServerCpuProbe cpu, java.util.function.Supplier<PhaseResult> phase) {
    cpu.start();
    PhaseResult r = phase.get();
    cpuPerOp.put(r.operation(), cpu.microsPerOp(r.count()));
    return r;
  }

  /** How long the {@code replicated} phase may wait when {@code --max-seconds} is 0. */
  static final double DEFAULT_REPLICATION_CAP_SECONDS = 300;

  /**
   * One phase's outcome. Latencies are of successful operations, in nanoseconds (3 significant
   * digits); null for a phase that is not made of timed operations ({@code replicated}), whose p50
   * and p99 print as "-" (null in JSON).
   */
  record PhaseResult(
      String operation,
      int count,
      int errors,
      double seconds,
      long bytesPerOp,
      Histogram latencies,
      String firstError) {
    boolean hasLatencies() {
      return latencies != null;
    }

    double opsPerSecond() {
      return seconds > 0 ? count / seconds : 0;
    }

    /** MiB/s, or -1 for operations that move no content. */
    double mibPerSecond() {
      return bytesPerOp <= 0 || seconds <= 0
          ? -1
          : count * (double) bytesPerOp / seconds / (1 << 20);
    }

    /** The percentile in milliseconds; 0 for a phase without latencies. */
    double percentileMillis(double p) {
      return latencies == null ? 0 : percentile(latencies, p) / 1e6;
    }
  }

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
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < load.concurrency; i++) {
      workers.add(new Worker(client));
    }
    List<PhaseResult> results = new ArrayList<>();
    ServerCpuProbe cpu = new ServerCpuProbe(serverPids);
    try {
      if (warmup > 0) {
        String problem = warmUp(workers);
        if (problem != null) {
          err().println("error: warm-up failed: " + problem);
          return LOCAL_FAILURE;
        }
      }
      int[] all = new int[load.count];
      Arrays.setAll(all, i -> i);
      // the order in which uploads were acknowledged: the replication check watches the newest
      AtomicIntegerArray ackOrder = new AtomicIntegerArray(load.count);
      AtomicInteger acked = new AtomicInteger();
      PhaseResult upload =
          measured(
              cpu,
              () ->
          runPhase(
              "upload",
              all,
              workers,
              maxSeconds,
              load.size,
              (w, i) -> {
                StorageAddress target = w.tracker().queryStore(group);
                StoredFile f =
                    w.storage(target)
                        .upload(
                            target.storePathIndex(),
                            new BenchContent(seed, i, load.size).stream(),
                            load.size,
                            "");
                stored.set(i, f);
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
          measured(
              cpu,
              () ->
          runPhase(
              "download",
              uploaded,
              workers,
              maxSeconds,
              load.size,
              (w, i) -> {
                StoredFile f = stored.get(i);
                StorageAddress source = w.tracker().queryFetch(f.group(), f.remoteName());
                BenchContent.Verifier verifier = new BenchContent(seed, i, load.size).verifier();
                w.storage(source).download(f.group(), f.remoteName(), 0, 0, verifier);
                String problem = verifier.problem();
                if (problem != null) {
                  throw new IllegalStateException("verify " + f.fileId() + ": " + problem);
                }
              })));
      if (!skipDelete) {
        results.add(
            measured(
                cpu,
                () ->
            runPhase(
                "delete",
                uploaded,
                workers,
                0,
                0,
                (w, i) -> {
                  StoredFile f = stored.get(i);
                  StorageAddress target = w.tracker().queryUpdate(f.group(), f.remoteName());
                  w.storage(target).delete(f.group(), f.remoteName());
                })));
      }
    } finally {
      workers.forEach(Worker::close);
    }
    print(results);
    return results.stream().allMatch(r -> r.errors() == 0) ? 0 : LOCAL_FAILURE;
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
  private String warmUp(List<Worker> workers) throws IOException {
    AtomicReferenceArray<StoredFile> stored = new AtomicReferenceArray<>(warmup);
    int[] all = new int[warmup];
    Arrays.setAll(all, i -> i);
    long warmSeed = ~seed;
    double cap = replicationCapSeconds();
    PhaseResult up =
        runPhase(
            "warmup-upload",
            all,
            workers,
            maxSeconds,
            load.size,
            (w, i) -> {
              StorageAddress target = w.tracker().queryStore(group);
              stored.set(
                  i,
                  w.storage(target)
                      .upload(
                          target.storePathIndex(),
                          new BenchContent(warmSeed, i, load.size).stream(),
                          load.size,
                          ""));
            });
    int[] uploaded = uploadedIndexes(stored);
    String problem = up.firstError();
    if (problem == null && replication && uploaded.length > 0) {
      problem =
          ReplicationCheck.await(
                  uploaded, stored, true, workers, System.nanoTime() + (long) (cap * 1e9))
              .firstError();
      pause(WARMUP_QUIET_MILLIS);
    }
    PhaseResult delete =
        runPhase(
            "warmup-delete",
            uploaded,
            workers,
            0,
            0,
            (w, i) -> {
              StoredFile f = stored.get(i);
              StorageAddress target = w.tracker().queryUpdate(f.group(), f.remoteName());
              w.storage(target).delete(f.group(), f.remoteName());
            });
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

  /** One unit of work on file {@code index}; throws on failure. */
  interface Operation {
    void run(Worker worker, int index) throws Exception;
  }

  /** Runs {@code op} over {@code indexes} on every worker at once and gathers the figures. */
  static PhaseResult runPhase(
      String name,
      int[] indexes,
      List<Worker> workers,
      double maxSeconds,
      long bytesPerOp,
      Operation op) {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    long start = System.nanoTime();
    long deadline = maxSeconds > 0 ? start + (long) (maxSeconds * 1e9) : Long.MAX_VALUE;
    List<Thread> threads = new ArrayList<>();
    List<Histogram> logs = new ArrayList<>();
    for (Worker w : workers) {
      // one histogram per worker thread, written only by it, added up once the threads are done
      Histogram log = new Histogram(LATENCY_DIGITS);
      logs.add(log);
      Thread t =
          new Thread(
              () -> {
                int k;
                while (System.nanoTime() < deadline
                    && (k = next.getAndIncrement()) < indexes.length) {
                  long t0 = System.nanoTime();
                  try {
                    op.run(w, indexes[k]);
                    log.recordValue(System.nanoTime() - t0);
                  } catch (Exception e) {
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, e.toString());
                    w.dropBrokenSessions();
                  }
                }
              },
              "bench-" + name + "-" + threads.size());
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram latencies = new Histogram(LATENCY_DIGITS);
    logs.forEach(latencies::add);
    return new PhaseResult(
        name,
        (int) latencies.getTotalCount(),
        errors.get(),
        seconds,
        bytesPerOp,
        latencies,
        firstError.get());
  }

  private void print(List<PhaseResult> results) {
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("files", load.count);
      doc.put("size", load.size);
      doc.put("concurrency", load.concurrency);
      doc.put("warmup", warmup);
      doc.put("warmupReturned", warmupReturned);
      List<Object> phases = new ArrayList<>();
      for (PhaseResult r : results) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("operation", r.operation());
        p.put("count", r.count());
        p.put("errors", r.errors());
        p.put("seconds", r.seconds());
        p.put("opsPerSecond", r.opsPerSecond());
        p.put("mibPerSecond", r.mibPerSecond() < 0 ? null : r.mibPerSecond());
        p.put("p50Ms", r.hasLatencies() ? r.percentileMillis(50) : null);
        p.put("p99Ms", r.hasLatencies() ? r.percentileMillis(99) : null);
        Double cpuMicros = cpuPerOp.get(r.operation());
        p.put("serverCpuMicrosPerOp", cpuMicros == null || cpuMicros.isNaN() ? null : cpuMicros);
        p.put("firstError", r.firstError());
        phases.add(p);
      }
      doc.put("phases", phases);
      printJson(doc);
      return;
    }
    out()
        .printf(
            "%-10s %8s %7s %10s %9s %9s %9s%s%n",
            "operation",
            "count",
            "errors",
            "ops/s",
            "MiB/s",
            "p50 ms",
            "p99 ms",
            serverPids.isEmpty() ? "" : String.format(" %10s", "srv us/op"));
    for (PhaseResult r : results) {
      String mib = r.mibPerSecond() < 0 ? "-" : String.format("%.2f", r.mibPerSecond());
      out()
          .printf(
              "%-10s %8d %7d %10.1f %9s %9s %9s%s%n",
              r.operation(),
              r.count(),
              r.errors(),
              r.opsPerSecond(),
              mib,
              millis(r, 50),
              millis(r, 99),
              serverPids.isEmpty()
                  ? ""
                  : String.format(
                      " %10s",
                      ServerCpuProbe.format(cpuPerOp.getOrDefault(r.operation(), Double.NaN))));
    }
    for (PhaseResult r : results) {
      if (r.firstError() != null) {
        out().printf("first %s error: %s%n", r.operation(), r.firstError());
      }
    }
  }

  private static String millis(PhaseResult r, double p) {
    return r.hasLatencies() ? String.format("%.2f", r.percentileMillis(p)) : "-";
  }

  /** Latencies keep 3 significant digits: 0.1 % resolution, whatever their range. */
  static final int LATENCY_DIGITS = 3;

  /** The value at percentile {@code p} (0..100) of the recorded values; 0 for none. */
  static double percentile(Histogram values, double p) {
    return values.getTotalCount() == 0 ? 0 : values.getValueAtPercentile(p);
  }

  /**
   * A worker's long-lived connections: one tracker session and one session per storage it meets.
   */
  static final class Worker {
    private final FdfsClient client;
    private TrackerSession tracker;
    private final Map<String, StorageSession> storages = new HashMap<>();

    Worker(FdfsClient client) {
      this.client = client;
    }

    TrackerSession tracker() throws IOException {
      if (tracker == null || !tracker.isUsable()) {
        if (tracker != null) {
          tracker.close();
        }
        tracker = client.openTracker();
      }
      return tracker;
    }

    StorageSession storage(StorageAddress address) throws IOException {
      StorageSession s = storages.get(address.hostPort());
      if (s == null || !s.isUsable()) {
        if (s != null) {
          s.close();
        }
        s = client.openStorage(address);
        storages.put(address.hostPort(), s);
      }
      return s;
    }

    /**
     * After a failure, forget connections that are out of step so the next operation reconnects.
     */
    void dropBrokenSessions() {
      if (tracker != null && !tracker.isUsable()) {
        tracker.close();
        tracker = null;
      }
      storages
          .values()
          .removeIf(
              s -> {
                if (!s.isUsable()) {
                  s.close();
                  return true;
                }
                return false;
              });
    }

    void close() {
      if (tracker != null) {
        tracker.close();
      }
      storages.values().forEach(StorageSession::close);
      storages.clear();
    }
  }
}
