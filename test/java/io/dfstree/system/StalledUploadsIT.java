package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The out-of-memory attack of issue 10 at small scale: a node with a small heap, and hundreds of
 * connections that each declare a 1 MiB upload, send ~260 KB and stall. Before, every stalled
 * upload kept its bytes queued in heap (below the 256 KiB write batch) and the node ran out of
 * memory on every event loop; now a stalled upload's bytes are written out and the node keeps
 * answering /health, the tracker and the storage, and gives back its descriptors when the attacker
 * leaves.
 */
class StalledUploadsIT {
  static final int CONNECTIONS = 600;
  static final int SENT = 260_000;

  @Test
  void theNodeStaysResponsiveUnderHundredsOfStalledUploads() throws Exception {
    Path work = Files.createTempDirectory("dfstree-stalled");
    int trackerPort = io.dfstree.TestPorts.free();
    int storagePort = io.dfstree.TestPorts.free();
    int httpPort = io.dfstree.TestPorts.free();
    Jar.Server server =
        Jar.Server.start(
            work,
            List.of("-Xmx128m"),
            Map.of(),
            "--set",
            "tracker.port=" + trackerPort,
            "--set",
            "storage.port=" + storagePort,
            "--set",
            "storage.httpPort=" + httpPort);
    List<Socket> attackers = new ArrayList<>();
    try {
      long t0 = System.nanoTime();
      server.awaitStarted(Duration.ofSeconds(90));
      System.out.printf(
          "StalledUploadsIT: started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
      activeTest(trackerPort);
      activeTest(storagePort);
      long fdsBefore = descriptors(server.pid());

      // an upload (11) of 1 MiB to store path 0: header and fixed part, the content to follow
      byte[] header =
          io.dfstree.protocol.StorageCodec.encode(
                  new io.dfstree.protocol.StorageRequest.Upload(false, 0, 1 << 20, "bin"))
              .getBytes();
      byte[] content = new byte[SENT];
      long started = System.nanoTime();
      for (int i = 0;
          i < CONNECTIONS && System.nanoTime() - started < Duration.ofSeconds(60).toNanos();
          i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", storagePort), 5000);
        attackers.add(s);
        s.getOutputStream().write(header);
        s.getOutputStream().write(content);
      }
      assertEquals(CONNECTIONS, attackers.size(), "attack connections opened");
      System.out.printf(
          "StalledUploadsIT: %d connections x %d bytes sent in %d ms%n",
          CONNECTIONS, SENT, (System.nanoTime() - started) / 1_000_000);
      Thread.sleep(2000);

      // the node still answers, on every port
      HttpResponse<String> health =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      System.out.printf(
          "StalledUploadsIT: /health %d after %d ms%n",
          health.statusCode(), (System.nanoTime() - started) / 1_000_000);
      activeTest(trackerPort);
      activeTest(storagePort);
      assertFalse(server.output().contains("OutOfMemoryError"), server.output());

      for (Socket s : attackers) {
        s.close();
      }
      attackers.clear();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      long fds = descriptors(server.pid());
      while (fds > fdsBefore + 20 && System.nanoTime() < deadline) {
        Thread.sleep(200);
        fds = descriptors(server.pid());
      }
      System.out.printf(
          "StalledUploadsIT: descriptors %d before, %d after the attacker left (%d ms)%n",
          fdsBefore, fds, (System.nanoTime() - started) / 1_000_000);
      assertTrue(
          fds <= fdsBefore + 20,
          "descriptors before " + fdsBefore + ", after the attacker left " + fds);
      // the server removes the temp files as it closes the connections: poll, and a file gone
      // between listing and visiting is simply gone
      long tmpDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      long left = tempFiles(work.resolve("data/store0/data/.tmp"));
      while (left > 0 && System.nanoTime() < tmpDeadline) {
        Thread.sleep(200);
        left = tempFiles(work.resolve("data/store0/data/.tmp"));
      }
      assertEquals(0, left, "partial uploads removed");
      activeTest(storagePort);
    } catch (Throwable t) {
      System.out.println("StalledUploadsIT: server output\n" + server.output());
      throw t;
    } finally {
      for (Socket s : attackers) {
        s.close();
      }
      Jar.stop(server.process, Duration.ofSeconds(10));
      FirstRunIT.deleteTree(work);
    }
  }

  static long tempFiles(Path tmp) throws IOException {
    try (var walk = Files.walk(tmp)) {
      return walk.filter(Files::isRegularFile).count();
    } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException raced) {
      return Long.MAX_VALUE; // changed while we looked: look again
    }
  }

  static long descriptors(long pid) throws IOException {
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return fds.count();
    }
  }

  /** ACTIVE_TEST on a new connection, answered within 10 s. */
  static void activeTest(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(ByteBuffer.allocate(10).putLong(0).put((byte) 111).put((byte) 0).array());
      DataInputStream in = new DataInputStream(s.getInputStream());
      assertEquals(0, in.readLong(), "ACTIVE_TEST body length on port " + port);
      assertEquals(100, in.readByte());
      assertEquals(0, in.readByte(), "ACTIVE_TEST status on port " + port);
    }
  }
}
