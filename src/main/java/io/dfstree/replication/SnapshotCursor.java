package io.dfstree.replication;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.storage.Binlog;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a member is in a peer's snapshot ({@code storage.Snapshot}, command 125), read when its
 * position in that peer's binlog was trimmed away: section (store path, then deletes), the last
 * name applied, and the binlog offset the snapshot was taken at (-1 until the first page said).
 * Once the last page is applied, the member follows the peer's binlog from that offset.
 */
final class SnapshotCursor {
  /** Entries per page asked for. */
  static final int PAGE = 1000;

  int section;
  String after = "";
  long position = -1;
  long files;

  /** Whether a failed binlog read says the offset was trimmed (and a snapshot is needed). */
  static boolean trimmedAway(Throwable err) {
    return err instanceof FdfsException f && f.errno() == Errno.ERANGE;
  }

  /**
   * A page's lines as binlog entries to apply (a live file as a create, metadata as a metadata
   * change, a delete as a delete). Each keeps {@code offset} as its end: the member's binlog
   * position moves only when the whole snapshot is applied.
   */
  static List<Binlog.Entry> entries(byte[] lines, long offset) {
    List<Binlog.Entry> out = new ArrayList<>();
    for (String line : new String(lines, StandardCharsets.US_ASCII).split("\n")) {
      String[] v = line.split(" ");
      if (v.length != 4 || v[0].length() != 1) {
        continue;
      }
      char op =
          switch (v[0].charAt(0)) {
            case 'C' -> Binlog.CREATE;
            case 'S' -> Binlog.METADATA;
            case 'D' -> Binlog.DELETE;
            default -> 0;
          };
      if (op != 0) {
        try {
          out.add(new Binlog.Entry(Long.parseLong(v[1]), op, v[3], null, offset));
        } catch (NumberFormatException bad) {
          // not a line of ours: skipped like a bad binlog line
        }
      }
    }
    return out;
  }
}
