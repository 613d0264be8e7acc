package io.dfstree.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.ProtoCommon;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several Java clients at once on one file: no lost appends, no lost metadata merges, unique names.
 */
class ConcurrentClientsTest extends SingleNodeTest {
  static final int THREADS = 8;
  static ExecutorService pool;

  @BeforeAll
  static void startPool() {
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterAll
  static void stopPool() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  static <T> List<T> inParallel(
      java.util.function.IntFunction<java.util.concurrent.Callable<T>> task) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(pool.submit(task.apply(t)));
    }
    List<T> out = new ArrayList<>();
    for (Future<T> f : futures) {
      out.add(f.get(30, TimeUnit.SECONDS));
    }
    return out;
  }

  @Test
  void concurrentAppendsAreAllKeptWhole() throws Exception {
    String[] app = new StorageClient(null, null).upload_appender_file(new byte[0], "log", null);
    assertNotNull(app);
    int perThread = 20;
    int chunk = 1000;
    inParallel(
        t ->
            () -> {
              byte[] data = new byte[chunk];
              Arrays.fill(data, (byte) ('A' + t));
              for (int i = 0; i < perThread; i++) {
                assertEquals(0, new StorageClient(null, null).append_file(app[0], app[1], data));
              }
              return null;
            });
    byte[] all = new StorageClient(null, null).download_file(app[0], app[1]);
    assertEquals(THREADS * perThread * chunk, all.length);
    int[] perLetter = new int[THREADS];
    for (int off = 0; off < all.length; off += chunk) {
      byte b = all[off];
      for (int i = 1; i < chunk; i++) {
        assertEquals(b, all[off + i], "chunk at " + off + " interleaved");
      }
      perLetter[b - 'A']++;
    }
    for (int count : perLetter) {
      assertEquals(perThread, count);
    }
  }

  @Test
  void concurrentMetadataMergesLoseNoKey() throws Exception {
    String[] f = new StorageClient(null, null).upload_file(new byte[] {1}, "bin", null);
    assertNotNull(f);
    int perThread = 10;
    inParallel(
        t ->
            () -> {
              for (int i = 0; i < perThread; i++) {
                assertEquals(
                    0,
                    new StorageClient(null, null)
                        .set_metadata(
                            f[0],
                            f[1],
                            new NameValuePair[] {new NameValuePair("k" + t + "_" + i, "v")},
                            ProtoCommon.STORAGE_SET_METADATA_FLAG_MERGE));
              }
              return null;
            });
    NameValuePair[] meta = new StorageClient(null, null).get_metadata(f[0], f[1]);
    assertNotNull(meta);
    assertEquals(THREADS * perThread, meta.length);
  }

  @Test
  void concurrentUploadsGetDistinctNamesAndKeepTheirBytes() throws Exception {
    List<List<String>> ids =
        inParallel(
            t ->
                () -> {
                  List<String> mine = new ArrayList<>();
                  for (int i = 0; i < 25; i++) {
                    byte[] data = (t + ":" + i).getBytes();
                    StorageClient c = new StorageClient(null, null);
                    String[] r = c.upload_file(data, "txt", null);
                    assertNotNull(r);
                    assertArrayEquals(
                        data, new StorageClient(null, null).download_file(r[0], r[1]));
                    mine.add(r[1]);
                  }
                  return mine;
                });
    Set<String> all = new HashSet<>();
    ids.forEach(all::addAll);
    assertEquals(THREADS * 25, all.size());
  }
}
