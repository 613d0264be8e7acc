package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The namespace contract against a real PostgreSQL, started by the test from Debian's package. */
class PostgresNamespaceStoreTest extends NamespaceStoreContract {
  static PostgresServer pg;
  static final AtomicInteger DB = new AtomicInteger();
  String database;

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Override
  NamespaceStore open(Vertx vertx) throws Exception {
    if (database == null) {
      database = "ns" + DB.incrementAndGet(); // a fresh database per test
      try (Connection c = DriverManager.getConnection(pg.url(), "dfstree", "");
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + database);
      }
    }
    return JdbcNamespaceStore.postgresql(
        vertx, pg.url().replace("/postgres", "/" + database), "dfstree", "", 8);
  }

  @Test
  void twoEndpointsShareOneNamespace() throws Exception {
    NamespaceStore other =
        JdbcNamespaceStore.postgresql(
            vertx, pg.url().replace("/postgres", "/" + database), "dfstree", "", 4);
    try {
      await(store.createBucket("shared", 1));
      await(other.putObject(entry("shared", "k", "from-other")));
      assertEquals("from-other", await(store.object("shared", "k")).orElseThrow().fileId());
      assertEquals(
          java.util.List.of("from-other"),
          await(store.putObject(entry("shared", "k", "from-first"))));
      assertTrue(store.describe().startsWith("PostgreSQL"));
    } finally {
      other.close();
    }
  }

  /**
   * Storages of several groups start at once against one fresh database: each creates the schema.
   * Without a lock PostgreSQL's CREATE TABLE IF NOT EXISTS races itself (pg_type unique index).
   */
  @Test
  void manyStoresCreateTheSchemaAtOnce() throws Exception {
    String fresh = "race" + DB.incrementAndGet();
    try (Connection c = DriverManager.getConnection(pg.url(), "dfstree", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + fresh);
    }
    String url = pg.url().replace("/postgres", "/" + fresh);
    int n = 6;
    var start = new java.util.concurrent.CountDownLatch(1);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    var opened = new java.util.ArrayList<java.util.concurrent.Future<NamespaceStore>>();
    try {
      for (int i = 0; i < n; i++) {
        opened.add(
            pool.submit(
                () -> {
                  start.await();
                  return (NamespaceStore) JdbcNamespaceStore.postgresql(vertx, url, "dfstree", "", 2);
                }));
      }
      start.countDown();
      var stores = new java.util.ArrayList<NamespaceStore>();
      for (var f : opened) {
        stores.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS)); // throws if one failed
      }
      await(stores.get(0).createBucket("raced", 1));
      await(stores.get(n - 1).putObject(entry("raced", "k", "id")));
      assertEquals("id", await(stores.get(1).object("raced", "k")).orElseThrow().fileId());
      for (NamespaceStore s : stores) {
        s.close();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
