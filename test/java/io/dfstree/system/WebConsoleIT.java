package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tracker's web console in a real headless Chromium: starts the jar all-in-one with both HTTP
 * ports on, then runs {@code test/console/console.spec.mjs} (playwright-core, installed by {@code
 * npm ci --prefix test/console}; Chromium at /usr/bin/chromium, both installed by .ci/run). The
 * script checks the storage table, a WebSocket upload with its progress bar, the live "created"
 * event, the download through the tracker's redirect, the last-hour charts moving, the file lookup
 * and metadata, storage details, delete with confirmation, and saves a screenshot. The second test
 * does all of it over HTTPS (a self-signed certificate made with openssl at test time on both HTTP
 * ports and S3), plus curl against every port with that certificate as its CA (S3 signed with
 * curl's SigV4, then listed with the aws CLI).
 */
class WebConsoleIT {
  static final Duration NODE_TIMEOUT = Duration.ofSeconds(240);

  @TempDir Path diskTemp;

  Path home() throws Exception {
    Path shm = Path.of("/dev/shm");
    if (Files.isDirectory(shm) && Files.isWritable(shm)) {
      return Files.createTempDirectory(shm, "dfstree-console-");
    }
    return diskTemp;
  }

  @Test
  void consoleShowsTheClusterUploadsFromTheBrowserChartsLooksUpAndDeletes() throws Exception {
    runConsole(null, "target/console-screenshot.png");
  }

  @Test
  void theSameOverHttpsWithASelfSignedCertificate() throws Exception {
    Path cert = io.dfstree.TestCertificates.selfSigned(diskTemp.resolve("tls")).cert();
    runConsole(cert, "target/console-screenshot-https.png");
  }

  /**
   * Bucket {@code photos} for the S3 browser: 23 objects under {@code 2026/} (two pages of 20),
   * {@code docs/a.txt} and {@code readme.txt}, each with {@code x-amz-meta-author}; one curl.
   */
  private static void seedBrowserObjects(Path work, String endpoint, String user, Path cert)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "curl",
                "-sS",
                "--fail-with-body",
                "--max-time",
                "60",
                "--aws-sigv4",
                "aws:amz:us-east-1:s3",
                "--user",
                user,
                "-H",
                "x-amz-content-sha256: UNSIGNED-PAYLOAD"));
    if (cert != null) {
      cmd.addAll(List.of("--cacert", cert.toString()));
    }
    Proc mb =
        Proc.run(work, Duration.ofSeconds(60), concat(cmd, "-X", "PUT", endpoint + "/photos"));
    assertEquals(0, mb.exit(), "create bucket photos: " + mb);
    List<String> puts = new ArrayList<>(cmd);
    puts.addAll(List.of("-H", "x-amz-meta-author: console-e2e"));
    for (int i = 0; i < 23; i++) {
      String name = String.format("cat-%02d.txt", i);
      puts.addAll(
          List.of(
              "-T",
              Files.writeString(work.resolve(name), "cat " + i + "\n").toString(),
              endpoint + "/photos/2026/" + name));
    }
    puts.addAll(
        List.of(
            "-T",
            Files.writeString(work.resolve("a.txt"), "doc a\n").toString(),
            endpoint + "/photos/docs/a.txt"));
    puts.addAll(
        List.of(
            "-T",
            Files.writeString(work.resolve("readme.txt"), "read me\n").toString(),
            endpoint + "/photos/readme.txt"));
    Proc put = Proc.run(work, Duration.ofSeconds(120), puts.toArray(String[]::new));
    assertEquals(0, put.exit(), "put the browser's objects: " + put);
  }

  private static String[] concat(List<String> head, String... tail) {
    List<String> all = new ArrayList<>(head);
    all.addAll(List.of(tail));
    return all.toArray(String[]::new);
  }

  private void runConsole(Path cert, String screenshotName) throws Exception {
    Path project = Path.of("").toAbsolutePath();
    Path spec = project.resolve("test/console/console.spec.mjs");
    assertTrue(Files.isRegularFile(spec), spec + " missing");
    assertTrue(
        Files.isDirectory(project.resolve("test/console/node_modules/playwright-core")),
        "playwright-core not installed: run `npm ci --prefix test/console` (.ci/run does)");
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertTrue(
        Files.isExecutable(Path.of(chromium)),
        chromium + " missing: apt-get install -y chromium (.ci/run does)");

    boolean tls = cert != null;
    int trackerPort = TestPorts.free();
    int storagePort = TestPorts.free();
    int trackerHttp = TestPorts.free();
    int storageHttp = TestPorts.free();
    Path home = home();
    Path work = Files.createDirectories(home.resolve("work"));
    Path screenshot = project.resolve(screenshotName);
    Files.deleteIfExists(screenshot);
    List<String> args =
        new ArrayList<>(
            List.of(
                "--set",
                "tracker.port=" + trackerPort,
                "--set",
                "storage.port=" + storagePort,
                "--set",
                "tracker.httpPort=" + trackerHttp,
                "--set",
                "storage.httpPort=" + storageHttp,
                "--set",
                "storage.subdirCount=16"));
    int s3Port = TestPorts.free();
    args.addAll(List.of("--set", "s3.port=" + s3Port));
    if (tls) {
      Path key = cert.resolveSibling("key.pem");
      args.addAll(
          List.of(
              "--set",
              "tracker.http.tls.cert=" + cert,
              "--set",
              "tracker.http.tls.key=" + key,
              "--set",
              "storage.http.tls.cert=" + cert,
              "--set",
              "storage.http.tls.key=" + key,
              "--set",
              "s3.tls.cert=" + cert,
              "--set",
              "s3.tls.key=" + key));
    }
    Jar.Server server =
        Jar.Server.start(work, List.of("-Xmx512m"), Map.of(), args.toArray(String[]::new));
    try {
      server.awaitStarted(Duration.ofSeconds(60));
      String scheme = tls ? "https" : "http";
      String base = scheme + "://127.0.0.1:" + trackerHttp;
      assertTrue(
          server.stdout().contains("console  " + base + "/console/"),
          "banner names the console\n" + server.output());

      // S3 with the key pair the banner prints; objects for the console's bucket browser (curl's
      // own SigV4)
      java.util.regex.Matcher s3 =
          java.util.regex.Pattern.compile("s3 +(https?://\\S+)  access key (\\S+)  secret (\\S+)")
              .matcher(server.stdout());
      assertTrue(s3.find(), "banner names the S3 endpoint\n" + server.stdout());
      seedBrowserObjects(work, s3.group(1), s3.group(2) + ":" + s3.group(3), cert);

      if (tls) {
        // curl, trusting only our certificate: both ports speak HTTPS, plain HTTP gets nowhere
        Proc page =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--max-time",
                "30",
                "--cacert",
                cert.toString(),
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                base + "/console/");
        assertEquals("200", page.out().trim(), "curl https console: " + page);
        Path f = Files.writeString(work.resolve("tls.txt"), "over tls\n");
        String storage = "https://127.0.0.1:" + storageHttp;
        Proc up =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--max-time",
                "30",
                "--cacert",
                cert.toString(),
                "--data-binary",
                "@" + f,
                storage + "/group1/upload?ext=txt");
        assertEquals(0, up.exit(), "curl https upload: " + up);
        String fileId = new io.vertx.core.json.JsonObject(up.out()).getString("fileId");
        Proc down =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "-L",
                "--max-time",
                "30",
                "--cacert",
                cert.toString(),
                base + "/" + fileId);
        assertEquals(
            "over tls\n", down.out(), "download through the tracker's https redirect: " + down);
        Proc plain =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--max-time",
                "10",
                "http://127.0.0.1:" + storageHttp + "/health");
        assertNotEquals(
            "0", String.valueOf(plain.exit()), "plain HTTP to the TLS port must fail: " + plain);
        Proc untrusted =
            Proc.run(
                work, Duration.ofSeconds(60), "curl", "-sS", "--max-time", "10", base + "/health");
        assertEquals(
            60,
            untrusted.exit(),
            "curl without the CA rejects the self-signed certificate: " + untrusted);

        // S3 over HTTPS, signed with the key pair the banner prints (curl's own SigV4)
        assertEquals("https://127.0.0.1:" + s3Port, s3.group(1));
        String sign = "aws:amz:us-east-1:s3";
        String user = s3.group(2) + ":" + s3.group(3);
        Proc mb =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--fail-with-body",
                "--max-time",
                "30",
                "--cacert",
                cert.toString(),
                "--aws-sigv4",
                sign,
                "--user",
                user,
                "-H",
                "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                "-X",
                "PUT",
                s3.group(1) + "/tlsbucket");
        assertEquals(0, mb.exit(), "create a bucket over https: " + mb);
        Proc put =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--fail-with-body",
                "--max-time",
                "30",
                "--cacert",
                cert.toString(),
                "--aws-sigv4",
                sign,
                "--user",
                user,
                "-H",
                "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                "-T",
                f.toString(),
                s3.group(1) + "/tlsbucket/hello.txt");
        assertEquals(0, put.exit(), "put an object over https: " + put);
        Proc get =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--fail-with-body",
                "--max-time",
                "30",
                "--cacert",
                cert.toString(),
                "--aws-sigv4",
                sign,
                "--user",
                user,
                "-H",
                "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                s3.group(1) + "/tlsbucket/hello.txt");
        assertEquals("over tls\n", get.out(), "get it back over https: " + get);
        // and the aws CLI (.ci/run installs it) with the certificate as its CA bundle
        Proc ls =
            Proc.run(
                work,
                Duration.ofSeconds(120),
                Map.of(
                    "AWS_ACCESS_KEY_ID",
                    s3.group(2),
                    "AWS_SECRET_ACCESS_KEY",
                    s3.group(3),
                    "AWS_DEFAULT_REGION",
                    "us-east-1"),
                "aws",
                "--endpoint-url",
                s3.group(1),
                "--ca-bundle",
                cert.toString(),
                "s3",
                "ls",
                "s3://tlsbucket");
        assertEquals(0, ls.exit(), "aws s3 ls over https: " + ls);
        assertTrue(ls.out().contains("hello.txt"), ls.out());
        Proc s3Plain =
            Proc.run(
                work,
                Duration.ofSeconds(60),
                "curl",
                "-sS",
                "--max-time",
                "10",
                "http://127.0.0.1:" + s3Port + "/");
        assertNotEquals(0, s3Plain.exit(), "plain HTTP to the S3 TLS port must fail: " + s3Plain);
      } else {
        // the API the page uses, checked directly too: the group map carries the storage's HTTP
        // port
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> groups =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/groups"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, groups.statusCode(), groups.body());
        assertTrue(
            groups.body().contains("\"httpPort\":" + storageHttp),
            "httpPort in the group map: " + groups.body());
        HttpResponse<String> page =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/console/"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("app.js"), "index.html served: " + page.body());
      }

      Path log = Files.createTempFile(home, "node", ".log");
      ProcessBuilder pb =
          new ProcessBuilder("node", spec.toString())
              .directory(project.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("CONSOLE_URL", base + "/console/");
      pb.environment().put("SCREENSHOT", screenshot.toString());
      pb.environment().put("CHROMIUM", chromium);
      pb.environment().put("S3_ACCESS_KEY", s3.group(2));
      pb.environment().put("S3_SECRET_KEY", s3.group(3));
      if (tls) {
        pb.environment()
            .put(
                "IGNORE_HTTPS_ERRORS", "1"); // Chromium has no way to trust one CA per profile here
      }
      long t0 = System.nanoTime();
      Process node = pb.start();
      boolean done = node.waitFor(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly();
        node.waitFor(10, TimeUnit.SECONDS);
      }
      String out = Files.readString(log);
      assertTrue(
          done,
          "browser test did not finish within " + NODE_TIMEOUT + "\n" + out + server.output());
      assertEquals(0, node.exitValue(), "browser test failed\n" + out + "\n" + server.output());
      System.out.printf(
          "WebConsoleIT (%s): browser test %d ms: %s",
          scheme, (System.nanoTime() - t0) / 1_000_000, out);
      assertTrue(out.contains("console e2e ok: group1/M00/"), out);
      assertTrue(Files.isRegularFile(screenshot), "screenshot " + screenshot);
      assertTrue(
          Files.size(screenshot) > 1000,
          "screenshot is not empty: " + Files.size(screenshot) + " bytes");
    } finally {
      server.close();
      if (!home.equals(diskTemp)) {
        FirstRunIT.deleteTree(home);
      }
    }
  }

  /** A finished helper program (openssl, curl): exit code and stdout+stderr. */
  record Proc(int exit, String out) {
    static Proc run(Path dir, Duration timeout, String... cmd) throws Exception {
      return run(dir, timeout, Map.of(), cmd);
    }

    static Proc run(Path dir, Duration timeout, Map<String, String> env, String... cmd)
        throws Exception {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", cmd) + " did not finish within " + timeout);
      }
      return new Proc(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
  }
}
