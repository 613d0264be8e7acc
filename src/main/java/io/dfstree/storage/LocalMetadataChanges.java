package io.dfstree.storage;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When this storage last changed a file's metadata itself (its upper-case {@code S} binlog line),
 * for the most recent names. Every member reads every peer's whole binlog, lower-case lines
 * included, so a peer's {@code s} line may be only the echo of a change made here: applying it
 * would fetch the peer's copy — older than ours if we changed it again meanwhile — and overwrite
 * ours with it, then log a line of our own that the peer echoes in turn, for ever. A lower-case
 * line about a name changed here in its second or later is such an echo and is dropped ({@link
 * PeerChanges#applyMetadata}). Bounded: the oldest names are forgotten (an echo arrives within a
 * catch-up round, a fraction of a second); the {@code -m} file's time covers names changed by
 * peers and survives restarts. Thread-safe.
 */
final class LocalMetadataChanges {
  private static final int MAX_NAMES = 65_536;

  private final Map<String, Long> lastChange =
      new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > MAX_NAMES;
        }
      };

  /** This storage changed {@code name}'s metadata at {@code second} (the line's timestamp). */
  synchronized void changed(String name, long second) {
    lastChange.remove(name); // re-inserted last: the eldest is the one changed longest ago
    lastChange.put(name, second);
  }

  /** Whether a change of {@code name} made here is as recent as {@code second} or more. */
  synchronized boolean changedHereSince(String name, long second) {
    Long t = lastChange.get(name);
    return t != null && t >= second;
  }
}
