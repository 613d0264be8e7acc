package io.dfstree.badinput;

import io.dfstree.SingleNodeServer;
import io.dfstree.config.Config;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real tracker and storage in this JVM ({@link SingleNodeServer}, with fsync on as shipped), and
 * views of the store path's files. One per test class.
 */
final class Servers implements AutoCloseable {
  final SingleNodeServer node;
  final int trackerPort;
  final int storagePort;

  /** Temp root: holds the store path and the sentinel file outside it. */
  final Path root;

  final Path store;
  final Path data;
  final Path tmp;
  final JsonObject config;

  private Servers(SingleNodeServer node) {
    this.node = node;
    this.trackerPort = node.trackerPort();
    this.storagePort = node.storagePort();
    this.root = node.dataDir();
    this.store = root.resolve("store0");
    this.data = store.resolve("data");
    this.tmp = data.resolve(".tmp");
    this.config = node.config();
  }

  static Servers start(Consumer<JsonObject> storageTweaks) throws Exception {
    return start(storageTweaks, t -> {});
  }

  static Servers start(Consumer<JsonObject> storageTweaks, Consumer<JsonObject> trackerTweaks)
      throws Exception {
    return new Servers(
        SingleNodeServer.start(
            c -> {
              JsonObject s = c.getJsonObject("storage");
              s.put("fsync", Config.defaults().getJsonObject("storage").getBoolean("fsync"));
              storageTweaks.accept(s);
              trackerTweaks.accept(c.getJsonObject("tracker"));
            }));
  }

  /** With the whole configuration adjusted (e.g. {@code cluster.secret}). */
  static Servers startWith(Consumer<JsonObject> configTweaks) throws Exception {
    return new Servers(
        SingleNodeServer.start(
            c -> {
              c.getJsonObject("storage")
                  .put("fsync", Config.defaults().getJsonObject("storage").getBoolean("fsync"));
              configTweaks.accept(c);
            }));
  }

  static Servers start() throws Exception {
    return start(s -> {});
  }

  /**
   * Regular files under the data dir outside .tmp and .trash (relative paths, sorted): a deleted
   * file waits in .trash for its unlink behind the answer, invisible to every client.
   */
  List<String> storedFiles() throws IOException {
    List<String> out = new ArrayList<>();
    for (Path p : regularFiles(data)) {
      if (!p.startsWith(tmp) && !p.startsWith(data.resolve(".trash"))) {
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
   * Regular files below {@code dir}. The server keeps working while we look: a temp file it deletes
   * between listing and visiting is simply not there, not an error.
   */
  private static List<Path> regularFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
            if (attrs.isRegularFile()) {
              out.add(file);
            }
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e)
              throws IOException {
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

  /** Waits until .tmp is empty or the time is up; returns what is left. */
  List<String> awaitTmpEmpty(long millis) {
    AtomicReference<List<String>> left = new AtomicReference<>();
    try {
      Awaitility.await()
          .atMost(Duration.ofMillis(millis))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                left.set(tmpFiles());
                return left.get().isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      // the caller asserts on what is left
    }
    return left.get();
  }

  @Override
  public void close() throws Exception {
    node.close();
  }
}
