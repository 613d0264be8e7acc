package io.dfstree.protocol;

import java.util.List;
import java.util.Map;

/**
 * The bodies of a tracker's successful answers, one record per layout; bytes in {@link
 * TrackerCodec}.
 */
public sealed interface TrackerReply {
  /** A storage's address. */
  record Address(String host, int port) {}

  /** 101/104: where to upload, and the store path index (255: the storage chooses). */
  record StoreTarget(String group, String host, int port, int storePathIndex)
      implements TrackerReply {}

  /** 106/107: every storage of the group an upload may go to. */
  record StoreTargets(String group, List<Address> storages, int storePathIndex)
      implements TrackerReply {}

  /** 102/103: the storage to download from or to change the file on. */
  record FetchTarget(String group, String host, int port) implements TrackerReply {}

  /**
   * 105, in the legacy shape: the first server with its port, the others as addresses only (they
   * are taken to listen on the same port).
   */
  record FetchTargets(String group, int port, List<String> hosts) implements TrackerReply {}

  /** 90/91: group records, each in its own layout. */
  record GroupStats(List<GroupStat> groups) implements TrackerReply {}

  /** 92: storage records, each in its own layout. */
  record StorageStats(List<StorageStat> storages) implements TrackerReply {}

  /** One line of the storage id table. */
  record StorageId(String id, String group, String host, int port) {}

  /** 69: {@code total} storages, of which {@code ids} from the asked start index. */
  record StorageIds(int total, List<StorageId> ids) implements TrackerReply {}

  /** 75: {@code name=value} lines, in order. */
  record Parameters(Map<String, String> values) implements TrackerReply {}

  /** 95: {@code host:port} of the leading tracker. */
  record Leader(String host, int port) implements TrackerReply {}

  /** Active test, delete storage. */
  record Empty() implements TrackerReply {}
}
