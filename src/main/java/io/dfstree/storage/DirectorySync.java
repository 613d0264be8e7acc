package io.dfstree.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for directory fsyncs. A new name is durable only once its directory is forced to
 * disk; concurrent uploads usually land in the same directory (it rotates every N files), so
 * one force covers every name added before it started. Callers block (worker threads only): a
 * caller whose name arrived during a running force waits for it to end, then either finds
 * itself covered by a later force or runs the next one for everyone waiting.
 */
final class DirectorySync {
  private final Map<Path, Dir> dirs = new ConcurrentHashMap<>();

  private static final class Dir {
    final ReentrantLock lock = new ReentrantLock();
    final Condition done = lock.newCondition();
    long requested;
    long synced;
    boolean syncing;
  }

  void force(Path dir) throws IOException {
    Dir d = dirs.computeIfAbsent(dir, k -> new Dir());
    long covers;
    d.lock.lock();
    try {
      long ticket = ++d.requested;
      while (d.syncing && d.synced < ticket) {
        d.done.awaitUninterruptibly();
      }
      if (d.synced >= ticket) {
        return;
      }
      d.syncing = true;
      covers = d.requested;
    } finally {
      d.lock.unlock();
    }
    IOException failure = null;
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      failure = e;
    }
    d.lock.lock();
    try {
      d.syncing = false;
      if (failure == null) {
        d.synced = Math.max(d.synced, covers);
      }
      d.done.signalAll();
    } finally {
      d.lock.unlock();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
