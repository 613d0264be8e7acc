package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dfstree.TestPorts;
import io.dfstree.protocol.SameLoopListener;
import io.dfstree.server.Launcher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.net.Socket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The tracker accepts its connections on its own event loop ({@link SameLoopListener}): a client
 * that opens a tracker connection per operation pays no hand-off from Vert.x's acceptor thread,
 * which with only the tracker deployed is never even started.
 */
class TrackerAcceptTest {
  private static final byte ACTIVE_TEST = 111;

  @Test
  void connectionsAreServedWithoutVertxsAcceptorThread() throws Exception {
    Set<Thread> before = acceptorThreads();
    Vertx vertx = Launcher.createVertx(new JsonObject(), false).await(10, TimeUnit.SECONDS);
    try {
      assumeTrue(SameLoopListener.available(vertx), "native epoll");
      int port = TestPorts.free();
      vertx
          .deployVerticle(new TrackerVerticle(), new DeploymentOptions().setConfig(config(port)))
          .await(10, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          s.setSoTimeout(10_000);
          s.getOutputStream().write(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, ACTIVE_TEST, 0});
          byte[] answer = new byte[10];
          new DataInputStream(s.getInputStream()).readFully(answer);
          assertEquals(0, answer[9], "status of the active test");
        }
      }
      Set<Thread> started = acceptorThreads();
      started.removeAll(before);
      assertEquals(Set.of(), started, "Vert.x acceptor threads this tracker started");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Set<Thread> acceptorThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("vert.x-acceptor-thread")) {
        threads.add(t);
      }
    }
    return threads;
  }

  private static JsonObject config(int port) {
    return new JsonObject()
        .put("host", "127.0.0.1")
        .put("port", port)
        .put("listLayout", "legacy")
        .put("allowHosts", new JsonArray());
  }
}
