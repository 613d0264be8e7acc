package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.SingleNodeServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} output of every client command against the embedded node: stdout is exactly one
 * JSON document (no progress bar or other text), with the documented fields.
 */
class JsonOutputTest {
  static SingleNodeServer server;
  static String tracker;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = SingleNodeServer.start();
    tracker = server.trackerAddress();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  static JsonObject json(String... args) {
    String[] all = new String[args.length + 3];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--json";
    all[args.length + 1] = "--tracker";
    all[args.length + 2] = tracker;
    CliRun run = CliRun.of(all);
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("", run.err(), "nothing on stderr in --json mode");
    return new JsonObject(run.out()); // fails unless stdout is one JSON object and nothing else
  }

  @Test
  void uploadDownloadInfoMetaDelete() throws Exception {
    byte[] content = new byte[3 * 1024 * 1024 + 17]; // above the progress threshold
    new Random(3).nextBytes(content);
    Path local = dir.resolve("movie.mp4");
    Files.write(local, content);
    CRC32 crc = new CRC32();
    crc.update(content);

    JsonObject up = json("upload", local.toString(), "--meta", "w=640");
    String fileId = up.getString("fileId");
    assertTrue(fileId.startsWith("group1/M00/") && fileId.endsWith(".mp4"), fileId);
    assertEquals(content.length, up.getLong("size"));
    assertEquals(crc.getValue(), up.getLong("crc32"));

    Path back = dir.resolve("back.mp4");
    JsonObject down = json("download", fileId, back.toString());
    assertEquals(fileId, down.getString("fileId"));
    assertEquals(back.toString(), down.getString("path"));
    assertEquals(content.length, down.getLong("bytes"));
    assertArrayEquals(content, Files.readAllBytes(back));

    JsonObject info = json("info", fileId);
    assertEquals(fileId, info.getString("fileId"));
    assertEquals(content.length, info.getLong("size"));
    assertEquals(crc.getValue(), info.getLong("crc32"));

    assertEquals(new JsonObject().put("w", "640"), json("meta", "get", fileId));
    JsonObject set = json("meta", "set", fileId, "h=480", "--merge");
    assertEquals(true, set.getBoolean("merged"));
    assertEquals(new JsonObject().put("h", "480").put("w", "640"), json("meta", "get", fileId));

    assertEquals(fileId, json("delete", fileId).getString("deleted"));
    CliRun gone =
        CliRun.of(
            "download", fileId, dir.resolve("gone").toString(), "--tracker", tracker, "--json");
    assertEquals(2, gone.exitCode(), "ENOENT after delete");
    assertEquals("", gone.out(), "no JSON for a failure");
  }

  @Test
  void appendJson() throws Exception {
    Path a = dir.resolve("a.log");
    Files.writeString(a, "hello ");
    Path b = dir.resolve("b.log");
    Files.writeString(b, "world!");
    String fileId = json("upload", a.toString(), "--appender").getString("fileId");
    JsonObject appended = json("append", fileId, b.toString());
    assertEquals(fileId, appended.getString("fileId"));
    assertEquals(6, appended.getLong("appended"));
    assertEquals(12, json("download", fileId, dir.resolve("ab.log").toString()).getLong("bytes"));
  }

  @Test
  void monitorJsonListsGroupsAndStorages() {
    JsonObject m = json("monitor");
    JsonArray groups = m.getJsonArray("groups");
    assertEquals(1, groups.size(), m.encode());
    JsonObject g = groups.getJsonObject(0);
    assertEquals("group1", g.getString("name"));
    JsonObject s = g.getJsonArray("storages").getJsonObject(0);
    assertEquals("ACTIVE", s.getString("status"));
    assertEquals(server.storagePort(), s.getInteger("port"));
  }

  @Test
  void progressIsShownOnlyOnATerminalForLargeTransfersWithoutJson() {
    assertTrue(Progress.wanted(2L << 20, false, true));
    assertFalse(Progress.wanted(2L << 20, true, true), "never in --json mode");
    assertFalse(Progress.wanted(Progress.THRESHOLD, false, true), "not for small files");
    assertFalse(Progress.wanted(-1, false, true), "not when the size is unknown");
    assertFalse(Progress.wanted(2L << 20, false, false), "not when stderr is no terminal");
    // surefire pipes stderr: no terminal, so the commands above ran without a bar
    assertFalse(Progress.stderrIsTerminal());
    assertFalse(Progress.start("upload", 10L << 20, false).shown());
  }
}
