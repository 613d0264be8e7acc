package io.dfstree.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.SingleNodeServer;
import io.dfstree.cli.Main;
import io.dfstree.fileid.FileName;
import io.dfstree.fileid.TrunkId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The client tools ({@link Main#execute}) in-process against the embedded node. */
class CliEndToEndTest extends SingleNodeTest {
  /**
   * A file ID as a user sees one: a 44-character name, or — a small file in a packed volume — a
   * 60-character trunk name (16 more base64url characters: volume, offset, slot length).
   */
  static final Pattern FILE_ID =
      Pattern.compile(
          "group1/M00/[0-9A-F]{2}/[0-9A-F]{2}/[A-Za-z0-9_-]{27}(?:[A-Za-z0-9_-]{16})?[^/\\s]{7}");
  @TempDir Path tmp;

  record Run(int exitCode, String out, String err) {}

  static Run cli(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--tracker";
    all[args.length + 1] = server.trackerAddress();
    return cliRaw(all);
  }

  static Run cliRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString().replace("\r", ""), err.toString().replace("\r", ""));
  }

  Path localFile(String name, int size, long seed) throws Exception {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return Files.write(tmp.resolve(name), data);
  }

  String upload(Path file, String... extra) {
    String[] args = new String[extra.length + 2];
    args[0] = "upload";
    args[1] = file.toString();
    System.arraycopy(extra, 0, args, 2, extra.length);
    Run r = cli(args);
    assertEquals(0, r.exitCode(), r.err());
    String id = r.out().trim();
    assertTrue(FILE_ID.matcher(id).matches(), "upload printed " + r.out());
    // the name decodes as FastDFS clients decode it; a trunk name says where its slot is
    String remote = id.substring(id.indexOf('/') + 1);
    FileName.Decoded d = FileName.decode(remote);
    if (remote.length() == FileName.TRUNK_NAME_LEN) {
      assertTrue(d.trunk(), remote);
      try {
        assertEquals(Files.size(file), TrunkId.parse(remote).fileSize(), remote);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    } else {
      assertEquals(FileName.NORMAL_NAME_LEN, remote.length(), remote);
      assertFalse(d.trunk(), remote);
    }
    return id;
  }

  @Test
  void uploadPrintsTheFileIdAndDownloadReturnsTheSameBytes() throws Exception {
    Path src = localFile("a.jpg", 100_000, 1);
    String id = upload(src);
    assertTrue(id.endsWith(".jpg"), id);
    Path back = tmp.resolve("back.jpg");
    Run d = cli("download", id, back.toString());
    assertEquals(0, d.exitCode(), d.err());
    assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(back));
    assertEquals(back + ": 100000 bytes\n", d.out());
  }

  @Test
  void smallFilesGetTrunkNamesWhenPackedAndLargeOnesPlainNamesBothRoundTrip() throws Exception {
    boolean packed =
        server.config().getJsonObject("storage").getJsonObject("packed").getBoolean("enabled");
    Path small = localFile("s.png", 4096, 11);
    Path large = localFile("l.png", 300 * 1024, 12); // past storage.packed.maxFileSize (256K)
    String smallId = upload(small);
    String largeId = upload(large);
    assertEquals(packed ? 67 : 51, smallId.length(), smallId); // "group1/" + 60 or 44
    assertEquals(51, largeId.length(), largeId);
    for (String[] f : new String[][] {{smallId, small.toString()}, {largeId, large.toString()}}) {
      Path back = tmp.resolve("back-" + f[0].length());
      Run d = cli("download", f[0], back.toString());
      assertEquals(0, d.exitCode(), d.err());
      assertArrayEquals(Files.readAllBytes(Path.of(f[1])), Files.readAllBytes(back));
      Run del = cli("delete", f[0]);
      assertEquals(0, del.exitCode(), del.err());
    }
  }

  @Test
  void infoShowsSizeAndCrcOfANormalFileWithoutAskingTheServer() throws Exception {
    Path src = localFile("b.bin", 4096, 2);
    String id = upload(src);
    Run r = cli("info", id);
    assertEquals(0, r.exitCode(), r.err());
    CRC32 crc = new CRC32();
    crc.update(Files.readAllBytes(src));
    assertTrue(r.out().contains("file type:        normal\n"), r.out());
    assertTrue(r.out().contains("got from server:  false\n"), r.out());
    assertTrue(r.out().contains("file size:        4096\n"), r.out());
    assertTrue(r.out().contains("file crc32:       " + crc.getValue() + " "), r.out());
    assertTrue(r.out().contains("source storage:   id " + SingleNodeServer.STORAGE_ID), r.out());
  }

  @Test
  void metaSetReplacesAndMergeKeepsOtherKeys() throws Exception {
    String id = upload(localFile("c.txt", 10, 3), "--meta", "w=10", "--meta", "h=20");
    assertEquals("h=20\nw=10\n", cli("meta", "get", id).out());
    Run set = cli("meta", "set", id, "a=1", "w=11");
    assertEquals(0, set.exitCode(), set.err());
    assertEquals("a=1\nw=11\n", cli("meta", "get", id).out());
    Run merge = cli("meta", "set", id, "--merge", "b=2", "a=0");
    assertEquals(0, merge.exitCode(), merge.err());
    assertEquals("a=0\nb=2\nw=11\n", cli("meta", "get", id).out());
  }

  @Test
  void metaGetOfAFileWithoutMetadataPrintsNothingAndSucceeds() throws Exception {
    String id = upload(localFile("d.txt", 10, 4));
    Run r = cli("meta", "get", id);
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("", r.out());
  }

  @Test
  void metaGetOfAMissingFileFailsWithENOENT() throws Exception {
    String id = upload(localFile("e.txt", 10, 5), "--meta", "k=v");
    assertEquals(0, cli("delete", id).exitCode());
    Run r = cli("meta", "get", id);
    assertEquals(2, r.exitCode(), r.out());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("error: ENOENT"), r.err());
  }

  @Test
  void appendGrowsAnAppenderFile() throws Exception {
    Path first = localFile("f1.log", 3000, 6);
    Path second = localFile("f2.log", 2000, 7);
    String id = upload(first, "--appender");
    Run a = cli("append", id, second.toString());
    assertEquals(0, a.exitCode(), a.err());
    assertEquals("appended 2000 bytes to " + id + "\n", a.out());
    Path back = tmp.resolve("f.log");
    assertEquals(0, cli("download", id, back.toString()).exitCode());
    byte[] expected = RawClient.cat(Files.readAllBytes(first), Files.readAllBytes(second));
    assertArrayEquals(expected, Files.readAllBytes(back));
    Run info = cli("info", id);
    assertTrue(info.out().contains("file type:        appender\n"), info.out());
    assertTrue(info.out().contains("got from server:  true\n"), info.out());
    assertTrue(info.out().contains("file size:        5000\n"), info.out());
  }

  @Test
  void deleteThenDownloadFailsWithENOENT() throws Exception {
    String id = upload(localFile("g.bin", 50, 8));
    Run del = cli("delete", id);
    assertEquals(0, del.exitCode(), del.err());
    assertEquals("deleted " + id + "\n", del.out());
    Path target = tmp.resolve("gone.bin");
    Run d = cli("download", id, target.toString());
    assertEquals(2, d.exitCode());
    assertTrue(d.err().startsWith("error: ENOENT"), d.err());
    assertFalse(Files.exists(target));
    assertFalse(Files.exists(tmp.resolve("gone.bin.part")));
  }

  @Test
  void monitorShowsTheGroupAndTheActiveStorage() {
    Run r = cli("monitor");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("group group1: "), r.out());
    assertTrue(r.out().contains("1 storage(s), 1 active, port " + server.storagePort()), r.out());
    Matcher row =
        Pattern.compile(
                "\\n  "
                    + SingleNodeServer.STORAGE_ID
                    + " +127\\.0\\.0\\.1:"
                    + server.storagePort()
                    + " +ACTIVE ")
            .matcher(r.out());
    assertTrue(row.find(), r.out());
  }

  @Test
  void benchUploadsDownloadsAndDeletesWithoutErrors() {
    Run r = cli("bench", "-n", "50", "-s", "4K", "-c", "4");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("bench: 50 files of 4096 bytes, 4 connections"), r.out());
    assertTrue(r.out().contains("operation     count  errors"), r.out());
    for (String op : new String[] {"upload", "download", "delete"}) {
      assertTrue(
          Pattern.compile("(?m)^" + op + " +50 +0 ").matcher(r.out()).find(),
          op + " row in\n" + r.out());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "upload",
        "download",
        "delete",
        "info",
        "meta",
        "meta get",
        "meta set",
        "append",
        "monitor",
        "bench",
        "all-in-one",
        "tracker",
        "storage"
      })
  void everySubcommandHasHelp(String command) {
    String[] words = (command + " --help").split(" ");
    Run r = cliRaw(words);
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("Usage: dfstree " + command), r.out());
    assertTrue(r.out().contains("-h, --help"), r.out());
  }
}
