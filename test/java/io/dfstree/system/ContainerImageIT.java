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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.csource.common.NameValuePair;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.Test;

/**
 * The container image the Kubernetes manifests name: {@code container/build-image.sh} builds it
 * from the jar with podman (the mmdebstrap + jlink base is cached outside the repository and
 * rebuilt only when its recipe changes), podman runs it with {@code --network host} bound to
 * 127.0.0.1 on free ports, and the official FastDFS client uploads and downloads through it; the
 * console and the storage's HTTP port answer from inside the container too.
 */
class ContainerImageIT {
  static final Duration BUILD =
      Duration.ofMinutes(25); // a cold base took 9 min at load ~45 (debootstrap's: 11.5-25 min)
  static final String[] PODMAN = {"podman", "--runtime", "runc", "--cgroup-manager=cgroupfs"};

  @Test
  void theImageStartsAndTheOfficialClientUploadsAndDownloadsThroughIt() throws Exception {
    Path project = Path.of("").toAbsolutePath();
    Path log = Files.createTempFile("dfstree-image-build", ".log");
    long t0 = System.nanoTime();
    Process build =
        new ProcessBuilder(
                "bash",
                project.resolve("container/build-image.sh").toString(),
                Jar.jar().toString())
            .directory(project.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean built = build.waitFor(BUILD.toMillis(), TimeUnit.MILLISECONDS);
    if (!built) {
      build.descendants().forEach(ProcessHandle::destroyForcibly);
      build.destroyForcibly();
    }
    String buildOut = Files.readString(log);
    Files.deleteIfExists(log);
    assertTrue(built, "image build did not finish within " + BUILD + "\n" + buildOut);
    assertEquals(0, build.exitValue(), "image build failed\n" + buildOut);
    String[] lines = buildOut.strip().split("\n");
    String image = lines[lines.length - 1].trim();
    assertEquals(
        Files.readString(project.resolve("container/IMAGE")).trim(),
        image,
        "the image the k8s manifests run\n" + buildOut);
    System.out.printf(
        "ContainerImageIT: build %d ms:%n%s%n",
        (System.nanoTime() - t0) / 1_000_000, buildOut.strip());

    int trackerPort = TestPorts.free();
    int storagePort = TestPorts.free();
    int consolePort = TestPorts.free();
    int storageHttp = TestPorts.free();
    String name =
        "dfstree-it-"
            + ProcessHandle.current().pid()
            + "-"
            + Long.toHexString(new Random().nextLong() & 0xFFFFFF);
    List<String> run = new ArrayList<>(List.of(PODMAN));
    run.addAll(
        List.of(
            "run",
            "-d",
            "--rm",
            "--name",
            name,
            "--network",
            "host",
            image,
            "all-in-one",
            "--set",
            "tracker.port=" + trackerPort,
            "--set",
            "storage.port=" + storagePort,
            "--set",
            "tracker.httpPort=" + consolePort,
            "--set",
            "storage.httpPort=" + storageHttp,
            "--set",
            "storage.subdirCount=4",
            "--set",
            "storage.reservedSpace=0"));
    WebConsoleIT.Proc started =
        WebConsoleIT.Proc.run(project, Duration.ofMinutes(2), run.toArray(String[]::new));
    assertEquals(0, started.exit(), "podman run: " + started);
    try {
      // the storage turns ACTIVE and the banner is printed, in either order
      awaitLogs(name, "-> ACTIVE", Duration.ofSeconds(120));
      String logs = awaitLogs(name, "Stop with Ctrl-C.", Duration.ofSeconds(60));
      assertTrue(
          logs.contains("tracker  127.0.0.1:" + trackerPort), "binds loopback by default\n" + logs);
      assertTrue(logs.contains("console  http://127.0.0.1:" + consolePort + "/console/"), logs);

      ClientGlobal.initByTrackers("127.0.0.1:" + trackerPort);
      ClientGlobal.g_connect_timeout = 10_000;
      ClientGlobal.g_network_timeout = 30_000;
      byte[] data = new byte[1 << 20];
      new Random(11).nextBytes(data);
      StorageClient client = new StorageClient(null, null);
      String[] id =
          client.upload_file(
              data, "bin", new NameValuePair[] {new NameValuePair("from", "container-it")});
      assertNotNull(id, "upload through the container, errno " + client.getErrorCode());
      assertEquals("group1", id[0]);
      assertArrayEquals(data, client.download_file(id[0], id[1]), "downloaded bytes");
      assertEquals("container-it", client.get_metadata(id[0], id[1])[0].getValue());

      HttpClient http =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .followRedirects(HttpClient.Redirect.NORMAL)
              .build();
      HttpResponse<byte[]> viaHttp =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + consolePort + "/" + id[0] + "/" + id[1]))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, viaHttp.statusCode());
      assertArrayEquals(
          data,
          viaHttp.body(),
          "the tracker's redirect to the storage's HTTP port, both in the container");
      assertEquals(0, client.delete_file(id[0], id[1]));
    } finally {
      WebConsoleIT.Proc stop =
          WebConsoleIT.Proc.run(
              project,
              Duration.ofMinutes(1),
              PODMAN[0],
              PODMAN[1],
              PODMAN[2],
              PODMAN[3],
              "rm",
              "-f",
              "-t",
              "10",
              name);
      assertEquals(0, stop.exit(), "podman rm: " + stop);
    }
  }

  private static String awaitLogs(String name, String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String logs = "";
    while (System.nanoTime() < deadline) {
      WebConsoleIT.Proc p =
          WebConsoleIT.Proc.run(
              Path.of("."),
              Duration.ofSeconds(30),
              PODMAN[0],
              PODMAN[1],
              PODMAN[2],
              PODMAN[3],
              "logs",
              name);
      logs = p.out();
      if (logs.contains(text)) {
        return logs;
      }
      assertEquals(0, p.exit(), "container " + name + " is gone\n" + logs);
      Thread.sleep(500);
    }
    fail("container did not log '" + text + "' within " + timeout + "\n" + logs);
    return logs;
  }
}
