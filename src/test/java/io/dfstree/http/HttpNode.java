package io.dfstree.http;

import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An all-in-one node with HTTP on both the storage and the tracker, and a plain JDK HTTP client.
 */
final class HttpNode implements AutoCloseable {
  final SingleNodeServer server;
  final int storageHttp;
  final int trackerHttp;
  final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private HttpNode(SingleNodeServer server, int storageHttp, int trackerHttp) {
    this.server = server;
    this.storageHttp = storageHttp;
    this.trackerHttp = trackerHttp;
  }

  static HttpNode start(Consumer<JsonObject> http) throws Exception {
    return start(http, storage -> {});
  }

  /** With {@code storage} customizing the whole storage section too. */
  static HttpNode start(Consumer<JsonObject> http, Consumer<JsonObject> storage) throws Exception {
    int sp = TestPorts.free();
    int tp = TestPorts.free();
    SingleNodeServer s =
        SingleNodeServer.start(
            c -> {
              c.getJsonObject("tracker").put("httpPort", tp);
              JsonObject st = c.getJsonObject("storage").put("httpPort", sp).put("eventLoops", 2);
              JsonObject h = st.getJsonObject("http", new JsonObject());
              st.put("http", h);
              http.accept(h);
              storage.accept(st);
            });
    return new HttpNode(s, sp, tp);
  }

  String url(String path) {
    return "http://127.0.0.1:" + storageHttp + path;
  }

  HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
    return client.send(
        b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path))).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  /** Uploads raw bytes; returns the JSON answer (fails the test on a non-200). */
  JsonObject upload(byte[] data, String query, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url("/group1/upload" + query)))
            .POST(HttpRequest.BodyPublishers.ofByteArray(data));
    if (headers.length > 0) {
      b.headers(headers);
    }
    HttpResponse<byte[]> r = send(b);
    if (r.statusCode() != 200) {
      throw new AssertionError("upload answered " + r.statusCode() + ": " + new String(r.body()));
    }
    return new JsonObject(new String(r.body()));
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    return new JsonObject(new String(r.body()));
  }

  static JsonArray jsonArray(HttpResponse<byte[]> r) {
    return new JsonArray(new String(r.body()));
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Regular files under the store path's data directory (temp and sync bookkeeping excluded). */
  long storedFiles() throws IOException {
    Path data = server.dataDir().resolve("store0").resolve("data");
    long[] count = {0};
    // walkFileTree, pruning .tmp, .trash and sync: the server deletes temp files while we look
    Files.walkFileTree(
        data,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult preVisitDirectory(
              Path dir, java.nio.file.attribute.BasicFileAttributes attrs) {
            return dir.equals(data.resolve(".tmp"))
                    || dir.equals(data.resolve(".trash")) // deleted, waiting for the unlink
                    || dir.equals(data.resolve("sync"))
                ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                : java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(".")) {
              count[0]++;
            }
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, java.io.IOException e) {
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
    return count[0];
  }

  /** Regular files in the temp directories (uploads in flight). */
  long tempFiles() throws IOException {
    try (Stream<Path> w =
        Files.walk(server.dataDir().resolve("store0").resolve("data").resolve(".tmp"))) {
      return w.filter(Files::isRegularFile).count();
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
