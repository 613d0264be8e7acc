package io.dfstree.tracker;

import io.dfstree.config.TrackerOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The tracker's selection policies (fastdfs-protocol.md §6.5, §7.3): which group, storage and store
 * path receive an upload, and which storages may serve a download or an update.
 */
public final class Routing {
  /** Java clients reject more than this many servers in a 106/107 answer. */
  static final int MAX_STORE_SERVERS = 16;

  private final GroupMap map;
  private final TrackerOptions options;

  public Routing(GroupMap map, TrackerOptions options) {
    this.map = map;
    this.options = options;
  }

  /** Queries 101/104: one storage and path; {@code group} null means "pick by storeLookup". */
  public UploadTarget storeOne(String group) {
    StorageGroup g = group == null ? lookupGroup() : namedGroup(group);
    StorageEntry s = pickWriter(g);
    return new UploadTarget(g.name(), List.of(s), pickPath(s));
  }

  /**
   * Queries 106/107: every writable storage of the group (by id, at most 16), path of the first.
   */
  public UploadTarget storeAll(String group) {
    StorageGroup g = group == null ? lookupGroup() : namedGroup(group);
    List<StorageEntry> writable = writableOrFail(g);
    List<StorageEntry> list = writable.subList(0, Math.min(writable.size(), MAX_STORE_SERVERS));
    return new UploadTarget(g.name(), list, pickPath(list.get(0)));
  }

  /** Query 102: one storage that may serve {@code remoteName} at tracker time {@code nowSec}. */
  public StorageEntry fetchOne(String group, String remoteName, long nowSec) {
    FileName.Decoded file = decode(group, remoteName);
    StorageGroup g = existingGroup(group);
    List<StorageEntry> readable = g.readable();
    if (readable.isEmpty()) {
      throw FdfsException.notFound("group " + group + " has no readable storage");
    }
    StorageEntry source = source(g, file);
    boolean sourceReadable = source != null && source.isActive();
    if (file.appender() || file.slave()) {
      // content of appender/slave files may change or is not described by the name: only the source
      // is sure
      if (sourceReadable) {
        return source;
      }
      return storeServerOrFail(g, group);
    }
    if (options.downloadServer() == 1 && sourceReadable) {
      return source;
    }
    int n = readable.size();
    for (int i = 0; i < n; i++) {
      StorageEntry candidate = readable.get(Math.floorMod(g.readCursor() + i, n));
      if (eligible(candidate, source, file.createTime(), nowSec)) {
        g.advanceReadCursor(n);
        return candidate;
      }
    }
    return storeServerOrFail(g, group);
  }

  /**
   * Query 105: every storage that may serve the file, by id. The legacy answer carries one port for
   * all, so storages on another port than the first are left out; and exactly three servers would
   * be misread as an IPv6 answer by Java 1.33+, so three become two.
   */
  public List<StorageEntry> fetchAll(String group, String remoteName, long nowSec) {
    FileName.Decoded file = decode(group, remoteName);
    StorageGroup g = existingGroup(group);
    List<StorageEntry> readable = g.readable();
    if (readable.isEmpty()) {
      throw FdfsException.notFound("group " + group + " has no readable storage");
    }
    StorageEntry source = source(g, file);
    List<StorageEntry> out = new ArrayList<>();
    if (file.appender() || file.slave()) {
      if (source != null && source.isActive()) {
        out.add(source);
      }
    } else {
      for (StorageEntry e : readable) {
        if (eligible(e, source, file.createTime(), nowSec)) {
          out.add(e);
        }
      }
    }
    if (out.isEmpty()) {
      out.add(storeServerOrFail(g, group));
    }
    int port = out.get(0).port();
    out.removeIf(e -> e.port() != port);
    if (out.size() == 3) {
      out.remove(2);
    }
    return out;
  }

  /**
   * Query 103: the source storage if it is writable; else a writable storage by the storeServer
   * policy. When the whole group is full the source is still returned while ACTIVE: delete and
   * metadata operations need no space, and refusing them would stop an administrator from freeing
   * it.
   */
  public StorageEntry update(String group, String remoteName) {
    FileName.Decoded file = decode(group, remoteName);
    StorageGroup g = existingGroup(group);
    StorageEntry source = source(g, file);
    List<StorageEntry> writable = g.writable();
    if (source != null && writable.contains(source)) {
      return source;
    }
    if (!writable.isEmpty()) {
      return byStorePolicy(g, writable);
    }
    if (source != null && source.isActive()) {
      return source;
    }
    throw FdfsException.notFound("group " + group + " has no writable storage");
  }

