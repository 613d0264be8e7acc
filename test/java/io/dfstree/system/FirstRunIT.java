package io.dfstree.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user does: {@code java -jar dfstree.jar} with no role, read the banner, run the first
 * command it suggests, download the file back, look at the monitor, stop with Ctrl-C.
 */
class FirstRunIT {
  static final Duration CLI = Duration.ofSeconds(60);
  static final Pattern FILE_ID =
      Pattern.compile("^group1/M00/[0-9A-F]{2}/[0-9A-F]{2}/[A-Za-z0-9_-]{27,}(\\.[A-Za-z0-9]+)?$");

  @TempDir Path diskTemp;

  /**
   * The first start creates 256 x 256 directories in ./data/store0 and the cleanup removes them
   * again; on a busy shared disk that alone took 50 s, so the working directory goes to tmpfs
   * (/dev/shm) when there is one. The product's behaviour is the same on either.
   */
  Path home() throws Exception {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "dfstree-firstrun-");
    }
    return diskTemp;
  }

  static void deleteTree(Path root) throws java.io.IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  void noRoleStartsAllInOneAndTheSuggestedFirstCommandWorks() throws Exception {
    int trackerPort = TestPorts.free();
    int storagePort = TestPorts.free();
    // the all-in-one serves HTTP on 8090 (console) and 8080 (storage) by default; free ports here
    int consolePort = TestPorts.free();
    int storageHttp = TestPorts.free();
    Path home = home();
    Path work = Files.createDirectories(home.resolve("work"));
    long started = System.nanoTime();
    Jar.Server server =
        Jar.Server.start(
            work,
            List.of("-Xmx512m"),
            Map.of(),
            "--set",
            "tracker.port=" + trackerPort,
            "--set",
            "storage.port=" + storagePort,
            "--set",
            "tracker.httpPort=" + consolePort,
            "--set",
            "storage.httpPort=" + storageHttp);
    try {
      server.awaitStarted(Duration.ofSeconds(90));
      long bannerMs = (System.nanoTime() - started) / 1_000_000;
      String banner = server.stdout();
      String tracker = "127.0.0.1:" + trackerPort;
      assertTrue(banner.contains("all-in-one started"), banner);
      assertTrue(banner.contains("tracker  " + tracker), "tracker endpoint in banner\n" + banner);
      assertTrue(
          banner.contains("storage  127.0.0.1:" + storagePort),
          "storage endpoint in banner\n" + banner);
      assertTrue(banner.contains("data in ./data"), "data directory in banner\n" + banner);
      String console = "http://127.0.0.1:" + consolePort + "/console/";
      assertTrue(banner.contains("console  " + console), "console URL in banner\n" + banner);
      assertTrue(
          banner.contains("http     http://127.0.0.1:" + storageHttp + "/group1/"),
          "storage HTTP in banner\n" + banner);
      java.net.http.HttpClient web = java.net.http.HttpClient.newHttpClient();
      java.net.http.HttpResponse<String> page =
          web.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(console)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode(), "the console the banner names answers");
      assertTrue(page.body().contains("DistributedFSTree console"), page.body());

      // the first command, as printed: "java -jar <jar> upload <file> --tracker host:port"
      Matcher m =
          Pattern.compile("java -jar \\S+ (upload) (\\S+) (.*)$", Pattern.MULTILINE)
              .matcher(banner);
      assertTrue(m.find(), "banner suggests an upload command\n" + banner);
      List<String> suggested = new ArrayList<>(List.of(m.group(3).trim().split("\\s+")));
      assertEquals(
          List.of("--tracker", tracker), suggested, "suggested upload points at this tracker");

      Path hello = work.resolve("hello.txt");
      Files.writeString(hello, "hello from the first run\n");
      Jar.Result up = Jar.run(work, CLI, "upload", hello.toString(), "--tracker", tracker);
      assertEquals(0, up.exit(), up.toString());
      String fileId = up.out().trim();
      assertTrue(FILE_ID.matcher(fileId).matches(), "file id on stdout: " + up);
      assertTrue(fileId.endsWith(".txt"), "extension kept: " + fileId);

      // ./data landed in the working directory, and holds the file: under the id's path, or — a
      // small file, packed by default — in its volume under data/packed, named by the trunk id
      String[] parts = fileId.split("/", 3);
      Path stored;
      String remoteName = parts[1] + "/" + parts[2]; // M00/HH/HH/name: what a trunk name spans
      if (io.dfstree.fileid.TrunkId.isTrunkName(remoteName)) {
        io.dfstree.fileid.TrunkId t = io.dfstree.fileid.TrunkId.parse(remoteName);
        stored =
            work.resolve("data/store0/data/packed")
                .resolve(String.format("%08x-%05d.vol", t.sourceKey(), t.volume()));
        assertTrue(Files.size(stored) >= (long) t.offset() + t.slotLength(), "slot in " + stored);
      } else {
        stored = work.resolve("data/store0/data").resolve(parts[2]);
      }
      assertTrue(Files.isRegularFile(stored), "file stored under ./data: " + stored);

      Path back = work.resolve("back.txt");
      Jar.Result down =
          Jar.run(work, CLI, "download", fileId, back.toString(), "--tracker", tracker);
      assertEquals(0, down.exit(), down.toString());
      assertArrayEquals(Files.readAllBytes(hello), Files.readAllBytes(back), "downloaded bytes");
      assertFalse(Files.exists(work.resolve("back.txt.part")), "no partial file left behind");

      // the jar lets Netty make its pooled direct chunks without a Cleaner (Main and the
      // manifest open the way): not zeroed on the event loop that asks for one
      java.net.http.HttpResponse<String> scrape =
          web.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + storageHttp + "/metrics"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      Matcher direct =
          Pattern.compile(
                  "^dfstree_netty_direct_memory_bytes\\{cleaner=\"(\\w+)\",?\\} (\\S+)$",
                  Pattern.MULTILINE)
              .matcher(scrape.body());
      assertTrue(direct.find(), "Netty's direct memory in /metrics\n" + scrape.body());
      assertEquals("none", direct.group(1), "Netty's chunks without a Cleaner: " + direct.group());
      assertTrue(
          Double.parseDouble(direct.group(2)) > 0,
          "Netty's count of the direct memory it holds: " + direct.group());

      // counters travel with the storage's heartbeat (every 2 s): poll a few heartbeats for them
      Pattern row =
          Pattern.compile(
              "127\\.0\\.0\\.1:"
                  + storagePort
                  + "\\s+ACTIVE\\s+\\d+\\s+\\d+\\s+(\\d+/\\d+)\\s+(\\d+/\\d+)");
      AtomicReference<Jar.Result> seen = new AtomicReference<>();
      try {
        // each poll starts a CLI JVM: on a loaded CI machine one start alone took over 15 s
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  Jar.Result polled = Jar.run(work, CLI, "monitor", "--tracker", tracker);
                  seen.set(polled);
                  assertEquals(0, polled.exit(), polled.toString());
                  Matcher found = row.matcher(polled.out());
                  return found.find()
                      && found.group(1).equals("1/1")
                      && found.group(2).equals("1/1");
                });
      } catch (ConditionTimeoutException e) {
        // the assertions below say what is missing
      }
      Jar.Result mon = seen.get();
      assertNotNull(mon, "no `dfstree monitor` run finished within 60 s");
      Matcher r;
      assertTrue(mon.out().contains("group group1"), mon.toString());
      r = row.matcher(mon.out());
      assertTrue(r.find(), "storage ACTIVE in monitor\n" + mon);
      assertEquals("1/1", r.group(1), "uploads ok/all reach the tracker\n" + mon);
      assertEquals("1/1", r.group(2), "downloads ok/all reach the tracker\n" + mon);

      // Ctrl-C / SIGTERM: clean exit within 20 s
      long t0 = System.nanoTime();
      server.process.destroy();
      boolean exited = server.process.waitFor(20, TimeUnit.SECONDS);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(exited, "server still running 20 s after SIGTERM\n" + server.output());
      System.out.printf(
          "FirstRunIT: banner after %d ms (first start, in %s), upload %d ms, download %d ms, monitor %d ms, SIGTERM -> exit in %d ms (code %d)%n",
          bannerMs, home, up.millis(), down.millis(), mon.millis(), ms, server.process.exitValue());
      assertFalse(
          server.stdout().contains("Exception") || server.stderr().contains("Exception"),
          "no exception while running or stopping\n" + server.output());
    } finally {
      server.close();
      if (!home.equals(diskTemp)) {
        deleteTree(home);
      }
    }
  }
}
