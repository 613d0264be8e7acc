package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.s3.NamespaceStore.MultipartUpload;
import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.dfstree.s3.NamespaceStore.Part;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every namespace store must do; run against SQLite and a real PostgreSQL. */
abstract class NamespaceStoreContract {
  Vertx vertx;
  NamespaceStore store;

  abstract NamespaceStore open(Vertx vertx) throws Exception;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    store = open(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (store != null) {
      store.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.await(20, TimeUnit.SECONDS);
  }

  static String s3Code(Future<?> f) {
    Exception e = assertThrows(Exception.class, () -> f.await(20, TimeUnit.SECONDS));
    assertInstanceOf(S3Exception.class, e, String.valueOf(e));
    return ((S3Exception) e).code();
  }

  static ObjectEntry entry(String bucket, String key, String fileId) {
    return new ObjectEntry(
        bucket, key, fileId, 10, "etag-" + fileId, "text/plain", Map.of("a", "b"), 1000, List.of());
  }

  @Test
  void bucketsObjectsOverwritesAndTheTrash() throws Exception {
    await(store.createBucket("b1", 5));
    assertEquals("BucketAlreadyOwnedByYou", s3Code(store.createBucket("b1", 6)));
    assertEquals(List.of(new NamespaceStore.Bucket("b1", 5)), await(store.listBuckets()));
    assertEquals("NoSuchBucket", s3Code(store.putObject(entry("nope", "k", "f0"))));

    assertEquals(List.of(), await(store.putObject(entry("b1", "k", "f1"))));
    assertEquals(
        List.of("f1"),
        await(store.putObject(entry("b1", "k", "f2"))),
        "overwrite frees the old file");
    ObjectEntry got = await(store.object("b1", "k")).orElseThrow();
    assertEquals("f2", got.fileId());
    assertEquals(Map.of("a", "b"), got.meta());
    assertEquals(List.of("f1"), await(store.trash(10)));
    await(store.forget(List.of("f1")));
    assertEquals(List.of(), await(store.trash(10)));

    assertEquals("BucketNotEmpty", s3Code(store.deleteBucket("b1")));
    assertEquals(List.of("f2"), await(store.deleteObject("b1", "k")));
    assertEquals(List.of(), await(store.deleteObject("b1", "k")), "deleting twice frees nothing");
    assertTrue(await(store.object("b1", "k")).isEmpty());
    await(store.deleteBucket("b1"));
    assertEquals("NoSuchBucket", s3Code(store.deleteBucket("b1")));
  }

  @Test
  void scanIsInUtf8ByteOrder() throws Exception {
    await(store.createBucket("order", 1));
    List<String> keys = List.of("A", "Z", "a", "a/b", "a0", "z", "é", "日本", "😀");
    for (String k : List.of("😀", "a0", "日本", "Z", "a/b", "é", "A", "z", "a")) {
      await(store.putObject(entry("order", k, "f-" + k)));
    }
    assertEquals(
        keys, await(store.scan("order", null, false, 100)).stream().map(ObjectEntry::key).toList());
    assertEquals(
        List.of("a0", "z"),
        await(store.scan("order", "a/b", false, 2)).stream().map(ObjectEntry::key).toList());
    assertEquals(
        List.of("a/b", "a0"),
        await(store.scan("order", "a/b", true, 2)).stream().map(ObjectEntry::key).toList());
  }

  @Test
  void multipartCompleteAndAbort() throws Exception {
    await(store.createBucket("mp", 1));
    await(store.createUpload(new MultipartUpload("u1", "mp", "big", "video/mp4", Map.of(), 7)));
    await(store.putPart("u1", new Part(1, "p1", 5, "e1")));
    assertEquals(List.of(), await(store.putPart("u1", new Part(2, "p2", 5, "e2"))));
    assertEquals(
        List.of("p2"),
        await(store.putPart("u1", new Part(2, "p2b", 5, "e2b"))),
        "a re-sent part frees the first");
    await(store.putPart("u1", new Part(3, "p3", 5, "e3")));
    assertEquals(List.of(1, 2, 3), await(store.parts("u1")).stream().map(Part::number).toList());
    assertEquals(
        "BucketNotEmpty",
        s3Code(store.deleteBucket("mp")),
        "an upload in progress keeps the bucket");

    List<Part> used = List.of(new Part(1, "p1", 5, "e1"), new Part(3, "p3", 5, "e3"));
    ObjectEntry e = new ObjectEntry("mp", "big", "", 10, "x-2", "video/mp4", Map.of(), 9, used);
    assertEquals(List.of("p2b"), await(store.completeUpload("u1", e)), "parts left out are freed");
    ObjectEntry got = await(store.object("mp", "big")).orElseThrow();
    assertEquals(used, got.parts());
    assertEquals(List.of("p1", "p3"), got.fileIds());
    assertEquals("NoSuchUpload", s3Code(store.parts("u1")));

    await(store.createUpload(new MultipartUpload("u2", "mp", "other", null, Map.of(), 8)));
    await(store.putPart("u2", new Part(1, "q1", 5, "f1")));
    assertEquals(List.of("q1"), await(store.abortUpload("u2")));
    assertEquals("NoSuchUpload", s3Code(store.abortUpload("u2")));
    assertEquals(List.of("p1", "p3"), await(store.deleteObject("mp", "big")));
  }

  @Test
  void concurrentWritersOfOneKeyLoseNoFile() throws Exception {
    await(store.createBucket("race", 1));
    List<Future<List<String>>> puts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      puts.add(store.putObject(entry("race", "same", "file-" + i)));
    }
    Set<String> freed = new HashSet<>();
    for (Future<List<String>> f : puts) {
      freed.addAll(await(f));
    }
    String winner = await(store.object("race", "same")).orElseThrow().fileId();
    assertEquals(39, freed.size(), "every file but the one the key names is freed exactly once");
    assertFalse(freed.contains(winner));
  }
}
