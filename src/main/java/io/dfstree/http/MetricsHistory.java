package io.dfstree.http;

import io.dfstree.api.Heartbeat;
import io.dfstree.api.StorageCounters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last hour of every storage, for the console's charts: one sample per storage every {@code
 * intervalMs} (ticks aligned to the interval, so the page can add storages up sample by sample) of
 * upload/download operations and bytes per second (from the FastDFS counters in the heartbeats),
 * p99 latency (from the storage's latency message), free space per store path, and replication lag
 * per source member. A ring: at most {@code windowMs / intervalMs} samples per storage, and a
 * storage silent for a whole window is forgotten. Pure: no Vert.x, no clock.
 *
 * <p>Replication lag of member M behind source S is how far M's applied position lags S's newest
 * write: {@code max(0, S.lastSourceUpdate - M.syncedUntil[S])} seconds, 0 when caught up (an idle
 * group does not look late); -1 while M has applied nothing of S yet.
 */
public final class MetricsHistory {
  /** One storage at one tick. {@code upP99Ms}/{@code downP99Ms} are -1 when unknown. */
  public record Sample(
      long t,
      double upOps,
      double downOps,
      double upBytes,
      double downBytes,
      double upP99Ms,
      double downP99Ms,
      long[] freeBytes,
      Map<String, Long> lagSeconds) {
    JsonObject toJson() {
      JsonArray free = new JsonArray();
      for (long f : freeBytes) {
        free.add(f);
      }
      return new JsonObject()
          .put("t", t)
          .put("up", round(upOps))
          .put("down", round(downOps))
          .put("upB", Math.round(upBytes))
          .put("downB", Math.round(downBytes))
          .put("upP99", round(upP99Ms))
          .put("downP99", round(downP99Ms))
          .put("free", free)
          .put("lag", new JsonObject(new TreeMap<String, Object>(lagSeconds)));
    }

    private static double round(double v) {
      return Math.round(v * 100) / 100.0;
    }
  }

  private static final class Series {
    final int id;
    String group;
    String host;
    Heartbeat last;
    long lastAtMs;
    double upP99 = -1;
    double downP99 = -1;
    long[] sampledCounters;
    long sampledAtMs;
    long[] firstCounters;
    long firstAtMs;
    final Deque<Sample> samples = new ArrayDeque<>();

    Series(int id) {
      this.id = id;
    }
  }

  private final long intervalMs;
  private final long windowMs;
  private final int capacity;
  private final Map<Integer, Series> storages = new TreeMap<>();

  public MetricsHistory(long intervalMs, long windowMs) {
    if (intervalMs <= 0 || windowMs < intervalMs) {
      throw new IllegalArgumentException(
          "interval " + intervalMs + " ms, window " + windowMs + " ms");
    }
    this.intervalMs = intervalMs;
    this.windowMs = windowMs;
    this.capacity = (int) (windowMs / intervalMs);
  }

  public long intervalMs() {
    return intervalMs;
  }

  /** The newest heartbeat of a storage, received at {@code nowMs}. */
  public void heartbeat(Heartbeat beat, long nowMs) {
    Series s = storages.computeIfAbsent(beat.storageId(), Series::new);
    if (s.last == null && beat.counters() != null) {
      // the first beat is the baseline, not the first sample: what a storage does between its
      // first beat and the next sample (an upload right after it went ACTIVE) is charted
      s.firstCounters = beat.counters().clone();
      s.firstAtMs = nowMs;
    }
    s.group = beat.group();
    s.host = beat.host() + ":" + beat.port();
    s.last = beat;
    s.lastAtMs = nowMs;
  }

  /** The storage's p99 latencies in milliseconds (negative = no requests in its window). */
  public void latency(int storageId, double uploadP99Ms, double downloadP99Ms) {
    Series s = storages.get(storageId);
    if (s != null) {
      s.upP99 = uploadP99Ms;
      s.downP99 = downloadP99Ms;
    }
  }

  /**
   * Takes one sample per storage that has beaten since its last sample; forgets long-silent ones.
   */
  public void sample(long nowMs) {
    long tick = nowMs - Math.floorMod(nowMs, intervalMs);
    Map<Integer, Heartbeat> beats = new HashMap<>();
    storages
        .values()
        .forEach(
            s -> {
              if (s.last != null) {
                beats.put(s.id, s.last);
              }
            });
    for (Iterator<Series> it = storages.values().iterator(); it.hasNext(); ) {
      Series s = it.next();
      if (nowMs - s.lastAtMs > windowMs) {
        it.remove();
        continue;
      }
      if (s.last == null || s.lastAtMs <= s.sampledAtMs) {
        continue; // nothing new since the last sample: a gap, not a made-up zero
      }
      long[] c = s.last.counters();
      long[] before = s.sampledCounters;
      long beforeAtMs = s.sampledAtMs;
      if (before == null && s.firstCounters != null && s.lastAtMs > s.firstAtMs) {
        // the first sample counts from the first beat, so work done right after a storage
        // joined (an upload as soon as it is ACTIVE) is charted, not folded into the baseline
        before = s.firstCounters;
        beforeAtMs = s.firstAtMs;
      }
      double up = 0, down = 0, upB = 0, downB = 0;
      if (before != null
          && c != null
          && c.length >= StorageCounters.COUNT
          && before.length >= StorageCounters.COUNT
          && c[StorageCounters.SUCCESS_UPLOAD] >= before[StorageCounters.SUCCESS_UPLOAD]) {
        double seconds = (s.lastAtMs - beforeAtMs) / 1000.0;
        up = delta(c, before, StorageCounters.SUCCESS_UPLOAD) / seconds;
        down = delta(c, before, StorageCounters.SUCCESS_DOWNLOAD) / seconds;
        upB = delta(c, before, StorageCounters.SUCCESS_UPLOAD_BYTES) / seconds;
        downB = delta(c, before, StorageCounters.SUCCESS_DOWNLOAD_BYTES) / seconds;
      } // else a single beat so far, or the storage restarted (counters went back): rates are 0
      s.sampledCounters = c == null ? null : c.clone();
      s.sampledAtMs = s.lastAtMs;
      long[] free =
          s.last.storePaths() == null
              ? new long[0]
              : s.last.storePaths().stream()
                  .mapToLong(Heartbeat.StorePathStat::freeBytes)
                  .toArray();
      Sample sample =
          new Sample(tick, up, down, upB, downB, s.upP99, s.downP99, free, lag(s.last, beats));
      if (!s.samples.isEmpty() && s.samples.peekLast().t() == tick) {
        s.samples.pollLast(); // two samples in one tick (a late timer): keep the newer
      }
      s.samples.addLast(sample);
      while (s.samples.size() > capacity) {
        s.samples.pollFirst();
      }
    }
  }

  private static double delta(long[] now, long[] before, int index) {
    return Math.max(0, now[index] - before[index]);
  }

  static Map<String, Long> lag(Heartbeat member, Map<Integer, Heartbeat> beats) {
    Map<String, Long> out = new TreeMap<>();
    if (member.syncedUntil() == null) {
      return out;
    }
    member
        .syncedUntil()
        .forEach(
            (source, until) -> {
              Heartbeat src;
              try {
                src = beats.get(Integer.parseInt(source.trim()));
              } catch (NumberFormatException e) {
                return;
              }
              if (src == null || !member.group().equals(src.group())) {
                return;
              }
              long u = until == null ? 0 : until;
              out.put(
                  source,
                  u <= 0
                      ? (src.lastSourceUpdate() > 0 ? -1L : 0L)
                      : Math.max(0, src.lastSourceUpdate() - u));
            });
    return out;
  }

  /** Samples newer than {@code sinceMs} (0 = the whole window), per storage. */
  public JsonObject toJson(long sinceMs) {
    JsonArray out = new JsonArray();
    for (Series s : storages.values()) {
      JsonArray samples = new JsonArray();
      for (Sample x : s.samples) {
        if (x.t() > sinceMs) {
          samples.add(x.toJson());
        }
      }
      JsonArray paths = new JsonArray();
      int n = s.last == null || s.last.storePaths() == null ? 0 : s.last.storePaths().size();
      for (int i = 0; i < n; i++) {
        paths.add(String.format("M%02X", s.last.storePaths().get(i).index()));
      }
      out.add(
          new JsonObject()
              .put("id", s.id)
              .put("group", s.group)
              .put("host", s.host)
              .put("paths", paths)
              .put("samples", samples));
    }
    return new JsonObject()
        .put("intervalMs", intervalMs)
        .put("windowMs", windowMs)
        .put("storages", out);
  }

  /** Samples kept for a storage (tests). */
  int size(int storageId) {
    Series s = storages.get(storageId);
    return s == null ? 0 : s.samples.size();
  }
}
