package io.dfstree.badinput;

import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real tracker and storage in this JVM (role all-in-one, deployed through {@link Launcher}) on free
 * loopback ports, with the store path in a fresh temp directory. One per test class.
 */
final class Servers implements AutoCloseable {
  final Vertx vertx;
  final int trackerPort;
  final int storagePort;
  /** Temp root: holds the store path and the sentinel file outside it. */
  final Path root;
  final Path store;
  final Path data;
  final Path tmp;
  final JsonObject config;

  private Servers(Vertx vertx, int trackerPort, int storagePort, Path root, Path store, JsonObject config) {
    this.vertx = vertx;
    this.trackerPort = trackerPort;
    this.storagePort = storagePort;
    this.root = root;
    this.store = store;
    this.data = store.resolve("data");
    this.tmp = data.resolve(".tmp");
    this.config = config;
  }

  static Servers start(Consumer<JsonObject> storageTweaks) throws Exception {
    return start(storageTweaks, t -> { });
  }

  static Servers start(Consumer<JsonObject> storageTweaks, Consumer<JsonObject> trackerTweaks) throws Exception {
    Path root = Files.createTempDirectory("dfstree-bad");
    Path store = root.resolve("store0");
    int tracker = freePort();
    int storage = freePort();
    JsonObject config = Config.defaults();
    config.getJsonObject("tracker").put("host", "127.0.0.1").put("port", tracker);
    JsonObject s = config.getJsonObject("storage");
    s.put("host", "127.0.0.1").put("port", storage).put("storePaths", new JsonArray().add(store.toString()))
        .put("subdirCount", 16).put("reservedSpace", "1M").put("heartbeatIntervalMs", 500);
    storageTweaks.accept(s);
    trackerTweaks.accept(config.getJsonObject("tracker"));
    Vertx vertx = Vertx.vertx();
    Launcher.deploy(vertx, "all-in-one", config).await(30, TimeUnit.SECONDS);
    Servers servers = new Servers(vertx, tracker, storage, root, store, config);
    servers.awaitTrackerKnowsStorage();
    return servers;
  }

  static Servers start() throws Exception {
    return start(s -> { });
  }

  private void awaitTrackerKnowsStorage() throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      try (Raw t = Raw.open(trackerPort)) {
        t.send(Raw.header(0, 101, 0));
        Raw.Reply r = t.read();
        if (r.status() != 2) { // ENOENT until the first heartbeat; a full storage answers ENOSPC
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("tracker never learned about the storage");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Regular files under the data dir outside .tmp (relative paths, sorted). */
  List<String> storedFiles() throws IOException {
    List<String> out = new ArrayList<>();
    for (Path p : regularFiles(data)) {
      if (!p.startsWith(tmp)) {
        out.add(data.relativize(p).toString());
      }
    }
    out.sort(null);
    return out;
  }

  /** Every regular file under the temp root (relative paths, sorted). */
  List<String> allFiles() throws IOException {
    List<String> out = new ArrayList<>();
    for (Path p : regularFiles(root)) {
      out.add(root.relativize(p).toString());
    }
    out.sort(null);
    return out;
  }

  /**
   * Regular files below {@code dir}. The server keeps working while we look: a temp file it
   * deletes between listing and visiting is simply not there, not an error.
   */
  private static List<Path> regularFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
        if (attrs.isRegularFile()) {
          out.add(file);
        }
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof java.nio.file.NoSuchFileException) {
          return java.nio.file.FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
    return out;
  }

  /** Regular files in the temp directories (uploads in flight), by name. */
  List<String> tmpFiles() throws IOException {
    return regularFiles(tmp).stream().map(p -> p.getFileName().toString()).sorted().toList();
  }

  /** Polls until .tmp is empty or the time is up; returns what is left. */
  List<String> awaitTmpEmpty(long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    List<String> left = tmpFiles();
    while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      left = tmpFiles();
    }
    return left;
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
    io.dfstree.TempTrees.delete(root);
  }
}
