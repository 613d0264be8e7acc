package io.dfstree.tracker;

import io.dfstree.protocol.StorageStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * One FastDFS group: its members sorted by id, and the round-robin cursors for reads and writes.
 * Readable and writable lists are derived on demand from member states, so they can never go stale.
 */
public final class StorageGroup {
  private final String name;
  private final TreeMap<Integer, StorageEntry> members = new TreeMap<>();
  private int readCursor;
  private int writeCursor;

  StorageGroup(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** All members, any state, sorted by id. */
  public Collection<StorageEntry> members() {
    return members.values();
  }

  void add(StorageEntry e) {
    members.put(e.id(), e);
  }

  void remove(int id) {
    members.remove(id);
  }

  public boolean isEmpty() {
    return members.isEmpty();
  }

  /** ACTIVE members, by id. */
  public List<StorageEntry> readable() {
    List<StorageEntry> out = new ArrayList<>();
    for (StorageEntry e : members.values()) {
      if (e.isActive()) {
        out.add(e);
      }
    }
    return out;
  }

  /** ACTIVE members with at least one store path that can take an upload, by id. */
  public List<StorageEntry> writable() {
    List<StorageEntry> out = new ArrayList<>();
    for (StorageEntry e : members.values()) {
      if (e.isActive() && e.hasWritablePath()) {
        out.add(e);
      }
    }
    return out;
  }

  public boolean hasActiveMember() {
    return members.values().stream().anyMatch(StorageEntry::isActive);
  }

  /**
   * The member that bounds the group's capacity: FastDFS reports a group's total and free space as
   * those of the member with the least free space, since every file is replicated to all members.
   */
  StorageEntry tightestMember() {
    StorageEntry tightest = null;
    for (StorageEntry e : members.values()) {
      if (e.status() != StorageStatus.DELETED
          && (tightest == null || e.freeBytes() < tightest.freeBytes())) {
        tightest = e;
      }
    }
    return tightest;
  }

  public long totalMb() {
    StorageEntry t = tightestMember();
    return t == null ? 0 : t.totalMb();
  }

  public long freeMb() {
    StorageEntry t = tightestMember();
    return t == null ? 0 : t.freeMb();
  }

  public long freeBytes() {
    StorageEntry t = tightestMember();
    return t == null ? 0 : t.freeBytes();
  }

  public long reservedMb() {
    StorageEntry t = tightestMember();
    return t == null ? 0 : t.reservedMb();
  }

  /** The port of the lowest-id member (FastDFS groups share one port before 6.16). */
  public int storagePort() {
    return members.isEmpty() ? 0 : members.firstEntry().getValue().port();
  }

  public int httpPort() {
    return members.isEmpty() ? 0 : members.firstEntry().getValue().heartbeat().httpPort();
  }

  public int storePathCount() {
    return members.values().stream().mapToInt(e -> e.paths().size()).max().orElse(0);
  }

  public int subdirCount() {
    return members.isEmpty() ? 0 : members.firstEntry().getValue().heartbeat().subdirCount();
  }

  public int writeCursor() {
    return writeCursor;
  }

  /** Picks {@code list[cursor % size]} and advances the write cursor. */
  StorageEntry nextWritable(List<StorageEntry> list) {
    StorageEntry e = list.get(Math.floorMod(writeCursor, list.size()));
    writeCursor = Math.floorMod(writeCursor + 1, list.size());
    return e;
  }

  int readCursor() {
    return readCursor;
  }

  void advanceReadCursor(int size) {
    readCursor = size == 0 ? 0 : Math.floorMod(readCursor + 1, size);
  }
}
