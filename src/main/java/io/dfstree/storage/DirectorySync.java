package io.dfstree.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Directory fsyncs, group-committed per directory. A new name is durable only once its directory is
 * forced to disk; concurrent uploads often land in the same directory (it rotates every N files),
 * so one force covers every name added before it started.
 */
final class DirectorySync {
  private final Map<Path, GroupCommit> dirs = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.LongAdder forced;

  DirectorySync() {
    this(new java.util.concurrent.atomic.LongAdder());
  }

  /** {@code forced} counts the forces that ran (one per group commit, not per caller). */
  DirectorySync(java.util.concurrent.atomic.LongAdder forced) {
    this.forced = forced;
  }

  /** Blocking (worker threads only). */
  void force(Path dir) throws IOException {
    dirs.computeIfAbsent(dir, k -> new GroupCommit())
        .commit(
            () -> {
              try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
                forced.increment();
              }
            });
  }
}
