package io.dfstree.replication;

/** Where this storage stands with one peer. */
final class PeerProgress {
  long offset;
  long syncedUntil; // the peer's clock when we last reached the end of its binlog
  boolean caughtUp;
  boolean busy;
  long files;
  long bytes;
  long startedMillis;

  /** The offset moved since the mark was last saved; when it was. */
  boolean markDirty;

  long markSavedMillis;

  /** When the last pull failed to reach the peer at all (0 = reachable). */
  long unreachableSince;

  /**
   * Non-null while catching up from the peer's snapshot (our binlog position was trimmed away
   * there).
   */
  SnapshotCursor snapshot;

  /** The puller's own connection to this peer, kept across pulls. */
  PeerConnection conn;

  /**
   * More connections for files fetched in parallel (index 0 unused: that lane is {@link #conn}).
   */
  final PeerConnection[] lanes = new PeerConnection[ChangeApplier.CATCH_UP_LANES];

  void closeConnections() {
    if (conn != null) {
      conn.close();
      conn = null;
    }
    for (int i = 0; i < lanes.length; i++) {
      if (lanes[i] != null) {
        lanes[i].close();
        lanes[i] = null;
      }
    }
  }
}
