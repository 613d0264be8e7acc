package io.dfstree.storage;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for one fsync target (a directory, the binlog). Callers block (worker threads only):
 * a change is durable once a force that started after it has ended, so a caller whose change
 * arrived during a running force waits for it to end, then either finds itself covered by a later
 * force or runs the next one for everyone waiting. Under concurrent load one force serves many
 * callers instead of one each.
 */
final class GroupCommit {
  /** The force itself: {@code FileChannel.force} on whatever is being made durable. */
  interface Force {
    void run() throws IOException;
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition done = lock.newCondition();
  private long requested;
  private long synced;
  private boolean syncing;

  /** Returns once everything changed before this call is forced to disk. */
  void commit(Force force) throws IOException {
    long covers;
    lock.lock();
    try {
      long ticket = ++requested;
      while (syncing && synced < ticket) {
        done.awaitUninterruptibly();
      }
      if (synced >= ticket) {
        return;
      }
      syncing = true;
      covers = requested;
    } finally {
      lock.unlock();
    }
    IOException failure = null;
    try {
      force.run();
    } catch (IOException e) {
      failure = e;
    }
    lock.lock();
    try {
      syncing = false;
      if (failure == null) {
        synced = Math.max(synced, covers);
      }
      done.signalAll();
    } finally {
      lock.unlock();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
