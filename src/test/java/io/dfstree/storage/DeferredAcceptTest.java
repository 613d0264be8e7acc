package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dfstree.SingleNodeServer;
import io.dfstree.protocol.Command;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.SameLoopListener;
import io.dfstree.server.Launcher;
import io.micrometer.core.instrument.Gauge;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The storage port accepts a connection once its first bytes arrive ({@code TCP_DEFER_ACCEPT}):
 * the official client's connection per operation then costs the event loop one wake-up (accept,
 * set-up and request together) instead of two (benchmark/PROFILE.md, "delcpu"). Counted with
 * Vert.x's own meter of the connections the storage's listeners hold.
 */
class DeferredAcceptTest {
  @Test
  void aConnectionIsAcceptedWhenItsRequestArrivesNotAtConnect() throws Exception {
    try (SingleNodeServer server = SingleNodeServer.start()) {
      assumeTrue(SameLoopListener.available(server.vertx()), "native epoll");
      Thread.sleep(500); // the tracker's probe connection to the storage port is settled
      double before = activeConnections(server);
      try (Socket s = new Socket("127.0.0.1", server.storagePort())) {
        s.setSoTimeout(10_000);
        Thread.sleep(400); // connected in the kernel; without the option the loop accepted it
        assertEquals(before, activeConnections(server), "accepted before any byte arrived");
        s.getOutputStream().write(new PacketHeader(0, Command.ACTIVE_TEST, (byte) 0).toBytes());
        InputStream in = s.getInputStream();
        byte[] answer = in.readNBytes(10);
        assertEquals(10, answer.length, "ACTIVE_TEST answered");
        assertEquals(0, answer[9], "status");
        assertEquals(before + 1, activeConnections(server), "accepted with its request");
      }
    }
  }

  private static double activeConnections(SingleNodeServer server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
    double sum;
    do {
      sum = 0;
      for (Gauge g :
          Launcher.meterRegistry(server.vertx())
              .find("vertx.net.server.active.connections")
              .gauges()) {
        sum += g.value();
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return sum;
  }
}
