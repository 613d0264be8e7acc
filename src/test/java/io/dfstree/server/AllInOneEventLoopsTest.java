package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.Deployable;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.deployment.DeploymentContext;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
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

  @Test
  void theStorageListenersDoNotShareTheTrackersEventLoop() throws Exception {
    try (SingleNodeServer node =
        SingleNodeServer.start(
            c -> {
              // as `serve` runs it: both HTTP ports on (the console's routes make an HTTP client)
              c.getJsonObject("tracker").put("httpPort", TestPorts.free());
              c.getJsonObject("storage").put("httpPort", TestPorts.free());
              c.getJsonObject("s3").put("port", 0); // deployed after both, it cannot move them
            })) {
      VertxInternal vertx = (VertxInternal) node.vertx();
      Set<EventLoop> tracker = loopsOf(vertx, "io.dfstree.tracker.TrackerVerticle");
      Set<EventLoop> listeners = loopsOf(vertx, "io.dfstree.storage.StorageServerVerticle");
      int eventLoops = node.config().getJsonObject("storage").getInteger("eventLoops");
      assertEquals(1, tracker.size(), "the tracker's event loops");
      assertEquals(
          eventLoops, listeners.size(), "each storage listener on an event loop of its own");
      assertTrue(
          Collections.disjoint(tracker, listeners),
          "a storage listener shares the tracker's event loop " + tracker);
    }
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
