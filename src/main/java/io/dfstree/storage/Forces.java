package io.dfstree.storage;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many forces to disk a storage's files ran, by kind: a change's cost in fsyncs is what decides
 * its latency with fsync on (a 4 KiB upload spends most of its disk-thread time in them), so a
 * change that adds one should show in a test ({@code ForcesPerChangeTest}), not only in a
 * benchmark that swings ±30% between runs. Counts forces that ran, not callers: a group commit
 * that covers ten callers counts once.
 */
final class Forces {
  /** {@code fdatasync} of a new file's bytes (uploads, peers' copies, appender writes). */
  final LongAdder data = new LongAdder();

  /** {@code fsync} of a directory after a name was added or removed. */
  final LongAdder directories = new LongAdder();

  /** {@code fdatasync} of the binlog's head after appended lines. */
  final LongAdder binlog = new LongAdder();

  /** {@code fdatasync} of the tombstone file (a checkpoint, or a delete with no binlog line). */
  final LongAdder tombstones = new LongAdder();

  /**
   * Bytes of new files handed to writeback while the rest of them still arrived ({@link
   * WriteBehind}): not a force, what the data force after the last byte no longer writes.
   */
  final LongAdder writtenBehind = new LongAdder();

  /**
   * Bytes of new files written from direct memory: a client's or a source's network buffers,
   * handed over without a copy ({@link OwnedWrites}); the rest were copied to heap on the event
   * loop and once more by the JDK for the write.
   */
  final LongAdder writtenDirect = new LongAdder();

  /** Data, directory and binlog forces, in that order. */
  long[] counts() {
    return new long[] {data.sum(), directories.sum(), binlog.sum()};
  }

  @Override
  public String toString() {
    return "data "
        + data.sum()
        + ", directories "
        + directories.sum()
        + ", binlog "
        + binlog.sum()
        + ", tombstones "
        + tombstones.sum();
  }
}
