package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tracker's redirect, and /metrics, /health, /ready on both HTTP ports. */
class TrackerAndOperationsTest {
  static HttpNode node;
  static byte[] content = HttpNode.random(4096, 21);
  static String url;

  @BeforeAll
  static void start() throws Exception {
    node = HttpNode.start(h -> {});
    url = node.upload(content, "?ext=png").getString("url");
    // wait until the tracker has a heartbeat carrying the httpPort
    Thread.sleep(600);
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private HttpResponse<byte[]> tracker(String path, HttpClient client) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.trackerHttp + path)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void trackerRedirectsToTheStorageHttpPort() throws Exception {
    HttpResponse<byte[]> r = tracker(url + "?filename=a.png", node.client);
    assertEquals(302, r.statusCode());
    assertEquals(
        "http://127.0.0.1:" + node.storageHttp + url + "?filename=a.png",
        r.headers().firstValue("Location").orElse(""));
    HttpClient following =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    assertArrayEquals(content, tracker(url, following).body());
  }

  @Test
  void trackerRejectsABadFileId() throws Exception {
    assertEquals(400, tracker("/group1/M00/00/00/short.png", node.client).statusCode());
  }

  @Test
  void metricsCarryTheCustomMetersAfterTraffic() throws Exception {
    node.get(url);
    node.get("/group1/M00/00/00/bad.png");
    String m = new String(node.get("/metrics").body());
    for (String name :
        new String[] {
          "dfstree_uploads_total{",
          "dfstree_downloads_total{",
          "dfstree_upload_bytes_total",
          "dfstree_download_bytes_total",
          "dfstree_upload_seconds_bucket",
          "dfstree_download_seconds_bucket",
          "dfstree_store_free_bytes{path=\"M00\"}",
          "dfstree_open_connections{protocol=\"http\"}",
          "dfstree_open_connections{protocol=\"fdfs\"}",
          "vertx_http_server_requests_total"
        }) {
      assertTrue(m.contains(name), name + " missing from /metrics");
    }
    assertTrue(m.contains("dfstree_downloads_total{outcome=\"success\",protocol=\"http\"}"), m);
    String t = new String(tracker("/metrics", node.client).body());
    assertTrue(t.contains("vertx_"), "tracker /metrics has Vert.x meters");
  }

  @Test
  void healthAndReadyAreUpJson() throws Exception {
    for (HttpResponse<byte[]> r :
        new HttpResponse[] {
          node.get("/health"),
          node.get("/ready"),
          tracker("/health", node.client),
          tracker("/ready", node.client)
        }) {
      assertEquals(200, r.statusCode());
      assertEquals("UP", new JsonObject(new String(r.body())).getString("outcome"));
    }
    assertTrue(new String(node.get("/health").body()).contains("disk:"));
  }
}
