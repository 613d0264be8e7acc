package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteNamespaceStoreTest extends NamespaceStoreContract {
  @TempDir Path dir;

  @Override
  NamespaceStore open(Vertx vertx) throws Exception {
    return JdbcNamespaceStore.sqlite(vertx, dir.resolve("ns").resolve("namespace.db"));
  }

  @Test
  void whatWasCommittedIsThereAfterReopening() throws Exception {
    await(store.createBucket("keep", 1));
    await(store.putObject(entry("keep", "k", "f1")));
    await(store.putObject(entry("keep", "k", "f2")));
    store.close();
    store = open(vertx);
    assertEquals("f2", await(store.object("keep", "k")).orElseThrow().fileId());
    assertEquals(List.of("f1"), await(store.trash(10)), "the trash survives too: a crash before the delete leaks nothing");
    assertTrue(Files.exists(dir.resolve("ns").resolve("namespace.db")));
    assertTrue(store.describe().contains("synchronous=FULL"));
  }
}
