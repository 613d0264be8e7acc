package io.dfstree.tracker;

import io.dfstree.api.GroupView;
import io.dfstree.api.Heartbeat;
import io.dfstree.api.MemberView;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageStatus;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The tracker's whole view of the cluster, rebuilt from storage heartbeats (soft state: nothing is
 * persisted, a restarted tracker is complete again after one heartbeat interval).
 *
 * <p>State rules: a fresh storage has the status it reports; one silent for longer than the
 * heartbeat timeout (see {@link #expire}) or that announced it is leaving is OFFLINE; an
 * administrator may DELETE a storage that is not ONLINE/ACTIVE/RECOVERY. A DELETED storage stays
 * DELETED while the same process keeps beating (same {@code upTime}), so a briefly partitioned
 * storage cannot undo an administrator's decision; a restarted process (new {@code upTime}) is
 * admitted again with its reported status, as a re-joining FastDFS storage would be.
 *
 * <p>Not thread-safe: the tracker verticle confines it to its event loop.
 */
public final class GroupMap {
  private final long heartbeatTimeoutMs;
  private final TreeMap<String, StorageGroup> groups = new TreeMap<>();
  private final TreeMap<Integer, StorageEntry> storages = new TreeMap<>();
  private int groupCursor;

  public GroupMap(long heartbeatTimeoutMs) {
    this.heartbeatTimeoutMs = heartbeatTimeoutMs;
  }

  /** Records a heartbeat received at {@code nowMs}; returns the state change it caused, if any. */
  public List<StateChange> apply(Heartbeat beat, long nowMs) {
    StorageStatus reported = parseStatus(beat.status());
    StorageEntry e = storages.get(beat.storageId());
    if (e == null) {
      e = new StorageEntry(beat, reported, nowMs);
      storages.put(e.id(), e);
      groups.computeIfAbsent(beat.group(), StorageGroup::new).add(e);
      return List.of(new StateChange(e, null, reported));
    }
    if (e.isEchoOfDead(beat.upTime(), nowMs, heartbeatTimeoutMs)) {
      return List.of();
    }
    e.clearDead();
    StorageStatus before = e.status();
    boolean sameProcess = e.heartbeat().upTime() == beat.upTime();
    StorageStatus next =
        before == StorageStatus.DELETED && sameProcess ? StorageStatus.DELETED : reported;
    if (!e.group().equals(beat.group())) {
      // a storage reconfigured into another group: move it, drop the old group if now empty
      StorageGroup old = groups.get(e.group());
      old.remove(e.id());
      if (old.isEmpty()) {
        groups.remove(old.name());
      }
      groups.computeIfAbsent(beat.group(), StorageGroup::new).add(e);
    }
    e.update(beat, next, nowMs);
    return before == next ? List.of() : List.of(new StateChange(e, before, next));
  }

  /** A storage announced a graceful stop: OFFLINE at once instead of after the timeout. */
  public List<StateChange> leave(int storageId) {
    StorageEntry e = storages.get(storageId);
    if (e == null || e.status() == StorageStatus.OFFLINE || e.status() == StorageStatus.DELETED) {
      return List.of();
    }
    StorageStatus before = e.status();
    e.status(StorageStatus.OFFLINE);
    return List.of(new StateChange(e, before, StorageStatus.OFFLINE));
  }

  /**
   * The tracker saw the storage's process die at {@code nowMs} (its cluster member left, or its
   * port refuses connections): OFFLINE at once, instead of after the heartbeat timeout, so uploads
   * stop going to it within a second. Heartbeats that same process sent before it died and that
   * arrive late do not bring it back for one heartbeat timeout ({@link #markReachable} ends that
   * early); a restarted process (new {@code upTime}) is admitted at its first beat.
   */
  public List<StateChange> down(int storageId, long nowMs) {
    StorageEntry e = storages.get(storageId);
    if (e == null || e.status() == StorageStatus.DELETED) {
      return List.of();
    }
    e.markDead(nowMs);
    if (e.status() == StorageStatus.OFFLINE) {
      return List.of();
    }
    StorageStatus before = e.status();
    e.status(StorageStatus.OFFLINE);
    return List.of(new StateChange(e, before, StorageStatus.OFFLINE));
  }

  /**
   * Every storage whose heartbeat names cluster member {@code nodeId} is {@link #down} (the member
   * left).
   */
  public List<StateChange> memberLeft(String nodeId, long nowMs) {
    List<StateChange> changes = new ArrayList<>();
    for (StorageEntry e : storages.values()) {
      if (nodeId != null && nodeId.equals(e.heartbeat().nodeId())) {
        changes.addAll(down(e.id(), nowMs));
      }
    }
    return changes;
  }

  /**
   * Cluster member {@code nodeId} joined (a healed split merging back): the storages whose
   * heartbeats name it count their next heartbeat again ({@link #markReachable}).
   */
  public void memberBack(String nodeId) {
    for (StorageEntry e : storages.values()) {
      if (nodeId != null && nodeId.equals(e.heartbeat().nodeId())) {
        e.clearDead();
      }
    }
  }

  /**
   * The storage's port answers again, so a {@link #down} was wrong or is over: its next heartbeat
   * counts again (its state comes from that heartbeat, not from here).
   */
  public void markReachable(int storageId) {
    StorageEntry e = storages.get(storageId);
    if (e != null) {
      e.clearDead();
    }
  }

  /**
   * Turns every storage silent for longer than the heartbeat timeout OFFLINE, as of {@code nowMs}.
   */
  public List<StateChange> expire(long nowMs) {
    List<StateChange> changes = new ArrayList<>();
    for (StorageEntry e : storages.values()) {
      StorageStatus s = e.status();
      if (s != StorageStatus.OFFLINE
          && s != StorageStatus.DELETED
          && nowMs - e.lastBeatMs() > heartbeatTimeoutMs) {
        e.status(StorageStatus.OFFLINE);
        changes.add(new StateChange(e, s, StorageStatus.OFFLINE));
      }
    }
    return changes;
  }

  /**
   * Administrative delete (command 93) of the storage named by id or host in {@code group}.
   *
   * @throws FdfsException ENOENT unknown, EBUSY while ONLINE/ACTIVE/RECOVERY, EALREADY if DELETED
   */
  public List<StateChange> delete(String group, String idOrHost) {
    List<StorageEntry> matches = find(group, idOrHost);
    if (matches.isEmpty()) {
      throw FdfsException.notFound("no storage " + idOrHost + " in group " + group);
    }
    for (StorageEntry e : matches) {
      StorageStatus s = e.status();
      if (s == StorageStatus.ONLINE || s == StorageStatus.ACTIVE || s == StorageStatus.RECOVERY) {
        throw new FdfsException(Errno.EBUSY, e + " is " + s + ", stop it first");
      }
    }
    List<StateChange> changes = new ArrayList<>();
    for (StorageEntry e : matches) {
      if (e.status() != StorageStatus.DELETED) {
        changes.add(new StateChange(e, e.status(), StorageStatus.DELETED));
        e.status(StorageStatus.DELETED);
      }
    }
    if (changes.isEmpty()) {
      throw new FdfsException(Errno.EALREADY, "storage " + idOrHost + " already deleted");
    }
    return changes;
  }

  /** Members of {@code group} whose id text or host equals {@code idOrHost}, by id. */
  public List<StorageEntry> find(String group, String idOrHost) {
    StorageGroup g = groups.get(group);
    if (g == null) {
      return List.of();
    }
    return g.members().stream()
        .filter(e -> e.idText().equals(idOrHost) || e.host().equals(idOrHost))
        .toList();
  }

  public StorageGroup group(String name) {
    return groups.get(name);
  }

  /** All groups, sorted by name. */
  public Collection<StorageGroup> groups() {
    return groups.values();
  }

  /** All storages of all groups, sorted by id. */
  public Collection<StorageEntry> storages() {
    return storages.values();
  }

  public StorageEntry storage(int id) {
    return storages.get(id);
  }

  int nextGroupCursor(int size) {
    int c = Math.floorMod(groupCursor, size);
    groupCursor = Math.floorMod(groupCursor + 1, size);
    return c;
  }

  /**
   * The "synced up to" time of {@code dest} (fastdfs-protocol.md §6.5): the smallest positive
   * timestamp it reported for a source storage that is ACTIVE, or 0 when it reported none. Sources
   * that are down are ignored because they cannot be producing new files to wait for.
   */
  public long lastSyncedTimestamp(StorageEntry dest) {
    long min = 0;
    for (Map.Entry<String, Long> s : dest.syncedUntil().entrySet()) {
      Long ts = s.getValue();
      if (ts == null || ts <= 0) {
        continue;
      }
      StorageEntry src = sourceById(s.getKey());
      if (src != null && src.isActive() && (min == 0 || ts < min)) {
        min = ts;
      }
    }
    return min;
  }

  private StorageEntry sourceById(String idText) {
    try {
      return storages.get(Integer.parseInt(idText.trim()));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The map as JSON for monitors: groups with their members' state and space. */
  public JsonObject toJson() {
    return GroupView.toJson(views());
  }

  /** Every group as the typed view trackers answer {@code {"op":"groups"}} with. */
  public List<GroupView> views() {
    List<GroupView> gs = new ArrayList<>();
    for (StorageGroup g : groups.values()) {
      List<MemberView> members = new ArrayList<>();
      for (StorageEntry e : g.members()) {
        members.add(
            new MemberView(
                e.id(),
                e.host(),
                e.port(),
                e.heartbeat().httpPort(),
                e.status().name(),
                e.totalMb(),
                e.freeMb(),
                e.reservedMb(),
                e.lastBeatMs(),
                lastSyncedTimestamp(e),
                e.syncedUntil()));
      }
      gs.add(
          new GroupView(
              g.name(),
              g.totalMb(),
              g.freeMb(),
              g.readable().size(),
              g.writable().size(),
              members));
    }
    return gs;
  }

  static StorageStatus parseStatus(String name) {
    if (name == null) {
      return StorageStatus.NONE;
    }
    try {
      return StorageStatus.valueOf(name.trim().toUpperCase());
    } catch (IllegalArgumentException e) {
      return StorageStatus.NONE;
    }
  }
}
