package io.dfstree.cli;

import io.dfstree.api.StorageCounters;
import io.dfstree.client.TrackerSession;
import io.dfstree.protocol.GroupStat;
import io.dfstree.protocol.StorageStat;
import io.dfstree.protocol.StorageStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code monitor [group]}: the essentials of fdfs_monitor as a readable table — groups with space
 * and storage counts, and each storage's state, space, traffic, replication progress and last
 * heartbeat.
 *
 * <p>Everything comes from the standard list-groups / list-storages answers (no extra wire data):
 * replication is the FastDFS sync-in / sync-out byte counters, {@code last_synced_timestamp} and,
 * as fdfs_monitor prints it, the delay behind the newest client write on another member. Transfer
 * rates are not in the FastDFS record, so they are computed here from two samples of the counters
 * ({@code --interval}, or between refreshes with {@code --watch}), over the time between the two
 * heartbeats that carried them.
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "monitor",
    description = "Show groups and storage servers as the tracker sees them.")
final class MonitorCommand extends ClientCommand {
  static final double MIB = 1024.0 * 1024.0;

  @Parameters(index = "0", arity = "0..1", paramLabel = "GROUP", description = "only this group")
  String onlyGroup;

  @Option(
      names = "--watch",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "print again every SECONDS until Ctrl-C (or --count), with sync rates between refreshes")
  int watchSeconds;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "with --watch: stop after N tables (default: until Ctrl-C)")
  int count;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "sample twice SECONDS apart and print once, with sync rates (pick more than the storage heartbeat interval)")
  int intervalSeconds;

  /** A group and its storages, the unit both outputs are built from. */
  record GroupView(GroupStat group, List<StorageStat> storages) {
    long activeCount() {
      // modern list-groups records do not carry an active count; the storage list does
      return group.activeCount() >= 0
          ? group.activeCount()
          : storages.stream().filter(s -> s.status() == StorageStatus.ACTIVE).count();
    }

    /**
     * fdfs_monitor's reference for a storage's sync delay: the newest client write on any
     * <em>other</em> member of the group (0 when none took one).
     */
    long maxOtherSourceUpdate(StorageStat self) {
      long max = 0;
      for (StorageStat s : storages) {
        if (s != self && s.lastSourceUpdate() > max) {
          max = s.lastSourceUpdate();
        }
      }
      return max;
    }
  }

  /**
   * One sample of the tracker's view; {@code rates} by {@link #key}, empty without a previous
   * sample.
   */
  record Snapshot(String tracker, long now, List<GroupView> views, Map<String, Rate> rates) {
    Rate rate(GroupView v, StorageStat s) {
      return rates.getOrDefault(key(v.group().name(), s.id()), Rate.UNKNOWN);
    }
  }

  /** Sync throughput of one storage in MiB/s; null where not known (first sample, restart). */
  record Rate(Double inMiBps, Double outMiBps) {
    static final Rate UNKNOWN = new Rate(null, null);

    String text() {
      return inMiBps == null ? "-" : String.format(Locale.ROOT, "%.1f/%.1f", inMiBps, outMiBps);
    }
  }

  static String key(String group, String storageId) {
    return group + "/" + storageId;
  }

  /**
   * Turns successive samples of the success sync-in/out counters into MiB/s. The counters are as
   * fresh as the heartbeat that carried them, so the time base is the heartbeat times, not the
   * monitor's clock; a sample without a newer heartbeat keeps the previous rate.
   */
  static final class Rates {
    private record Sample(long syncIn, long syncOut, long beat, Rate rate) {}

    private final Map<String, Sample> last = new HashMap<>();

    Rate update(String key, long syncIn, long syncOut, long beatSeconds) {
      Sample prev = last.get(key);
      Rate rate;
      if (prev == null
          || syncIn < prev.syncIn()
          || syncOut < prev.syncOut()
          || beatSeconds < prev.beat()) {
        rate =
            Rate.UNKNOWN; // first sight, or the storage restarted (its counters start again at 0)
      } else if (beatSeconds == prev.beat()) {
        return prev.rate(); // no heartbeat since: nothing new to measure
      } else {
        double secs = beatSeconds - prev.beat();
        rate =
            new Rate(
                (syncIn - prev.syncIn()) / MIB / secs, (syncOut - prev.syncOut()) / MIB / secs);
      }
      last.put(key, new Sample(syncIn, syncOut, beatSeconds, rate));
      return rate;
    }
  }

  @Override
  int execute() throws IOException {
    if (watchSeconds < 0 || intervalSeconds < 0 || count < 0) {
      throw new ParameterException(
          spec.commandLine(), "--watch, --interval and --count must not be negative");
    }
    if (watchSeconds > 0 && intervalSeconds > 0) {
      throw new ParameterException(spec.commandLine(), "use either --watch or --interval");
    }
    Rates rates = new Rates();
    if (intervalSeconds > 0) {
      sample(rates);
      if (!sleep(intervalSeconds)) {
        return 0;
      }
      print(sample(rates));
      return 0;
    }
    if (watchSeconds == 0) {
      print(sample(rates));
      return 0;
    }
    for (int i = 0; count == 0 || i < count; i++) {
      if (i > 0 && !sleep(watchSeconds)) {
        break;
      }
      Snapshot s;
      try {
        s = sample(rates);
      } catch (IOException e) {
        if (i == 0) {
          throw e; // nothing shown yet: a wrong address should fail at once
        }
        err().println("error: " + e.getMessage() + " (trying again in " + watchSeconds + " s)");
        err().flush();
        continue;
      }
      if (!json) {
        out()
            .printf(
                "%s--- %s, every %d s (Ctrl-C to stop) ---%n",
                i > 0 ? "\n" : "", Instant.ofEpochSecond(s.now()), watchSeconds);
      }
      print(s);
      out().flush();
    }
    return 0;
  }

  private static boolean sleep(int seconds) {
    try {
      Thread.sleep(seconds * 1000L);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Snapshot sample(Rates rates) throws IOException {
    List<GroupView> views = new ArrayList<>();
    String trackerName;
    try (TrackerSession tracker = client().openTracker()) {
      trackerName = tracker.peer();
      for (GroupStat g : tracker.listGroups()) {
        if (onlyGroup == null || onlyGroup.equals(g.name())) {
          views.add(new GroupView(g, tracker.listStorages(g.name(), null)));
        }
      }
    }
    if (onlyGroup != null && views.isEmpty()) {
      throw new io.dfstree.protocol.FdfsException(
          io.dfstree.protocol.Errno.ENOENT,
          "group " + onlyGroup + " is not known to tracker " + trackerName);
    }
    Map<String, Rate> r = new HashMap<>();
    for (GroupView v : views) {
      for (StorageStat s : v.storages()) {
        String k = key(v.group().name(), s.id());
        r.put(
            k,
            rates.update(
                k,
                s.counter(StorageCounters.SUCCESS_SYNC_IN_BYTES),
                s.counter(StorageCounters.SUCCESS_SYNC_OUT_BYTES),
                s.lastHeartbeatTime()));
      }
    }
    return new Snapshot(trackerName, Instant.now().getEpochSecond(), views, r);
  }

  private void print(Snapshot s) {
    if (json) {
      printJson(toJson(s));
    } else {
      printTable(s);
    }
  }

  static final String ROW =
      "  %-16s %-21s %-10s %10s %10s %15s %16s %11s %12s %18s %12s %13s  %s%n";

  private void printTable(Snapshot snap) {
    out().printf("tracker %s: %d group(s)%n", snap.tracker(), snap.views().size());
    for (GroupView v : snap.views()) {
      GroupStat g = v.group();
      out()
          .printf(
              "%ngroup %s: free %d / total %d MB, %d storage(s), %d active, port %d%n",
              g.name(),
              g.freeMb(),
              g.totalMb(),
              g.storageCount(),
              v.activeCount(),
              g.storagePort());
      out()
          .printf(
              ROW,
              "ID",
              "HOST:PORT",
              "STATE",
              "FREE MB",
              "TOTAL MB",
              "UPLOADS ok/all",
              "DOWNLOADS ok/all",
              "SYNC IN MB",
              "SYNC OUT MB",
              "SYNC MiB/s in/out",
              "LAST SYNCED",
              "SYNC DELAY",
              "LAST HEARTBEAT");
      for (StorageStat s : v.storages()) {
        out().print(row(s, snap.rate(v, s), v.maxOtherSourceUpdate(s), snap.now()));
      }
    }
  }

  /** One storage's table line. */
  static String row(StorageStat s, Rate rate, long maxOtherSourceUpdate, long now) {
    return String.format(
        Locale.ROOT,
        ROW,
        s.id(),
        s.ip() + ":" + s.storagePort(),
        s.status().name(),
        s.freeMb(),
        s.totalMb(),
        s.counter(StorageCounters.SUCCESS_UPLOAD) + "/" + s.counter(StorageCounters.TOTAL_UPLOAD),
        s.counter(StorageCounters.SUCCESS_DOWNLOAD)
            + "/"
            + s.counter(StorageCounters.TOTAL_DOWNLOAD),
        mb(s.counter(StorageCounters.SUCCESS_SYNC_IN_BYTES)),
        mb(s.counter(StorageCounters.SUCCESS_SYNC_OUT_BYTES)),
        rate.text(),
        ago(s.lastSyncedTimestamp(), now),
        syncDelay(s.lastSyncedTimestamp(), maxOtherSourceUpdate),
        heartbeat(s.lastHeartbeatTime(), now));
  }

  static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f", bytes / MIB);
  }

  static String heartbeat(long epochSeconds, long now) {
    if (epochSeconds <= 0) {
      return "never";
    }
    return Instant.ofEpochSecond(epochSeconds) + " (" + Math.max(0, now - epochSeconds) + "s ago)";
  }

  /** "12s ago", or "-" for a time never set. */
  static String ago(long epochSeconds, long now) {
    return epochSeconds <= 0 ? "-" : Math.max(0, now - epochSeconds) + "s ago";
  }

  /**
   * How far a storage is behind, as fdfs_monitor computes it: the newest client write on another
   * member minus the time this one is synced up to; -1 when nobody else took a write (nothing to be
   * behind on), {@link Long#MAX_VALUE} when it never reported being synced.
   */
  static long syncDelaySeconds(long lastSyncedTimestamp, long maxOtherSourceUpdate) {
    if (maxOtherSourceUpdate <= 0) {
      return -1;
    }
    if (lastSyncedTimestamp <= 0) {
      return Long.MAX_VALUE;
    }
    return Math.max(0, maxOtherSourceUpdate - lastSyncedTimestamp);
  }

  static String syncDelay(long lastSyncedTimestamp, long maxOtherSourceUpdate) {
    long d = syncDelaySeconds(lastSyncedTimestamp, maxOtherSourceUpdate);
    return d < 0 ? "-" : d == Long.MAX_VALUE ? "never synced" : duration(d);
  }

  /** fdfs_monitor's delay format: 42s, 03m:05s, 02h:03m:05s, 2 days 02h:03m:05s. */
  static String duration(long seconds) {
    long days = seconds / 86400;
    long h = seconds % 86400 / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    if (days > 0) {
      return String.format(Locale.ROOT, "%d days %02dh:%02dm:%02ds", days, h, m, s);
    }
    if (h > 0) {
      return String.format(Locale.ROOT, "%02dh:%02dm:%02ds", h, m, s);
    }
    if (m > 0) {
      return String.format(Locale.ROOT, "%02dm:%02ds", m, s);
    }
    return s + "s";
  }

  static Map<String, Object> toJson(Snapshot snap) {
    List<Object> groups = new ArrayList<>();
    for (GroupView v : snap.views()) {
      GroupStat g = v.group();
      Map<String, Object> group = new LinkedHashMap<>();
      group.put("name", g.name());
      group.put("freeMb", g.freeMb());
      group.put("totalMb", g.totalMb());
      group.put("storageCount", g.storageCount());
      group.put("activeCount", v.activeCount());
      group.put("storagePort", g.storagePort());
      List<Object> storages = new ArrayList<>();
      for (StorageStat s : v.storages()) {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("id", s.id());
        st.put("ip", s.ip());
        st.put("port", s.storagePort());
        st.put("status", s.status().name());
        st.put("version", s.version());
        st.put("freeMb", s.freeMb());
        st.put("totalMb", s.totalMb());
        st.put("uploads", s.counter(StorageCounters.TOTAL_UPLOAD));
        st.put("successUploads", s.counter(StorageCounters.SUCCESS_UPLOAD));
        st.put("downloads", s.counter(StorageCounters.TOTAL_DOWNLOAD));
        st.put("successDownloads", s.counter(StorageCounters.SUCCESS_DOWNLOAD));
        st.put("syncInBytes", s.counter(StorageCounters.TOTAL_SYNC_IN_BYTES));
        st.put("successSyncInBytes", s.counter(StorageCounters.SUCCESS_SYNC_IN_BYTES));
        st.put("syncOutBytes", s.counter(StorageCounters.TOTAL_SYNC_OUT_BYTES));
        st.put("successSyncOutBytes", s.counter(StorageCounters.SUCCESS_SYNC_OUT_BYTES));
        Rate rate = snap.rate(v, s);
        st.put("syncInMiBps", round(rate.inMiBps()));
        st.put("syncOutMiBps", round(rate.outMiBps()));
        st.put("lastSourceUpdate", s.lastSourceUpdate());
        st.put("lastSyncUpdate", s.lastSyncUpdate());
        st.put("lastSyncedTimestamp", s.lastSyncedTimestamp());
        long delay = syncDelaySeconds(s.lastSyncedTimestamp(), v.maxOtherSourceUpdate(s));
        st.put("syncDelaySeconds", delay < 0 || delay == Long.MAX_VALUE ? null : delay);
        st.put("neverSynced", delay == Long.MAX_VALUE);
        st.put("lastHeartbeat", s.lastHeartbeatTime());
        storages.add(st);
      }
      group.put("storages", storages);
      groups.add(group);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tracker", snap.tracker());
    out.put("time", snap.now());
    out.put("groups", groups);
    return out;
  }

  private static Double round(Double v) {
    return v == null ? null : Math.round(v * 1000) / 1000.0;
  }
}
