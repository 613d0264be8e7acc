package io.dfstree.tracker;

import io.dfstree.config.TrackerOptions;
import io.dfstree.protocol.TrackerReply;
import io.dfstree.protocol.TrackerReply.Address;
import io.dfstree.protocol.TrackerReply.FetchTarget;
import io.dfstree.protocol.TrackerReply.FetchTargets;
import io.dfstree.protocol.TrackerReply.StorageId;
import io.dfstree.protocol.TrackerReply.StoreTarget;
import io.dfstree.protocol.TrackerReply.StoreTargets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tracker knows, as the reply records of its query and admin commands; their bytes are
 * laid out by {@code protocol.TrackerCodec}. List records come from {@link ListLayout}.
 */
final class TrackerAnswers {
  private TrackerAnswers() {}

  /** 101/104: the first storage of the target and the store path index. */
  static StoreTarget storeOne(UploadTarget t) {
    StorageEntry s = t.first();
    return new StoreTarget(t.group(), s.host(), s.port(), t.storePathIndex());
  }

  /** 106/107: every storage of the target. */
  static StoreTargets storeAll(UploadTarget t) {
    return new StoreTargets(
        t.group(),
        t.storages().stream().map(s -> new Address(s.host(), s.port())).toList(),
        t.storePathIndex());
  }

  /** 102/103. */
  static FetchTarget fetchOne(String group, StorageEntry s) {
    return new FetchTarget(group, s.host(), s.port());
  }

  /** 105, legacy shape: the first server's port stands for all. */
  static FetchTargets fetchAll(String group, List<StorageEntry> servers) {
    return new FetchTargets(
        group, servers.get(0).port(), servers.stream().map(StorageEntry::host).toList());
  }

  /** 69: every storage (all groups, by id) from {@code startIndex} on. */
  static TrackerReply.StorageIds storageIds(Collection<StorageEntry> storages, int startIndex) {
    List<StorageEntry> all = new ArrayList<>(storages);
    List<StorageId> ids = new ArrayList<>();
    for (int i = startIndex; i < all.size(); i++) {
      StorageEntry s = all.get(i);
      ids.add(new StorageId(s.idText(), s.group(), s.host(), s.port()));
    }
    return new TrackerReply.StorageIds(all.size(), ids);
  }

  /**
   * 75: the tracker parameters storages and the nginx module read. This system always names files
   * by storage id and has no trunk files or slave links.
   */
  static TrackerReply.Parameters parameters(TrackerOptions o) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("use_storage_id", "true");
    p.put("id_type_in_filename", "id");
    p.put("trust_storage_server_id", "true");
    p.put("response_ip_addr_size", "16");
    p.put("storage_ip_changed_auto_adjust", "false");
    p.put("storage_sync_file_max_delay", String.valueOf(o.storageSyncFileMaxDelay()));
    p.put("storage_sync_file_max_time", String.valueOf(o.storageSyncFileMaxTime()));
    p.put("store_path", String.valueOf(o.storePath()));
    p.put("reserved_storage_space", "per-storage");
    p.put("use_trunk_file", "false");
    p.put("slot_min_size", "256");
    p.put("slot_max_size", "16777216");
    p.put("trunk_file_size", "67108864");
    p.put("store_slave_file_use_link", "false");
    return new TrackerReply.Parameters(p);
  }
}
