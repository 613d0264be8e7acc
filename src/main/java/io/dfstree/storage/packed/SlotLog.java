package io.dfstree.storage.packed;

import io.dfstree.fileid.TrunkId;
import java.io.IOException;
import java.util.List;

/**
 * Where a packed store records its new slots for peers (the storage's binlog). The committer calls
 * {@link #placed} on its own thread once a batch is durable and indexed, before it is acknowledged:
 * the lines are written there without a sync of their own, so a batch costs one {@code fdatasync}
 * (the volume's). A {@link LineForcer} makes them durable in the background, and {@link
 * PackedStore#recentSlots} lets a restart write again the lines a crash took (the slots are the
 * truth; the lines are derived from them).
 */
public interface SlotLog {
  /** A slot made durable: {@code copy} when it was placed from a peer (a lower-case line). */
  record Placed(TrunkId id, long timestamp, boolean copy) {}

  /** Records the slots of one durable batch. Committer thread; must not sync. */
  void placed(List<Placed> slots) throws IOException;

  /** Blocking: makes everything {@link #placed} so far durable. */
  void force() throws IOException;

  /** Records nothing (tests, the benchmark). */
  SlotLog NONE =
      new SlotLog() {
        @Override
        public void placed(List<Placed> slots) {}

        @Override
        public void force() {}
      };
}
