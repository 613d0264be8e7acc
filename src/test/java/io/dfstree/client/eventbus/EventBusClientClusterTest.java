package io.dfstree.client.eventbus;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import io.dfstree.api.Addresses;
import io.dfstree.api.FileEvent;
import io.dfstree.client.StoredFileInfo;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.server.Launcher;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "Another Vert.x app" — a Hazelcast lite member with its own Vert.x — uses the event-bus client
 * against a tracker and a storage running in a separate clustered Vert.x instance (same JVM, unique
 * cluster name, loopback TCP-IP join on free ports).
 */
class EventBusClientClusterTest {
  static final int STORAGE_ID = 100001;
  static Path dir;
  static Vertx serverVertx;
  static Vertx appVertx;
  static DfsEventBusClient client;
  static final List<FileEvent> events = new CopyOnWriteArrayList<>();
  static MessageConsumer<JsonObject> subscription;

  @BeforeAll
  static void startCluster() throws Exception {
    dir = Files.createTempDirectory("dfstree-ebclient");
    String clusterName = "ebclient-" + UUID.randomUUID();
    int serverHz = TestPorts.free();
    JsonObject config = io.dfstree.config.Config.defaults();
    config.getJsonObject("tracker").put("host", "127.0.0.1").put("port", TestPorts.free());
    config
        .getJsonObject("storage")
        .put("host", "127.0.0.1")
        .put("port", TestPorts.free())
        .put("storePaths", new JsonArray().add(dir.resolve("store0").toString()))
        .put("subdirCount", 16)
        .put("reservedSpace", "1M")
        .put("fsync", false)
        .put("heartbeatIntervalMs", 500);
    config.put(
        "cluster",
        new JsonObject()
            .put("enabled", true)
            .put("name", clusterName)
            .put("host", "127.0.0.1")
            .put("port", serverHz)
            .put("members", new JsonArray().add("127.0.0.1:" + serverHz)));
    serverVertx = Launcher.createVertx(config, true).await(60, TimeUnit.SECONDS);
    Launcher.deploy(serverVertx, "all-in-one", config).await(30, TimeUnit.SECONDS);

    // the client application: a lite member (owns no partitions, leaves without migrations)
    Config hz =
        Launcher.hazelcast(
            new JsonObject()
                .put("name", clusterName)
                .put("host", "127.0.0.1")
                .put("port", TestPorts.free())
                .put("members", new JsonArray().add("127.0.0.1:" + serverHz)));
    hz.setLiteMember(true);
    appVertx =
        Vertx.builder()
            .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1")))
            .withClusterManager(new HazelcastClusterManager(hz))
            .buildClustered()
            .await(60, TimeUnit.SECONDS);
    client = DfsEventBusClient.create(appVertx, EventBusClientOptions.defaults());
    subscription = client.subscribe(events::add).await(10, TimeUnit.SECONDS);
    awaitActive(appVertx, 30_000);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    // one node after the other: the lite client first, then the member holding the data
    try {
      if (client != null) {
        client.close().await(10, TimeUnit.SECONDS);
      }
      if (appVertx != null) {
        appVertx.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      if (serverVertx != null) {
        serverVertx.close().await(30, TimeUnit.SECONDS);
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void streamedUploadOfAFewMegabytesDownloadsIdentically() throws Exception {
    byte[] data = new byte[5 * 1024 * 1024 + 123];
    new Random(7).nextBytes(data);
    Path src = dir.resolve("big.bin");
    Files.write(src, data);
    AsyncFile in =
        appVertx
            .fileSystem()
            .open(src.toString(), new OpenOptions().setRead(true))
            .await(5, TimeUnit.SECONDS);
    String fileId =
        client.upload(in, data.length, "bin", Map.of("kind", "big")).await(30, TimeUnit.SECONDS);
    in.close();
    assertTrue(fileId.startsWith("group1/M00/") && fileId.endsWith(".bin"), fileId);

    // download as a stream, reading slowly (pause/fetch) to exercise back-pressure
    ReadStream<Buffer> rs = client.download(fileId).await(10, TimeUnit.SECONDS);
    Buffer got = Buffer.buffer();
    Promise<Void> end = Promise.promise();
    rs.exceptionHandler(end::tryFail).endHandler(v -> end.tryComplete());
    rs.pause();
    rs.handler(
        chunk -> {
          got.appendBuffer(chunk);
          appVertx.setTimer(1, t -> rs.fetch(1));
        });
    rs.fetch(1);
    end.future().await(60, TimeUnit.SECONDS);
    assertArrayEquals(data, got.getBytes());

    // a range: 1 MiB from the middle, and the tail from an offset (length 0: to the end)
    assertArrayEquals(
        Arrays.copyOfRange(data, 2_000_000, 2_000_000 + (1 << 20)),
        collect(client.download(fileId, 2_000_000, 1 << 20).await(10, TimeUnit.SECONDS))
            .getBytes());
    assertArrayEquals(
        Arrays.copyOfRange(data, data.length - 500, data.length),
        collect(client.download(fileId, data.length - 500, 0).await(10, TimeUnit.SECONDS))
            .getBytes());

    // download into a file
    Path target = dir.resolve("big.out");
    long n = client.download(fileId, target).await(30, TimeUnit.SECONDS);
    assertEquals(data.length, n);
    assertArrayEquals(data, Files.readAllBytes(target));

    assertEquals(Map.of("kind", "big"), client.metadata(fileId).await(10, TimeUnit.SECONDS));
    StoredFileInfo info = client.info(fileId).await(10, TimeUnit.SECONDS);
    assertEquals(data.length, info.size());
    assertEquals(crc(data), info.crc32());
    FileEvent created = awaitEvent(FileEvent.CREATED, fileId);
    assertEquals(data.length, created.size());
    assertEquals(STORAGE_ID, created.storageId());
  }

  @Test
  void bufferUploadMetadataInfoAndDelete() throws Exception {
    byte[] data = "hello from another vert.x app".getBytes();
    String fileId = client.upload(Buffer.buffer(data), "txt", Map.of()).await(10, TimeUnit.SECONDS);
    FileEvent created = awaitEvent(FileEvent.CREATED, fileId);
    assertEquals(data.length, created.size());

    Buffer got = collect(client.download(fileId).await(10, TimeUnit.SECONDS));
    assertArrayEquals(data, got.getBytes());

    assertEquals(Map.of(), client.metadata(fileId).await(10, TimeUnit.SECONDS));
    client.setMetadata(fileId, Map.of("a", "1", "b", "2"), false).await(10, TimeUnit.SECONDS);
    client.setMetadata(fileId, Map.of("b", "3", "c", "4"), true).await(10, TimeUnit.SECONDS);
    assertEquals(
        Map.of("a", "1", "b", "3", "c", "4"), client.metadata(fileId).await(10, TimeUnit.SECONDS));
    client.setMetadata(fileId, Map.of("z", "9"), false).await(10, TimeUnit.SECONDS);
    assertEquals(Map.of("z", "9"), client.metadata(fileId).await(10, TimeUnit.SECONDS));
    awaitEvent(FileEvent.METADATA, fileId);

    StoredFileInfo info = client.info(fileId).await(10, TimeUnit.SECONDS);
    assertEquals(data.length, info.size());
    assertEquals(crc(data), info.crc32());
    assertTrue(
        Math.abs(info.createTime() - System.currentTimeMillis() / 1000) < 60,
        "create time " + info.createTime());

    client.delete(fileId).await(10, TimeUnit.SECONDS);
    FileEvent deleted = awaitEvent(FileEvent.DELETED, fileId);
    assertEquals(STORAGE_ID, deleted.storageId());
    assertEquals(Errno.ENOENT, errno(client.info(fileId)));
    assertEquals(Errno.ENOENT, errno(client.metadata(fileId)));
    assertEquals(Errno.ENOENT, errno(client.download(fileId)));
    assertEquals(Errno.ENOENT, errno(client.delete(fileId)));
    // one created event per upload (the storage that took the write publishes it once)
    assertEquals(
        1,
        events.stream()
            .filter(e -> e.type().equals(FileEvent.CREATED) && e.fileId().equals(fileId))
            .count());
  }

  @Test
  void uploadOfAPathAndAnEmptyStream() throws Exception {
    Path src = dir.resolve("photo.jpg");
    Files.write(src, new byte[70_000]);
    String fileId = client.upload(src).await(10, TimeUnit.SECONDS);
    assertTrue(fileId.endsWith(".jpg"), fileId);
    assertEquals(70_000, client.info(fileId).await(10, TimeUnit.SECONDS).size());

    String empty = client.upload(Buffer.buffer(), "", Map.of()).await(10, TimeUnit.SECONDS);
    assertEquals(0, collect(client.download(empty).await(10, TimeUnit.SECONDS)).length());
  }

  @Test
  void routingErrorsCarryFastDfsErrnos() throws Exception {
    DfsEventBusClient wrongGroup =
        DfsEventBusClient.create(appVertx, EventBusClientOptions.defaults().withGroup("nosuch"));
    assertEquals(Errno.ENOENT, errno(wrongGroup.upload(Buffer.buffer("x"), "txt", Map.of())));
    assertEquals(Errno.EINVAL, errno(client.info("not-a-file-id")));
    assertEquals(Errno.EINVAL, errno(client.upload(Buffer.buffer("x"), "toolongext", Map.of())));
    // the tracker's failure code itself is the errno
    Throwable raw =
        assertThrows(
            ReplyException.class,
            () ->
                appVertx
                    .eventBus()
                    .request(
                        Addresses.TRACKER_QUERY,
                        new JsonObject().put("op", "fetch").put("fileId", "group1/bad"))
                    .await(10, TimeUnit.SECONDS));
    assertEquals(Errno.EINVAL, ((ReplyException) raw).failureCode());
    JsonObject target =
        appVertx
            .eventBus()
            .<JsonObject>request(
                Addresses.TRACKER_QUERY, new JsonObject().put("op", "store").put("group", "group1"))
            .await(10, TimeUnit.SECONDS)
            .body();
    assertEquals("group1", target.getString("group"));
    assertEquals("127.0.0.1", target.getString("host"));
    assertTrue(
        target.getInteger("port") > 0 && target.containsKey("storePathIndex"), target.encode());
    // no tracker listening on an address: ECONNREFUSED, not a hang
    DfsEventBusClient nowhere =
        DfsEventBusClient.create(
            appVertx,
            new EventBusClientOptions(
                "dfstree.nowhere",
                null,
                java.time.Duration.ofSeconds(2),
                java.time.Duration.ofSeconds(2),
                java.time.Duration.ofSeconds(5)));
    assertEquals(Errno.ECONNREFUSED, errno(nowhere.upload(Buffer.buffer("x"), "", Map.of())));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  static int errno(Future<?> f) {
    Throwable t = assertThrows(Throwable.class, () -> f.await(15, TimeUnit.SECONDS));
    return assertInstanceOf(FdfsException.class, t, String.valueOf(t)).errno();
  }

  static Buffer collect(ReadStream<Buffer> rs) throws Exception {
    Buffer out = Buffer.buffer();
    Promise<Void> end = Promise.promise();
    rs.exceptionHandler(end::tryFail).endHandler(v -> end.tryComplete()).handler(out::appendBuffer);
    end.future().await(30, TimeUnit.SECONDS);
    return out;
  }

  static FileEvent awaitEvent(String type, String fileId) {
    try {
      return await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  events.stream()
                      .filter(e -> e.type().equals(type) && e.fileId().equals(fileId))
                      .findFirst(),
              Optional::isPresent)
          .get();
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no " + type + " event for " + fileId + "; got " + events, e);
    }
  }

  static long crc(byte[] data) {
    CRC32 c = new CRC32();
    c.update(data);
    return c.getValue();
  }

  static void awaitActive(Vertx vertx, long timeoutMs) {
    // the clustered subscription may still be propagating: failed queries are retried
    SingleNodeServer.awaitActiveStorages(vertx, 1, Duration.ofMillis(timeoutMs));
  }
}
