package io.dfstree.tracker;

import io.dfstree.api.Heartbeat;
import io.dfstree.api.Heartbeat.StorePathStat;
import io.dfstree.protocol.StorageStatus;
import java.util.List;
import java.util.Map;

/**
 * What the tracker knows about one storage: its latest heartbeat plus the tracker's own view
 * (state, when it last heard from it, its store-path round-robin cursor). Mutated only by {@link
 * GroupMap}, on one event loop.
 */
public final class StorageEntry {
  private static final long MB = 1024L * 1024L;

  private final int id;
  private Heartbeat beat;
  private StorageStatus status;
  private long lastBeatMs;
  private int pathCursor;

  /** upTime of the process this tracker saw die (member left, port refused), or -1. */
  private long deadUpTime = -1;

  private long deadAtMs;

  StorageEntry(Heartbeat beat, StorageStatus status, long nowMs) {
    this.id = beat.storageId();
    this.beat = beat;
    this.status = status;
    this.lastBeatMs = nowMs;
  }

  void update(Heartbeat beat, StorageStatus status, long nowMs) {
    this.beat = beat;
    this.status = status;
    this.lastBeatMs = nowMs;
  }

  void status(StorageStatus status) {
    this.status = status;
  }

  /**
   * Remembers that the current process was seen dead at {@code nowMs} (see {@link GroupMap#down}).
   */
  void markDead(long nowMs) {
    deadUpTime = beat.upTime();
    deadAtMs = nowMs;
  }

  void clearDead() {
    deadUpTime = -1;
  }

  /**
   * Whether a heartbeat from the process with {@code upTime}, received at {@code nowMs}, is an echo
   * of a process already seen dead: one sent before it died and delivered late. Such beats are
   * ignored for {@code windowMs}; a process still beating after that is evidently alive.
   */
  boolean isEchoOfDead(long upTime, long nowMs, long windowMs) {
    return deadUpTime >= 0 && deadUpTime == upTime && nowMs - deadAtMs <= windowMs;
  }

  public int id() {
    return id;
  }

  /** The storage id as FastDFS tools print it (decimal text). */
  public String idText() {
    return Integer.toString(id);
  }

  public String group() {
    return beat.group();
  }

  public String host() {
    return beat.host();
  }

  public int port() {
    return beat.port();
  }

  public StorageStatus status() {
    return status;
  }

  public Heartbeat heartbeat() {
    return beat;
  }

  public long lastBeatMs() {
    return lastBeatMs;
  }

  public boolean isActive() {
    return status == StorageStatus.ACTIVE;
  }

  /** Store paths that can take an upload (free above reserve, not read-only). */
  public List<StorePathStat> writablePaths() {
    return paths().stream().filter(StorePathStat::writable).toList();
  }

  public boolean hasWritablePath() {
    return paths().stream().anyMatch(StorePathStat::writable);
  }

  /** True when every store path is read-only: the storage serves reads only. */
  public boolean readOnly() {
    return !paths().isEmpty() && paths().stream().allMatch(StorePathStat::readOnly);
  }

  public List<StorePathStat> paths() {
    return beat.storePaths() == null ? List.of() : beat.storePaths();
  }

  public long totalBytes() {
    return paths().stream().mapToLong(StorePathStat::totalBytes).sum();
  }

  public long freeBytes() {
    return paths().stream().mapToLong(StorePathStat::freeBytes).sum();
  }

  public long totalMb() {
    return totalBytes() / MB;
  }

  public long freeMb() {
    return freeBytes() / MB;
  }

  public long reservedMb() {
    return paths().stream().mapToLong(StorePathStat::reservedBytes).sum() / MB;
  }

  /** Replication progress per source storage id (source timestamps applied up to). */
  public Map<String, Long> syncedUntil() {
    return beat.syncedUntil() == null ? Map.of() : beat.syncedUntil();
  }

  /** The next store path index by round robin over the writable paths; advances the cursor. */
  int nextPathRoundRobin() {
    List<StorePathStat> writable = writablePaths();
    if (writable.isEmpty()) {
      return -1;
    }
    StorePathStat p = writable.get(Math.floorMod(pathCursor, writable.size()));
    pathCursor = Math.floorMod(pathCursor + 1, writable.size());
    return p.index();
  }

  /** The writable store path with the most free bytes (lowest index on ties). */
  int mostFreePath() {
    StorePathStat best = null;
    for (StorePathStat p : writablePaths()) {
      if (best == null || p.freeBytes() > best.freeBytes()) {
        best = p;
      }
    }
    return best == null ? -1 : best.index();
  }

  @Override
  public String toString() {
    return "storage " + id + " (" + group() + " " + host() + ":" + port() + ")";
  }
}
