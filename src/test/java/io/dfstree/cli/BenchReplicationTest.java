package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --warmup --replication} against a real tracker and a group of two storages in one
 * JVM (local event bus) with asynchronous replication (write quorum 1): the {@code replicated}
 * phase ends only once the peer's catch-up has copied every file, and the warm-up leaves nothing
 * behind on either member.
 */
class BenchReplicationTest {
  Vertx vertx;
  Path dir;
  JsonObject config;

  JsonObject storage(int id, String path) throws Exception {
    return config
        .getJsonObject("storage")
        .copy()
        .put("id", id)
        .put("packed", new JsonObject().put("enabled", false))
        .put("port", TestPorts.free()) // the one-file engine's layout on disk (packed: Packed*Test)
        .put("storePaths", new JsonArray().add(dir.resolve(path).toString()));
  }

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("bench-repl");
    config = Config.defaults();
    config.getJsonObject("tracker").put("host", "127.0.0.1").put("port", TestPorts.free());
    config
        .getJsonObject("storage")
        .put("host", "127.0.0.1")
        .put("subdirCount", 4)
        .put("reservedSpace", "1M")
        .put("fsync", false)
        .put("heartbeatIntervalMs", 200)
        .put("catchUpIntervalMs", 300)
        .put("writeQuorum", 1)
        .put("peerTimeoutMs", 2000);
    config.put("storage", storage(100001, "a"));
    vertx = Launcher.createVertx(config, false).await(10, TimeUnit.SECONDS);
    Launcher.deploy(vertx, "all-in-one", config).await(20, TimeUnit.SECONDS);
    vertx
        .deployVerticle(
            "io.dfstree.storage.StorageVerticle",
            new DeploymentOptions().setConfig(storage(100002, "b")))
        .await(20, TimeUnit.SECONDS);
    awaitActive(2, 20_000);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().await(20, TimeUnit.SECONDS);
      }
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  void awaitActive(int members, long timeoutMs) {
    SingleNodeServer.awaitActiveStorages(vertx, members, Duration.ofMillis(timeoutMs));
  }

  /**
   * Names of the content files under a store path's data/XX/YY/ (not binlog, marks or metadata).
   */
  Set<String> names(String path) throws Exception {
    Path data = dir.resolve(path).resolve("data");
    try (Stream<Path> walk = Files.walk(data)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> data.relativize(p).getNameCount() == 3)
          .map(p -> data.relativize(p).toString())
          .filter(n -> !n.endsWith("-m"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void replicatedPhaseWaitsForThePeersCopyOfEveryFile() throws Exception {
    String tracker = "127.0.0.1:" + config.getJsonObject("tracker").getInteger("port");
    CliRun run =
        CliRun.of(
            "bench",
            "-n",
            "60",
            "-s",
            "20K",
            "-c",
            "4",
            "--warmup",
            "20",
            "--replication",
            "--skip-delete",
            "--max-seconds",
            "30",
            "--json",
            "--tracker",
            tracker);
    assertEquals(0, run.exitCode(), run.out() + run.err());
    JsonNode doc = new ObjectMapper().readTree(run.out());
    assertEquals(20, doc.get("warmup").asInt());
    JsonNode upload = doc.get("phases").get(0);
    JsonNode replicated = doc.get("phases").get(1);
    assertEquals("upload", upload.get("operation").asText());
    assertEquals("replicated", replicated.get("operation").asText());
    assertEquals("download", doc.get("phases").get(2).get("operation").asText());
    assertEquals(60, replicated.get("count").asInt(), replicated.toString());
    assertEquals(0, replicated.get("errors").asInt(), replicated.toString());
    assertTrue(
        replicated.get("seconds").asDouble() >= upload.get("seconds").asDouble(), doc.toString());
    assertTrue(
        replicated.get("p50Ms").isNull() && replicated.get("p99Ms").isNull(),
        replicated.toString());
    assertNull(replicated.get("firstError").textValue());

    assertEquals(0, doc.get("warmupReturned").asInt(), "no deleted warm-up file came back");

    // every measured file is on both disks; the warm-up's are gone from both
    assertEquals(60, names("a").size(), "files on a");
    assertEquals(names("a"), names("b"));
  }
}
