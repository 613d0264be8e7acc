package io.dfstree.protocol;

/** Storage states as FastDFS names and numbers them (fastdfs-protocol.md §6.6). */
public enum StorageStatus {
  INIT(0),
  WAIT_SYNC(1),
  SYNCING(2),
  IP_CHANGED(3),
  DELETED(4),
  OFFLINE(5),
  ONLINE(6),
  ACTIVE(7),
  RECOVERY(9),
  NONE(99);

  public final int code;

  StorageStatus(int code) {
    this.code = code;
  }

  public static StorageStatus ofCode(int code) {
    for (StorageStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    return NONE;
  }
}
