package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.api.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's API: the group map as JSON, and file events as SSE with the last 50 replayed. */
class ConsoleRoutesTest {
  Vertx vertx;
  HttpServer server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    JsonObject map =
        new JsonObject()
            .put(
                "groups",
                new io.vertx.core.json.JsonArray().add(new JsonObject().put("name", "g1")));
    // mount on an event loop, as the tracker does
    java.util.concurrent.CompletableFuture<HttpServer> started =
        new java.util.concurrent.CompletableFuture<>();
    vertx.runOnContext(
        v -> {
          Router router = Router.router(vertx);
          new ConsoleRoutes(vertx, () -> map).mount(router);
          vertx
              .createHttpServer()
              .requestHandler(router)
              .listen(0, "127.0.0.1")
              .onSuccess(started::complete)
              .onFailure(started::completeExceptionally);
        });
    server = started.get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * The port's root and {@code /console} send a browser to the console's page; nothing else is
   * redirected.
   */
  @Test
  void theRootAndConsoleWithoutASlashLeadToTheConsole() throws Exception {
    String base = "http://127.0.0.1:" + server.actualPort();
    for (String path : List.of("/", "/console")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(302, r.statusCode(), path);
      assertEquals("/console/", r.headers().firstValue("location").orElse(null), path);
    }
    HttpResponse<String> other =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/nothing-here")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(404, other.statusCode(), "not every path");
  }

  @Test
  void groupsAreTheMapAndNewViewersGetTheLastFiftyEventsThenLiveOnes() throws Exception {
    String base = "http://127.0.0.1:" + server.actualPort();
    HttpResponse<String> groups =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/groups")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, groups.statusCode());
    assertEquals(
        "g1",
        new JsonObject(groups.body()).getJsonArray("groups").getJsonObject(0).getString("name"));

    // storages publish batches; a single event is accepted too
    for (int i = 0; i < 40; i++) {
      vertx.eventBus().publish(Addresses.FILE_EVENTS, event(i));
    }
    List<io.dfstree.api.FileEvent> batch = new ArrayList<>();
    for (int i = 40; i < 60; i++) {
      batch.add(io.dfstree.api.FileEvent.fromJson(event(i)));
    }
    vertx.eventBus().publish(Addresses.FILE_EVENTS, io.dfstree.api.FileEvent.batch(batch));
    Thread.sleep(300); // the event bus delivers asynchronously

    HttpResponse<java.io.InputStream> sse =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, sse.statusCode());
    assertTrue(sse.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
      List<String> ids = new ArrayList<>();
      while (ids.size() < 50) {
        String line = in.readLine();
        assertNotNull(line, "stream ended after " + ids.size() + " events");
        if (line.startsWith("data: ")) {
          ids.add(new JsonObject(line.substring(6)).getString("fileId"));
        }
      }
      assertEquals("g1/M00/00/00/f10", ids.get(0), "the oldest 10 of 60 are dropped");
      assertEquals("g1/M00/00/00/f59", ids.get(49));

      vertx
          .eventBus()
          .publish(
              Addresses.FILE_EVENTS,
              io.dfstree.api.FileEvent.batch(
                  List.of(
                      io.dfstree.api.FileEvent.fromJson(event(60)),
                      io.dfstree.api.FileEvent.fromJson(event(61)))));
      for (int want = 60; want <= 61; want++) {
        String line;
        do {
          line = in.readLine();
          assertNotNull(line, "stream ended before the live event");
        } while (!line.startsWith("data: "));
        assertEquals(
            "g1/M00/00/00/f" + want,
            new JsonObject(line.substring(6)).getString("fileId"),
            "live event streamed");
      }
    }
  }

  static JsonObject event(int i) {
    return new JsonObject()
        .put("type", "created")
        .put("fileId", "g1/M00/00/00/f" + i)
        .put("size", i)
        .put("storageId", 1)
        .put("time", 1000L + i);
  }
}
