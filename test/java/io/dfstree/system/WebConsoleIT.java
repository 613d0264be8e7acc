package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker's web console in a real headless Chromium: starts the jar all-in-one with both HTTP
 * ports on, then runs {@code test/console/console.spec.mjs} (playwright-core, installed by
 * {@code npm ci --prefix test/console}; Chromium at /usr/bin/chromium, both installed by .ci/run).
 * The script checks the storage table, a WebSocket upload with its progress bar, the live
 * "created" event, the download through the tracker's redirect, and saves
 * target/console-screenshot.png.
 */
class WebConsoleIT {
  static final Duration NODE_TIMEOUT = Duration.ofSeconds(120);

  @TempDir Path diskTemp;

  Path home() throws Exception {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "dfstree-console-");
    }
    return diskTemp;
  }

  @Test
  void consoleShowsTheClusterUploadsFromTheBrowserAndStreamsEvents() throws Exception {
    Path project = Path.of("").toAbsolutePath();
    Path spec = project.resolve("test/console/console.spec.mjs");
    assertTrue(Files.isRegularFile(spec), spec + " missing");
    assertTrue(Files.isDirectory(project.resolve("test/console/node_modules/playwright-core")),
        "playwright-core not installed: run `npm ci --prefix test/console` (.ci/run does)");
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertTrue(Files.isExecutable(Path.of(chromium)), chromium + " missing: apt-get install -y chromium (.ci/run does)");

    int trackerPort = TestPorts.free();
    int storagePort = TestPorts.free();
    int trackerHttp = TestPorts.free();
    int storageHttp = TestPorts.free();
    Path home = home();
    Path work = Files.createDirectories(home.resolve("work"));
    Path screenshot = project.resolve("target/console-screenshot.png");
    Files.deleteIfExists(screenshot);
    Jar.Server server = Jar.Server.start(work, List.of("-Xmx512m"), Map.of(),
        "--set", "tracker.port=" + trackerPort, "--set", "storage.port=" + storagePort,
        "--set", "tracker.httpPort=" + trackerHttp, "--set", "storage.httpPort=" + storageHttp,
        "--set", "storage.subdirCount=16");
    try {
      server.awaitStarted(Duration.ofSeconds(60));
      String base = "http://127.0.0.1:" + trackerHttp;

      // the API the page uses, checked directly too: the group map carries the storage's HTTP port
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> groups = http.send(HttpRequest.newBuilder(URI.create(base + "/api/groups"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, groups.statusCode(), groups.body());
      assertTrue(groups.body().contains("\"httpPort\":" + storageHttp), "httpPort in the group map: " + groups.body());
      HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/console/"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
      assertTrue(page.body().contains("app.js"), "index.html served: " + page.body());

      Path log = Files.createTempFile(home, "node", ".log");
      ProcessBuilder pb = new ProcessBuilder("node", spec.toString()).directory(project.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("CONSOLE_URL", base + "/console/");
      pb.environment().put("SCREENSHOT", screenshot.toString());
      pb.environment().put("CHROMIUM", chromium);
      long t0 = System.nanoTime();
      Process node = pb.start();
      boolean done = node.waitFor(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly();
        node.waitFor(10, TimeUnit.SECONDS);
      }
      String out = Files.readString(log);
      assertTrue(done, "browser test did not finish within " + NODE_TIMEOUT + "\n" + out + server.output());
      assertEquals(0, node.exitValue(), "browser test failed\n" + out + "\n" + server.output());
      System.out.printf("WebConsoleIT: browser test %d ms: %s", (System.nanoTime() - t0) / 1_000_000, out);
      assertTrue(out.contains("console e2e ok: group1/M00/"), out);
      assertTrue(Files.isRegularFile(screenshot), "screenshot " + screenshot);
      assertTrue(Files.size(screenshot) > 1000, "screenshot is not empty: " + Files.size(screenshot) + " bytes");
    } finally {
      server.close();
      if (!home.equals(diskTemp)) {
        FirstRunIT.deleteTree(home);
      }
    }
  }
}
