package io.dfstree.embedded;

import io.dfstree.SingleNodeServer;
import java.util.Random;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class whose tests share one embedded node, reached through the official Java client
 * (configured here) or raw sockets. JUnit runs the superclass's {@code @BeforeAll} first and its
 * {@code @AfterAll} last, so subclasses may add their own around the server.
 */
abstract class SingleNodeTest {
  static final String GROUP = SingleNodeServer.GROUP;
  static SingleNodeServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = SingleNodeServer.start();
    ClientGlobal.initByTrackers(server.trackerAddress());
    ClientGlobal.g_connect_timeout = 5000;
    ClientGlobal.g_network_timeout = 10_000;
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** A storage client that asks the tracker where to go. */
  static StorageClient storage() {
    return new StorageClient(null, null);
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
