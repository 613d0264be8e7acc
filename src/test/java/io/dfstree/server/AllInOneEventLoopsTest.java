package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.ListeningSockets;
import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import io.dfstree.fileid.FileName;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.deployment.DeploymentContext;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where the all-in-one's FastDFS listeners run. Vert.x places each verticle instance on the next
 * event loop of a round robin that anything else taking a context also advances (a Vert.x 5 HTTP
 * client does): one such context more while the node started put one of the storage's two
 * listeners on the tracker's event loop, so every official-client upload (a tracker query, then a
 * storage connection) queued half of its storage work behind the tracker's and the plain single-node
 * upload ran at 0.81-0.85x of the jar before the refactor (benchmark/PROFILE.md, "The storage's
 * listeners on the tracker's event loop"). The tracker and the storage's listeners get loops of
 * their own, as they did before.
 */
class AllInOneEventLoopsTest {
  private static SingleNodeServer node;

  @BeforeAll
  static void start() throws Exception {
    node =
        SingleNodeServer.start(
            c -> {
              // as `serve` runs it: both HTTP ports on (the console's routes make an HTTP client)
              c.getJsonObject("tracker").put("httpPort", TestPorts.free());
              c.getJsonObject("storage").put("httpPort", TestPorts.free());
              c.getJsonObject("s3").put("port", 0); // deployed after both, it cannot move them
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void theStorageListenersDoNotShareTheTrackersEventLoop() {
    VertxInternal vertx = (VertxInternal) node.vertx();
    Set<EventLoop> tracker = loopsOf(vertx, "io.dfstree.tracker.TrackerVerticle");
    Set<EventLoop> listeners = loopsOf(vertx, "io.dfstree.storage.StorageServerVerticle");
    int eventLoops = node.config().getJsonObject("storage").getInteger("eventLoops");
    assertEquals(1, tracker.size(), "the tracker's event loops");
    assertEquals(eventLoops, listeners.size(), "each storage listener on an event loop of its own");
    assertTrue(
        Collections.disjoint(tracker, listeners),
        "a storage listener shares the tracker's event loop " + tracker);
  }

  /**
   * Each storage listener binds a socket of its own on the storage port (SO_REUSEPORT) and accepts
   * on its event loop ({@code SameLoopListener}); with Vert.x's NetServer the port had one socket,
   * accepted on Vert.x's acceptor thread and handed to a listener's loop.
   */
  @Test
  void eachStorageListenerBindsASocketOfItsOwnOnTheStoragePort() {
    int eventLoops = node.config().getJsonObject("storage").getInteger("eventLoops");
    assertTrue(eventLoops > 1, "the default runs more than one listener: " + eventLoops);
    assertEquals(eventLoops, ListeningSockets.on(node.storagePort()), "sockets on the port");
  }

  /**
   * The console's file lookup still asks the storage over HTTP: its client is made at the first
   * lookup now, not at start.
   */
  @Test
  void theConsoleLookupAsksTheStorageWithTheClientItMakesOnFirstUse() throws Exception {
    int storageId = Integer.parseInt(SingleNodeServer.STORAGE_ID);
    int now = (int) (System.currentTimeMillis() / 1000);
    String remote = FileName.generate(0, 0, 0, storageId, now, 4, 7, false, "txt");
    int port = node.config().getJsonObject("tracker").getInteger("httpPort");
    HttpResponse<String> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + port
                                + "/api/file?id="
                                + SingleNodeServer.GROUP
                                + "/"
                                + remote))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode(), res.body());
    JsonObject body = new JsonObject(res.body());
    assertEquals(false, body.getBoolean("exists"), res.body());
    assertEquals(
        "storage " + SingleNodeServer.STORAGE_ID + " has no such file",
        body.getString("problem"),
        "the storage's own HEAD answer, through the tracker's client");
  }

  /** The event loops of every instance of the verticle class {@code className}. */
  private static Set<EventLoop> loopsOf(VertxInternal vertx, String className) {
    Set<EventLoop> loops = new HashSet<>();
    for (DeploymentContext d : vertx.deploymentManager().deployments()) {
      boolean ofClass = false;
      for (Deployable v : d.deployment().instances()) {
        ofClass |= v.getClass().getName().equals(className);
      }
      if (ofClass) {
        for (Context ctx : d.deployment().contexts()) {
          loops.add(((ContextInternal) ctx).nettyEventLoop());
        }
      }
    }
    return loops;
  }
}
