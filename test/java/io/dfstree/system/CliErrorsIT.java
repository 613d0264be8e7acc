package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exit codes a script can rely on: the server's errno for FastDFS errors, 111 when nobody listens.
 */
class CliErrorsIT {
  static final Duration CLI = Duration.ofSeconds(60);

  /** 44 characters after the group, well-formed (base64 payload, extension), never uploaded. */
  static final String MISSING = "group1/M00/00/00/wKgAAmVZ8ZiAAAAAAAAAAAAAAAA123.txt";

  @TempDir static Path dir;
  static Jar.Server server;
  static String tracker;

  @BeforeAll
  static void startServer() throws Exception {
    int trackerPort = TestPorts.free();
    tracker = "127.0.0.1:" + trackerPort;
    server =
        Jar.Server.start(
            dir,
            List.of("-Xmx256m"),
            Map.of(),
            "all-in-one",
            "--set",
            "tracker.port=" + trackerPort,
            "--set",
            "storage.port=" + TestPorts.free(),
            "--set",
            "storage.storePaths=" + dir.resolve("store"),
            "--set",
            "storage.subdirCount=4",
            "--set",
            "tracker.httpPort=0",
            "--set",
            "storage.httpPort=0"); // not the all-in-one's 8090/8080
    server.awaitStarted(Duration.ofSeconds(60));
    server.awaitOutput("-> ACTIVE", Duration.ofSeconds(10));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void downloadOfAMissingFileExitsWithEnoent() throws Exception {
    assertEquals(44, MISSING.substring("group1/".length()).length());
    Jar.Result r =
        Jar.run(
            dir, CLI, "download", MISSING, dir.resolve("x.txt").toString(), "--tracker", tracker);
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().startsWith("error: ENOENT"), r.toString());
    assertEquals("", r.out(), r.toString());
    assertFalse(
        Files.exists(dir.resolve("x.txt")) || Files.exists(dir.resolve("x.txt.part")),
        "no local file left for a failed download");
  }

  @Test
  void downloadOfADeletedFileExitsWithEnoent() throws Exception {
    Path f = dir.resolve("gone.txt");
    Files.writeString(f, "short-lived\n");
    Jar.Result up = Jar.run(dir, CLI, "upload", f.toString(), "--tracker", tracker);
    assertEquals(0, up.exit(), up.toString());
    String id = up.out().trim();
    Jar.Result del = Jar.run(dir, CLI, "delete", id, "--tracker", tracker);
    assertEquals(0, del.exit(), del.toString());
    Jar.Result r =
        Jar.run(
            dir, CLI, "download", id, dir.resolve("gone2.txt").toString(), "--tracker", tracker);
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().startsWith("error: ENOENT"), r.toString());
  }

  @Test
  void noTrackerListeningExitsWith111() throws Exception {
    int nobody = TestPorts.free();
    Path f = dir.resolve("any.txt");
    Files.writeString(f, "x");
    Jar.Result r = Jar.run(dir, CLI, "upload", f.toString(), "--tracker", "127.0.0.1:" + nobody);
    assertEquals(111, r.exit(), r.toString());
    String line = r.err().strip();
    assertTrue(line.startsWith("error: ECONNREFUSED"), r.toString());
    assertTrue(line.contains("127.0.0.1:" + nobody), "names the address it tried\n" + r);
    assertEquals(1, line.lines().count(), "one line, no stack trace\n" + r);
  }
}
