package io.dfstree.tracker;

import io.dfstree.config.TrackerOptions;
import io.dfstree.protocol.Wire;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Response bodies of the tracker's query and admin commands (fastdfs-protocol.md §2.2–2.8), with
 * the IPv4 width: IP fields are str[15] in query answers. List records live in {@link ListLayout}.
 */
public final class ResponseBodies {
  /** IP field width in query answers (W - 1 with W = 16). */
  public static final int QUERY_IP_LEN = Wire.IP_LEN - 1;
  public static final int STORE_ONE_SIZE = Wire.GROUP_NAME_LEN + QUERY_IP_LEN + 8 + 1; // 40
  public static final int FETCH_ONE_SIZE = Wire.GROUP_NAME_LEN + QUERY_IP_LEN + 8; // 39

  private ResponseBodies() {}

  /** 101/104: group, ip, port, store path index (40 bytes). */
  public static Buffer storeOne(UploadTarget t) {
    StorageEntry s = t.first();
    Buffer b = Buffer.buffer(STORE_ONE_SIZE);
    Wire.appendFixed(b, t.group(), Wire.GROUP_NAME_LEN);
    Wire.appendFixed(b, s.host(), QUERY_IP_LEN);
    return b.appendLong(s.port()).appendByte((byte) t.storePathIndex());
  }

  /** 106/107: group, N × (ip, port), store path index (17 + 23·N bytes). */
  public static Buffer storeAll(UploadTarget t) {
    Buffer b = Buffer.buffer(Wire.GROUP_NAME_LEN + 23 * t.storages().size() + 1);
    Wire.appendFixed(b, t.group(), Wire.GROUP_NAME_LEN);
    for (StorageEntry s : t.storages()) {
      Wire.appendFixed(b, s.host(), QUERY_IP_LEN);
      b.appendLong(s.port());
    }
    return b.appendByte((byte) t.storePathIndex());
  }

  /** 102/103: group, ip, port (39 bytes). */
  public static Buffer storageAddress(String group, StorageEntry s) {
    Buffer b = Buffer.buffer(FETCH_ONE_SIZE);
    Wire.appendFixed(b, group, Wire.GROUP_NAME_LEN);
    Wire.appendFixed(b, s.host(), QUERY_IP_LEN);
    return b.appendLong(s.port());
  }

  /** 105, legacy shape: the first server with its port, further servers ip only (39 + 15·(N-1)). */
  public static Buffer fetchAll(String group, List<StorageEntry> servers) {
    Buffer b = storageAddress(group, servers.get(0));
    for (StorageEntry s : servers.subList(1, servers.size())) {
      Wire.appendFixed(b, s.host(), QUERY_IP_LEN);
    }
    return b;
  }

  /**
   * 69: i32 total, i32 count, then {@code <id> <group> <host>:<port>\n} per storage from
   * {@code startIndex} on (all groups, by id).
   */
  public static Buffer storageIds(Collection<StorageEntry> storages, int startIndex) {
    List<StorageEntry> all = new ArrayList<>(storages);
    StringBuilder lines = new StringBuilder();
    int count = 0;
    for (int i = startIndex; i < all.size(); i++) {
      StorageEntry s = all.get(i);
      lines.append(s.id()).append(' ').append(s.group()).append(' ').append(s.host()).append(':')
          .append(s.port()).append('\n');
      count++;
    }
    return Buffer.buffer().appendInt(all.size()).appendInt(count)
        .appendBytes(lines.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * 75: the tracker parameters storages and the nginx module read, one {@code name=value} per line.
   * This system always names files by storage id and has no trunk files or slave links.
   */
  public static Buffer parameters(TrackerOptions o) {
    String text = "use_storage_id=true\n"
        + "id_type_in_filename=id\n"
        + "trust_storage_server_id=true\n"
        + "response_ip_addr_size=16\n"
        + "storage_ip_changed_auto_adjust=false\n"
        + "storage_sync_file_max_delay=" + o.storageSyncFileMaxDelay() + "\n"
        + "storage_sync_file_max_time=" + o.storageSyncFileMaxTime() + "\n"
        + "store_path=" + o.storePath() + "\n"
        + "reserved_storage_space=per-storage\n"
        + "use_trunk_file=false\n"
        + "slot_min_size=256\n"
        + "slot_max_size=16777216\n"
        + "trunk_file_size=67108864\n"
        + "store_slave_file_use_link=false\n";
    return Buffer.buffer(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** 95: {@code host:port} of the answering tracker (trackers here are peers; each leads itself). */
  public static Buffer leader(String host, int port) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return Buffer.buffer((h + ":" + port).getBytes(StandardCharsets.US_ASCII));
  }
}
