package io.dfstree.s3;

import io.dfstree.s3.JdbcNamespaceStore.Dialect;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The namespace's database connections and how work runs on them: opened with each dialect's
 * settings (SQLite: WAL, {@code synchronous=FULL}; PostgreSQL: read committed), split into writers
 * and readers on worker pools of their own (never an event loop); each piece of work committed,
 * or rolled back and retried on the races the databases report (PostgreSQL serialisation or a
 * duplicate new key, SQLite busy). SQLite's writes share commits ({@link SqliteGroupCommit}). What
 * the SQL does is {@link JdbcNamespaceStore}'s.
 */
final class JdbcConnections implements AutoCloseable {
  private final Dialect dialect;
  private final String url;
  private final WorkerExecutor writers;
  private final WorkerExecutor readers;
  private final BlockingQueue<Connection> writeConns;
  private final BlockingQueue<Connection> readConns;
  private final List<Connection> all = new ArrayList<>();

  /** SQLite's one writer: concurrent changes share a commit (one WAL fsync for many PUTs). */
  private final SqliteGroupCommit commits;

  /** Where the database is and how many connections of each kind to open. */
  record Settings(
      Dialect dialect,
      String url,
      String user,
      String password,
      int writeConnections,
      int readConnections) {}

  /** Blocking: opens the connections {@code settings} ask for; {@code schema} runs on the first. */
  JdbcConnections(Vertx vertx, Settings settings, JdbcNamespaceStore.SqlWork<Void> schema)
      throws SQLException {
    this.dialect = settings.dialect();
    this.url = settings.url();
    String user = settings.user();
    String password = settings.password();
    int writeConnections = settings.writeConnections();
    int readConnections = settings.readConnections();
    String tag = Integer.toHexString(System.identityHashCode(this));
    this.writers = vertx.createSharedWorkerExecutor("dfstree-s3-ns-write-" + tag, writeConnections);
    this.readers = vertx.createSharedWorkerExecutor("dfstree-s3-ns-read-" + tag, readConnections);
    this.writeConns = new ArrayBlockingQueue<>(writeConnections);
    this.readConns = new ArrayBlockingQueue<>(readConnections);
    this.commits = new SqliteGroupCommit(vertx, writers, writeConns, this::retryable);
    try {
      for (int i = 0; i < writeConnections + readConnections; i++) {
        Connection c =
            user == null
                ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, user, password);
        all.add(c);
        configure(c);
        if (i == 0) {
          schema.run(c);
        }
        (i < writeConnections ? writeConns : readConns).add(c);
      }
    } catch (SQLException e) {
      close();
      throw e;
    }
  }

  /** The database, for the start-up banner (a PostgreSQL password masked). */
  String describe() {
    return switch (dialect) {
      case SQLITE ->
          "SQLite " + url.substring("jdbc:sqlite:".length()) + " (WAL, synchronous=FULL)";
      case POSTGRESQL -> "PostgreSQL " + url.replaceAll("password=[^&]*", "password=***");
    };
  }

  private void configure(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (dialect == Dialect.SQLITE) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA foreign_keys=ON");
        s.execute("PRAGMA busy_timeout=10000");
      }
    }
    c.setAutoCommit(false);
    if (dialect == Dialect.POSTGRESQL) {
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }
  }

  /** Runs {@code work} in a transaction of a writer connection (SQLite: a shared commit). */
  <T> Future<T> write(JdbcNamespaceStore.SqlWork<T> work) {
    if (dialect == Dialect.SQLITE) {
      return commits.submit(work);
    }
    return run(writers, writeConns, work);
  }

  /** Runs {@code work} in a transaction of a reader connection. */
  <T> Future<T> read(JdbcNamespaceStore.SqlWork<T> work) {
    return run(readers, readConns, work);
  }

  private <T> Future<T> run(
      WorkerExecutor pool, BlockingQueue<Connection> conns, JdbcNamespaceStore.SqlWork<T> work) {
    return pool.executeBlocking(
        () -> {
          Connection c = conns.take();
          try {
            for (int attempt = 1; ; attempt++) {
              try {
                T out = work.run(c);
                c.commit();
                return out;
              } catch (SQLException e) {
                rollbackQuietly(c);
                // PostgreSQL: two writers racing on one new key; SQLite: a reader's snapshot in the
                // way
                if (attempt < 5 && retryable(e)) {
                  Thread.sleep(attempt * 5L);
                  continue;
                }
                throw e;
              } catch (RuntimeException e) {
                rollbackQuietly(c);
                throw e;
              }
            }
          } finally {
            conns.put(c);
          }
        },
        false);
  }

  private boolean retryable(SQLException e) {
    String state = e.getSQLState();
    return (state != null
            && (state.equals("40001") || state.equals("40P01") || state.equals("23505")))
        || (dialect == Dialect.SQLITE
            && e.getMessage() != null
            && e.getMessage().contains("SQLITE_BUSY"));
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the next use reports it
    }
  }

  /** The row lock a read-modify-write takes (PostgreSQL; SQLite has one writer anyway). */
  String forUpdate() {
    return dialect == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
  }

  String forShare() {
    return dialect == Dialect.POSTGRESQL ? " FOR SHARE" : "";
  }

  @Override
  public void close() {
    for (Connection c : all) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    all.clear();
    writers.close();
    readers.close();
  }
}
