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
    assertEquals(
        List.of("f1"),
        await(store.trash(10)),
        "the trash survives too: a crash before the delete leaks nothing");
    assertTrue(Files.exists(dir.resolve("ns").resolve("namespace.db")));
    assertTrue(store.describe().contains("synchronous=FULL"));
  }

  @Test
  void changesSharingACommitFailAlone() throws Exception {
    // queued together, these share SQLite commits (group commit): the ones into a missing bucket
    // must fail with NoSuchBucket and roll back alone, the others must all be there afterwards
    await(store.createBucket("real", 1));
    List<io.vertx.core.Future<List<String>>> good = new java.util.ArrayList<>();
    List<io.vertx.core.Future<List<String>>> bad = new java.util.ArrayList<>();
    for (int i = 0; i < 60; i++) {
      good.add(store.putObject(entry("real", "k" + i, "f" + i)));
      bad.add(store.putObject(entry("missing", "k" + i, "g" + i)));
    }
    for (int i = 0; i < 60; i++) {
      assertTrue(await(good.get(i)).isEmpty());
      assertEquals("NoSuchBucket", s3Code(bad.get(i)));
    }
    assertEquals(60, await(store.scan("real", null, false, 1000)).size());
    store.close();
    store = open(vertx);
    assertEquals(
        60,
        await(store.scan("real", null, false, 1000)).size(),
        "committed: still there after reopening");
    assertTrue(await(store.bucket("missing")).isEmpty());
  }

  @Test
  void aKnownObjectIsAnsweredWithoutAQueryAndNeverStale() throws Exception {
    await(store.createBucket("c", 1));
    await(store.putObject(entry("c", "k", "f0")));
    var first = store.object("c", "k");
    assertTrue(first.isComplete(), "a row this process just wrote is answered at once");
    assertEquals("f0", first.result().orElseThrow().fileId());
    for (int i = 1; i <= 200; i++) {
      // a read racing the change must not leave the old row behind it
      var racing = store.object("c", "k");
      await(store.putObject(entry("c", "k", "f" + i)));
      await(racing);
      assertEquals("f" + i, await(store.object("c", "k")).orElseThrow().fileId());
    }
    var racing = store.object("c", "k");
    await(store.deleteObject("c", "k"));
    await(racing);
    assertTrue(await(store.object("c", "k")).isEmpty(), "deleted: not answered from the cache");
  }
}
