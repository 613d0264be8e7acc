package io.dfstree.storage.packed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Online compaction by hole punching. Nothing is moved, so file IDs (which say where their slot is)
 * stay valid with no relocation index, and appends — which only touch the end of the active volume
 * — never wait for it.
 *
 * <p>For each run of adjacent deleted slots {@code [a, b)}: the header at {@code a} is rewritten as
 * one free run of length {@code b - a} and forced, then the whole blocks inside {@code (a + 32, b)}
 * are punched out of the file, and the run's index entries collapse into one. A crash between the
 * two steps leaves a run that is skipped but not yet punched; the next pass punches it. Space comes
 * back in whole 4 KiB blocks: a lone deleted 4 KiB file between live ones returns little, a run of
 * deleted files (old files expiring together) nearly all.
 */
public final class Compactor {
  private final PackedStore store;
  private final HolePuncher puncher = new HolePuncher();

  /** What one pass did. */
  public record Result(int runs, long punchedBytes, boolean supported) {}

  Compactor(PackedStore store) {
    this.store = store;
  }

  synchronized Result run() throws IOException {
    int runs = 0;
    long punched = 0;
    for (Volume v : store.volumes.all()) {
      List<long[]> todo = new ArrayList<>();
      synchronized (v) {
        for (int[] r : v.index.freeRuns()) {
          long a = v.index.offset(r[0]);
          long b = (long) v.index.offset(r[1]) + v.index.length(r[1]);
          todo.add(new long[] {a, b});
        }
      }
      for (long[] r : todo) {
        long a = r[0];
        long b = r[1];
        SlotHeader h = v.readHeader(a);
        boolean done = h != null && h.state() == SlotHeader.FREE_RUN && h.slotLength() == b - a;
        if (!done) {
          v.writeFully(SlotHeader.freeRun((int) (b - a)).encode(), a);
          v.channel.force(false);
          punched += puncher.punch(v.path, a + SlotHeader.SIZE, b);
          runs++;
        }
        synchronized (v) {
          int first = v.index.find((int) a);
          int last = v.index.containing(b - 1);
          if (first >= 0 && last > first) {
            v.index.collapse(first, last);
          }
        }
      }
    }
    return new Result(runs, punched, puncher.available());
  }
}
