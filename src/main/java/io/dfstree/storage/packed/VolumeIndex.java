package io.dfstree.storage.packed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The in-memory state of one volume: where its slots start and how long they are, sorted by offset,
 * 8 bytes per slot (a free slot's length is stored negated). It answers "is there a live slot at
 * this offset" without touching the disk — so a forged ID that points into the middle of a slot is
 * refused before any read or write — and it drives compaction. Not thread-safe: the owning {@link
 * Volume} guards it.
 */
final class VolumeIndex {
  private int[] offsets = new int[16];
  private int[] lengths = new int[16];
  private int count;
  private long liveBytes;
  private int liveCount;

  int count() {
    return count;
  }

  int liveCount() {
    return liveCount;
  }

  long liveBytes() {
    return liveBytes;
  }

  int offset(int i) {
    return offsets[i];
  }

  int length(int i) {
    return Math.abs(lengths[i]);
  }

  boolean live(int i) {
    return lengths[i] > 0;
  }

  /** The end of the last slot (0 when empty). */
  long end() {
    return count == 0 ? 0 : (long) offsets[count - 1] + length(count - 1);
  }

  /** Adds a slot; false when it would overlap one already known. */
  boolean add(int offset, int length, boolean live) {
    int at = count;
    if (count > 0 && offset < end()) {
      at = insertionPoint(offset);
      if (at < count && (long) offset + length > offsets[at]) {
        return false;
      }
      if (at > 0 && (long) offsets[at - 1] + length(at - 1) > offset) {
        return false;
      }
    }
    if (count == offsets.length) {
      int grown = count + (count >> 1) + 16;
      offsets = Arrays.copyOf(offsets, grown);
      lengths = Arrays.copyOf(lengths, grown);
    }
    System.arraycopy(offsets, at, offsets, at + 1, count - at);
    System.arraycopy(lengths, at, lengths, at + 1, count - at);
    offsets[at] = offset;
    lengths[at] = live ? length : -length;
    count++;
    if (live) {
      liveCount++;
      liveBytes += length;
    }
    return true;
  }

  /** The slot starting exactly at {@code offset}, or -1. */
  int find(int offset) {
    int i = Arrays.binarySearch(offsets, 0, count, offset);
    return i >= 0 ? i : -1;
  }

  /** The slot whose range holds {@code offset}, or -1. */
  int containing(long offset) {
    int at = insertionPoint(offset) - 1;
    if (at + 1 < count && offsets[at + 1] == offset) {
      return at + 1;
    }
    if (at >= 0 && offset < (long) offsets[at] + length(at)) {
      return at;
    }
    return -1;
  }

  void markFree(int i) {
    if (lengths[i] > 0) {
      liveCount--;
      liveBytes -= lengths[i];
      lengths[i] = -lengths[i];
    }
  }

  /** Runs of adjacent free slots, in order: {@code [firstEntry, lastEntry]}. */
  List<int[]> freeRuns() {
    List<int[]> runs = new ArrayList<>();
    int i = 0;
    while (i < count) {
      if (live(i)) {
        i++;
        continue;
      }
      int j = i;
      while (j + 1 < count && !live(j + 1) && (long) offsets[j] + length(j) == offsets[j + 1]) {
        j++;
      }
      runs.add(new int[] {i, j});
      i = j + 1;
    }
    return runs;
  }

  /** Replaces the free entries {@code first..last} (a run) by one free entry covering them. */
  void collapse(int first, int last) {
    long end = (long) offsets[last] + length(last);
    int len = (int) (end - offsets[first]);
    lengths[first] = -len;
    int removed = last - first;
    System.arraycopy(offsets, last + 1, offsets, first + 1, count - last - 1);
    System.arraycopy(lengths, last + 1, lengths, first + 1, count - last - 1);
    count -= removed;
  }

  /** Copies of the entries ({@code {offsets, lengths}}, a free slot's length negated). */
  int[][] copy() {
    return new int[][] {Arrays.copyOf(offsets, count), Arrays.copyOf(lengths, count)};
  }

  /**
   * Fills an empty index with saved entries (an {@link IndexCheckpoint}); false, and nothing
   * changed, unless they are in order, disjoint, slot-aligned and end by {@code limit}.
   */
  boolean restore(int[] offs, int[] lens, long limit) {
    if (count != 0 || offs.length != lens.length) {
      return false;
    }
    long end = 0;
    long live = 0;
    int liveN = 0;
    for (int i = 0; i < offs.length; i++) {
      int len = lens[i];
      if (len == 0 || len == Integer.MIN_VALUE) {
        return false;
      }
      int abs = Math.abs(len);
      if (offs[i] < end
          || abs < SlotHeader.SIZE
          || abs % SlotHeader.ALIGN != 0
          || (long) offs[i] + abs > limit) {
        return false;
      }
      end = (long) offs[i] + abs;
      if (len > 0) {
        liveN++;
        live += len;
      }
    }
    offsets = offs.clone();
    lengths = lens.clone();
    count = offs.length;
    liveCount = liveN;
    liveBytes = live;
    return true;
  }

  /** Heap held by the two arrays (what this index costs). */
  long heapBytes() {
    return 2L * (16 + 4L * offsets.length);
  }

  /** Drops unused capacity (after a rebuild). */
  void trim() {
    offsets = Arrays.copyOf(offsets, count);
    lengths = Arrays.copyOf(lengths, count);
  }

  private int insertionPoint(long offset) {
    int lo = 0;
    int hi = count;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (offsets[mid] < offset) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