  /** The §6.5 rule: may {@code s} serve a file created at {@code createTime} by {@code source}? */
  boolean eligible(StorageEntry s, StorageEntry source, long createTime, long nowSec) {
    if (s == source) {
      return true;
    }
    if (source != null) {
      // progress against the source itself: both times come from the source's clock
      Long bySource = s.syncedUntil().get(Integer.toString(source.id()));
      if (bySource != null && bySource > createTime) {
        return true;
      }
    }
    if (createTime < nowSec - options.storageSyncFileMaxDelay()) {
      return true; // old files are assumed replicated everywhere
    }
    long synced = map.lastSyncedTimestamp(s);
    if (synced > createTime) {
      return true;
    }
    return synced > 0
        && synced + 1 >= createTime
        && nowSec - createTime > options.storageSyncFileMaxTime();
  }

  private StorageGroup lookupGroup() {
    if (options.storeLookup() == 1) {
      return namedGroup(options.storeGroup());
    }
    List<StorageGroup> candidates = new ArrayList<>();
    boolean anyActive = false;
    for (StorageGroup g : map.groups()) {
      anyActive |= g.hasActiveMember();
      if (!g.writable().isEmpty()) {
        candidates.add(g);
      }
    }
    if (candidates.isEmpty()) {
      if (anyActive) {
        throw new FdfsException(Errno.ENOSPC, "every group is full");
      }
      throw FdfsException.notFound(
          map.groups().isEmpty() ? "no groups" : "no group has a writable storage");
    }
    if (options.storeLookup() == 2) {
      return candidates.stream()
          .max(Comparator.comparingLong(StorageGroup::freeBytes))
          .orElseThrow();
    }
    return candidates.get(map.nextGroupCursor(candidates.size()));
  }

  private StorageGroup namedGroup(String name) {
    return existingGroup(name);
  }

  private StorageGroup existingGroup(String name) {
    StorageGroup g = map.group(name);
    if (g == null) {
      throw FdfsException.notFound("no group " + name);
    }
    return g;
  }

  private List<StorageEntry> writableOrFail(StorageGroup g) {
    List<StorageEntry> writable = g.writable();
    if (writable.isEmpty()) {
      if (g.hasActiveMember()) {
        throw new FdfsException(Errno.ENOSPC, "group " + g.name() + " is full");
      }
      throw FdfsException.notFound("group " + g.name() + " has no writable storage");
    }
    return writable;
  }

  private StorageEntry pickWriter(StorageGroup g) {
    return byStorePolicy(g, writableOrFail(g));
  }

  private StorageEntry byStorePolicy(StorageGroup g, List<StorageEntry> writable) {
    return switch (options.storeServer()) {
      case 1 -> writable.get(0);
      case 2 -> lowestPriority(writable);
      default -> g.nextWritable(writable);
    };
  }

  private static StorageEntry lowestPriority(List<StorageEntry> writable) {
    // list is in id order and min() keeps the first of equals: ties go to the lowest id
    return writable.stream()
        .min(Comparator.comparingInt(e -> e.heartbeat().uploadPriority()))
        .orElseThrow();
  }

  private int pickPath(StorageEntry s) {
    return options.storePath() == 2 ? s.mostFreePath() : s.nextPathRoundRobin();
  }

  /** FastDFS's "store server": the first writable member, or lowest priority with storeServer 2. */
  private StorageEntry storeServerOrFail(StorageGroup g, String group) {
    List<StorageEntry> writable = g.writable();
    if (writable.isEmpty()) {
      throw FdfsException.notFound("no storage of group " + group + " can serve this file yet");
    }
    return options.storeServer() == 2 ? lowestPriority(writable) : writable.get(0);
  }

  private static StorageEntry source(StorageGroup g, FileName.Decoded file) {
    for (StorageEntry e : g.members()) {
      if (file.sourceId() != 0 ? e.id() == file.sourceId() : e.host().equals(file.sourceIp())) {
        return e;
      }
    }
    return null;
  }

  private static FileName.Decoded decode(String group, String remoteName) {
    return FileId.parseRemote(group, remoteName).decoded();
  }
}
