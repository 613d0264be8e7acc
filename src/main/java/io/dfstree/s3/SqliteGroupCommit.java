package io.dfstree.s3;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.ContextInternal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Group commit for SQLite's single writer connection. With {@code synchronous=FULL} every commit is
 * an fsync of the WAL; at 16 concurrent PUTs one commit each made the namespace the bottleneck of
 * S3 writes (the profile showed PUTs queueing on the writer). Here the writer takes every change
 * waiting when it becomes free, runs each inside its own SAVEPOINT (a change that fails is rolled
 * back alone and fails alone) and commits them together: one fsync, and no change is answered
 * before the commit that holds it is on disk — the same durability as before.
 */
final class SqliteGroupCommit {
  /** Changes per commit at most (each is a handful of row writes). */
  static final int MAX_BATCH = 256;

  private record Pending<T>(JdbcNamespaceStore.SqlWork<T> work, Promise<T> promise) {}

  private final Vertx vertx;
  private final WorkerExecutor worker;
  private final BlockingQueue<Connection> conns;
  private final Predicate<SQLException> retryable;
  private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  SqliteGroupCommit(
      Vertx vertx,
      WorkerExecutor worker,
      BlockingQueue<Connection> conns,
      Predicate<SQLException> retryable) {
    this.vertx = vertx;
    this.worker = worker;
    this.conns = conns;
    this.retryable = retryable;
  }

  /**
   * Runs {@code work} in the next commit; the future completes (on the caller's context) once that
   * commit is durable.
   */
  <T> Future<T> submit(JdbcNamespaceStore.SqlWork<T> work) {
    Promise<T> p = ((ContextInternal) vertx.getOrCreateContext()).promise();
    queue.add(new Pending<>(work, p));
    if (draining.compareAndSet(false, true)) {
      worker.executeBlocking(this::drain, false).onFailure(err -> failAll(err));
    }
    return p.future();
  }

  private Void drain() throws InterruptedException {
    Connection c = conns.take();
    try {
      while (true) {
        List<Pending<?>> batch = new ArrayList<>();
        for (Pending<?> w; batch.size() < MAX_BATCH && (w = queue.poll()) != null; ) {
          batch.add(w);
        }
        if (!batch.isEmpty()) {
          commit(c, batch);
          continue;
        }
        draining.set(false);
        // a change queued after the poll above but before the flag dropped has nobody to run it:
        // take it
        if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
          return null;
        }
      }
    } finally {
      conns.put(c);
    }
  }

  private void commit(Connection c, List<Pending<?>> batch) throws InterruptedException {
    Object[] results = new Object[batch.size()];
    Throwable[] errors = new Throwable[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      for (int attempt = 1; ; attempt++) {
        try {
          exec(c, "SAVEPOINT change");
          results[i] = batch.get(i).work().run(c);
          exec(c, "RELEASE change");
          break;
        } catch (SQLException | RuntimeException e) {
          boolean undone = undo(c);
          if (undone && e instanceof SQLException sql && attempt < 5 && retryable.test(sql)) {
            Thread.sleep(attempt * 5L);
            continue;
          }
          errors[i] = e;
          break;
        }
      }
    }
    try {
      c.commit();
    } catch (SQLException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is broken; the next use reports it
      }
      for (int i = 0; i < errors.length; i++) {
        if (errors[i] == null) {
          errors[i] = e;
        }
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      complete(batch.get(i), results[i], errors[i]);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Pending<T> p, Object result, Throwable error) {
    if (error != null) {
      p.promise().fail(error);
    } else {
      p.promise().complete((T) result);
    }
  }

  /** Rolls back to the savepoint of the change that failed; false when even that failed. */
  private static boolean undo(Connection c) {
    try {
      exec(c, "ROLLBACK TO change");
      exec(c, "RELEASE change");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private void failAll(Throwable err) {
    draining.set(false);
    for (Pending<?> w; (w = queue.poll()) != null; ) {
      w.promise().tryFail(err);
    }
  }
}
