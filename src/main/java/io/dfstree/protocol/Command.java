package io.dfstree.protocol;

/**
 * FastDFS command codes (tracker and storage share one numbering). See fastdfs-protocol.md §2.1,
 * §3.1.
 */
public final class Command {
  private Command() {}

  public static final byte RESP = 100;
  public static final byte ACTIVE_TEST = 111;
  public static final byte QUIT = 82;

  // tracker: client and admin commands
  public static final byte FETCH_STORAGE_IDS = 69;
  public static final byte GET_MY_IP = 60;
  public static final byte GET_SERVER_ID = 70;
  public static final byte PARAMETER_REQ = 75;
  public static final byte LIST_ONE_GROUP = 90;
  public static final byte LIST_ALL_GROUPS = 91;
  public static final byte LIST_STORAGE = 92;
  public static final byte DELETE_STORAGE = 93;
  public static final byte GET_LEADER = 95;
  public static final byte QUERY_STORE_WITHOUT_GROUP_ONE = 101;
  public static final byte QUERY_FETCH_ONE = 102;
  public static final byte QUERY_UPDATE = 103;
  public static final byte QUERY_STORE_WITH_GROUP_ONE = 104;
  public static final byte QUERY_FETCH_ALL = 105;
  public static final byte QUERY_STORE_WITHOUT_GROUP_ALL = 106;
  public static final byte QUERY_STORE_WITH_GROUP_ALL = 107;
  public static final byte GET_GROUP_NAME = 109;

  // storage
  public static final byte REPORT_SERVER_ID = 9;
  public static final byte UPLOAD_FILE = 11;
  public static final byte DELETE_FILE = 12;
  public static final byte SET_METADATA = 13;
  public static final byte DOWNLOAD_FILE = 14;
  public static final byte GET_METADATA = 15;
  public static final byte SYNC_CREATE_FILE = 16;
  public static final byte SYNC_DELETE_FILE = 17;
  public static final byte SYNC_UPDATE_FILE = 18;
  public static final byte UPLOAD_SLAVE_FILE = 21;
  public static final byte QUERY_FILE_INFO = 22;
  public static final byte UPLOAD_APPENDER_FILE = 23;
  public static final byte APPEND_FILE = 24;
  public static final byte SYNC_APPEND_FILE = 25;
  public static final byte MODIFY_FILE = 34;
  public static final byte SYNC_MODIFY_FILE = 35;
  public static final byte TRUNCATE_FILE = 36;
  public static final byte SYNC_TRUNCATE_FILE = 37;
  public static final byte REGENERATE_APPENDER_FILENAME = 38;
  public static final byte SYNC_RENAME_FILE = 40;

  // storage to storage, DistributedFSTree's own (not FastDFS): synchronous replication and catch-up
  /**
   * A new file streamed to a peer while it is uploaded: size, store path, content, then its name.
   */
  public static final byte REPLICA_UPLOAD = 120;

  /** Lines of a storage's binlog from an offset, with the storage's own clock. */
  public static final byte BINLOG_FETCH = 121;

  /** A download between peers: like 14, but a miss is answered ENOENT, never fetched in turn. */
  public static final byte PEER_DOWNLOAD = 122;

  /** A peer asks for a nonce to prove it is a member (storage.PeerAuth); the answer is 32 bytes. */
  public static final byte PEER_AUTH_CHALLENGE = 123;

  /**
   * member id (8 bytes) and HMAC-SHA256(cluster secret, nonce ‖ member id); answered 0 or EACCES.
   */
  public static final byte PEER_AUTH_PROVE = 124;

  /**
   * A page of a snapshot of a storage's file set (live files, then recent deletes) with the binlog
   * offset it was taken at: how a member whose binlog position was trimmed away catches up.
   */
  public static final byte SNAPSHOT_FETCH = 125;
}
