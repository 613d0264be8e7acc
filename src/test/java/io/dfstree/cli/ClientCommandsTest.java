package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TestPorts;
import io.dfstree.client.FakeFdfsServer;
import io.dfstree.client.InMemoryFastDfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file commands end to end against an in-memory fake, run in-process through {@link Main}. */
class ClientCommandsTest {
  @TempDir Path dir;
  InMemoryFastDfs cluster;
  FakeFdfsServer server;
  String tracker;

  @BeforeEach
  void start() throws Exception {
    cluster = new InMemoryFastDfs();
    server = FakeFdfsServer.start(cluster);
    tracker = "127.0.0.1:" + server.port();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void uploadDownloadMetaDeleteRoundTrip() throws Exception {
    byte[] content = new byte[100_000];
    new Random(7).nextBytes(content);
    Path local = dir.resolve("photo.jpg");
    Files.write(local, content);

    CliRun up =
        CliRun.of(
            "upload", local.toString(), "--tracker", tracker, "--meta", "w=10", "--meta", "h=20");
    assertEquals(0, up.exitCode(), up.err());
    String fileId = up.out().trim();
    assertTrue(fileId.matches("group1/M00/00/00/[A-Za-z0-9_-]{27}\\d{3}\\.jpg"), fileId);

    Path back = dir.resolve("back.jpg");
    CliRun down = CliRun.of("download", fileId, back.toString(), "--tracker", tracker);
    assertEquals(0, down.exitCode(), down.err());
    assertArrayEquals(content, Files.readAllBytes(back));
    assertFalse(Files.exists(dir.resolve("back.jpg.part")));

    CliRun part =
        CliRun.of(
            "download",
            fileId,
            dir.resolve("part").toString(),
            "--offset",
            "10",
            "--length",
            "5",
            "--tracker",
            tracker);
    assertEquals(0, part.exitCode(), part.err());
    assertArrayEquals(
        java.util.Arrays.copyOfRange(content, 10, 15), Files.readAllBytes(dir.resolve("part")));

    CliRun meta = CliRun.of("meta", "get", fileId, "--tracker", tracker);
    assertEquals("w=10\nh=20\n", meta.out().replace("\r", ""));

    assertEquals(0, CliRun.of("meta", "set", fileId, "a=1", "--tracker", tracker).exitCode());
    assertEquals("a=1", CliRun.of("meta", "get", fileId, "--tracker", tracker).out().trim());

    CliRun del = CliRun.of("delete", fileId, "--tracker", tracker);
    assertEquals(0, del.exitCode(), del.err());
    assertTrue(cluster.files.isEmpty());
  }

  @Test
  void missingRemoteFileExitsWithErrnoAndExplains() throws Exception {
    String missing = "group1/M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809.conf";
    Path target = dir.resolve("x");
    CliRun run = CliRun.of("download", missing, target.toString(), "--tracker", tracker);
    assertEquals(2, run.exitCode());
    assertTrue(
        run.err().startsWith("error: ENOENT (no such file, group or storage): download " + missing),
        run.err());
    assertFalse(Files.exists(target));
    assertFalse(Files.exists(dir.resolve("x.part")), "partial file is removed");
  }

  @Test
  void appenderUploadThenAppend() throws Exception {
    Path first = dir.resolve("a.log");
    Files.writeString(first, "hello ");
    Path second = dir.resolve("b.log");
    Files.writeString(second, "world");
    CliRun up = CliRun.of("upload", first.toString(), "--appender", "--tracker", tracker);
    assertEquals(0, up.exitCode(), up.err());
    String fileId = up.out().trim();
    CliRun append = CliRun.of("append", fileId, second.toString(), "--tracker", tracker);
    assertEquals(0, append.exitCode(), append.err());
    String remote = fileId.substring("group1/".length());
    assertEquals("hello world", new String(cluster.files.get(remote)));
  }

  @Test
  void missingLocalFileIsExitCodeOne() {
    CliRun run = CliRun.of("upload", dir.resolve("nope.txt").toString(), "--tracker", tracker);
    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("no such local file"), run.err());
    assertTrue(server.requests().isEmpty(), "nothing is sent for a local mistake");
  }

  @Test
  void usageErrorIsExitCodeTwo() {
    assertEquals(
        2,
        CliRun.of("upload", "x", "--master", "group1/M00/00/00/a", "--tracker", tracker)
            .exitCode());
    assertEquals(
        2, CliRun.of("meta", "set", "group1/x", "novalue", "--tracker", tracker).exitCode());
  }

  @Test
  void unreachableTrackerIsConnectionRefused() throws Exception {
    int deadPort;
    deadPort = TestPorts.free();
    CliRun run =
        CliRun.of(
            "delete",
            "group1/M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809.conf",
            "--tracker",
            "127.0.0.1:" + deadPort);
    assertEquals(111, run.exitCode());
    assertTrue(run.err().startsWith("error: ECONNREFUSED"), run.err());
  }

  @Test
  void infoOfNormalFileDecodesTheNameWithoutTheNetwork() {
    // the worked example of fastdfs-protocol.md §5.9
    CliRun run =
        CliRun.of(
            "info", "group1/M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809.conf", "--tracker", tracker);
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("file type:        normal"), run.out());
    assertTrue(run.out().contains("172.16.4.253"), run.out());
    assertTrue(run.out().contains("2020-04-02T10:30:25Z"), run.out());
    assertTrue(run.out().contains("file size:        7305"), run.out());
    assertTrue(run.out().contains("3422365647 (0xCBFD27CF)"), run.out());
    assertTrue(server.requests().isEmpty());
  }

  @Test
  void infoJson() {
    CliRun run =
        CliRun.of(
            "info",
            "group1/M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809.conf",
            "--json",
            "--tracker",
            tracker);
    assertTrue(run.out().contains("\"size\" : 7305"), run.out());
    assertTrue(run.out().contains("\"crc32\" : 3422365647"), run.out());
  }
}
