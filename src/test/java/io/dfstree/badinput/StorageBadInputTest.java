package io.dfstree.badinput;

import static io.dfstree.RawClient.GROUP;
import static io.dfstree.RawClient.ascii;
import static io.dfstree.RawClient.cat;
import static io.dfstree.RawClient.fixed;
import static io.dfstree.RawClient.header;
import static io.dfstree.RawClient.i64;
import static io.dfstree.RawClient.packet;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.StorageRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed, truncated, oversized and hostile requests against a real storage (fastdfs-protocol.md
 * §1.2, §3): every test checks the exact status byte and that the server still serves afterwards.
 */
class StorageBadInputTest {
  static final int EINVAL = 22;
  static final int ENOENT = 2;
  static final byte[] SENTINEL_CONTENT = ascii("sentinel outside the store path");

  static Servers servers;
  static int port;

  /** A normal 1000-byte file, an appender file of 100 bytes and a 0-byte file. */
  static String normal;

  static byte[] normalContent = RawClient.bytes(1000, 1);
  static String appender;
  static String empty;
  static Path sentinel;

  @BeforeAll
  static void start() throws Exception {
    // the one-file layout: these tests check files on disk by their path (bad input against
    // packed files: PackedBadInputTest)
    servers =
        Servers.start(s -> s.put("packed", new io.vertx.core.json.JsonObject().put("enabled", false)));
    port = servers.storagePort;
    normal = RawClient.uploadNew(port, 11, "txt", normalContent);
    appender = RawClient.uploadNew(port, 23, "log", RawClient.bytes(100, 2));
    empty = RawClient.uploadNew(port, 11, "", new byte[0]);
    sentinel = servers.root.resolve("sentinel");
    Files.write(sentinel, SENTINEL_CONTENT);
  }

  @AfterAll
  static void stop() throws Exception {
    servers.close();
  }

  /**
   * After every test: the storage still answers on a new connection, and the sentinel is untouched.
   */
  @AfterEach
  void stillServes() throws Exception {
    RawClient.activeTest(port);
    assertArrayEquals(
        SENTINEL_CONTENT, Files.readAllBytes(sentinel), "sentinel outside the store path");
  }

  static String payloadOf(String remote) {
    return remote.substring(10, 37);
  }

  // ---- framing ---------------------------------------------------------------------------------

  @Test
  void truncatedHeaderThenClose() throws Exception {
    List<String> before = servers.storedFiles();
    try (RawClient r = RawClient.open(port)) {
      r.send(Arrays.copyOf(header(15 + 10, 11, 0), 6));
    }
    RawClient.activeTest(port);
    assertEquals(before, servers.storedFiles());
  }

  @Test
  void uploadBodyShorterThanDeclaredThenCloseLeavesNoFile() throws Exception {
    List<String> before = servers.storedFiles();
    byte[] full = RawClient.upload("bin", RawClient.bytes(300_000, 3));
    try (RawClient r = RawClient.open(port)) {
      r.send(Arrays.copyOf(full, full.length - 1000)); // all but the last 1000 content bytes
    }
    assertEquals(List.of(), servers.awaitTmpEmpty(5000), "temp files left behind");
    assertEquals(before, servers.storedFiles(), "a partial upload became visible");
  }

  @Test
  void smallRequestBodyShorterThanDeclaredThenClose() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      byte[] del = RawClient.delete(GROUP, normal);
      r.send(Arrays.copyOf(del, del.length - 5));
    }
    RawClient.activeTest(port);
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.queryInfo(GROUP, normal));
      r.expect(0); // the half-sent delete never ran
    }
  }

  @Test
  void bodyLongerThanDeclaredIsParsedAsNextHeader() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      // ACTIVE_TEST declares no body but 10 more bytes follow: they are a header of unknown command
      // 200
      r.send(cat(RawClient.activeTestBytes(), header(0, 200, 0)));
      r.expect(0);
      r.expect(EINVAL);
      r.activeTest(); // same connection, still in sync
    }
  }

  @Test
  void extraBytesFormingANegativeLengthHeaderCloseTheConnection() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      byte[] q = RawClient.queryInfo(GROUP, normal);
      r.send(cat(q, header(-5, 11, 0)));
      r.expect(0);
      r.expect(EINVAL);
      r.expectClosed();
    }
  }

  @Test
  void extraBytesAfterUploadArePartialNextHeaderAndWait() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      byte[] up = RawClient.upload("a", RawClient.bytes(10, 4));
      byte[] at = RawClient.activeTestBytes();
      // upload + first 4 bytes of an ACTIVE_TEST header, then the remaining 6 later
      r.send(cat(up, Arrays.copyOf(at, 4)));
      r.expect(0);
      r.send(Arrays.copyOfRange(at, 4, 10));
      r.expect(0);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {12, 13, 14, 15, 22, 36, 38})
  void declaredLengthOverLimitForNonStreamingCommandClosesWithEinval(int cmd) throws Exception {
    int limit = servers.config.getJsonObject("storage").getInteger("maxRequestBytes");
    try (RawClient r = RawClient.open(port)) {
      r.send(header(limit + 1L, cmd, 0));
      r.expect(EINVAL);
      r.expectClosed();
    }
  }

  @Test
  void hugeDeclaredLengthIsNotAllocated() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(header(Long.MAX_VALUE, 14, 0));
      r.expect(EINVAL);
      r.expectClosed();
    }
  }

  @Test
  void negativeDeclaredLengthClosesWithEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(header(-1, 11, 0));
      r.expect(EINVAL);
      r.expectClosed();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 7, 99, 100, 127, 200, 255})
  void unknownCommandKeepsTheConnection(int cmd) throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(packet(cmd, ascii("ignored body")));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void activeTestWithABodyIsEinvalAndKeepsTheConnection() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(packet(111, new byte[3]));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void quitClosesWithoutReply() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(new StorageRequest.Quit());
      r.expectClosed();
    }
  }

  // ---- errors found before the body was read ----------------------------------------------------

  static Stream<Arguments> illegalExtensions() {
    return Stream.of(
        Arguments.of("slash", fixed("a/b", 6)),
        Arguments.of("backslash", fixed("a\\b", 6)),
        Arguments.of("nul inside", new byte[] {'.', '.', 0, 'x', 0, 0}),
        Arguments.of("space", fixed("a b", 6)),
        Arguments.of("high byte", new byte[] {'j', (byte) 0xE9, 0, 0, 0, 0}),
        Arguments.of("control char", new byte[] {'j', 1, 'g', 0, 0, 0}));
  }

  /** An upload (11) whose extension field is {@code ext6} as given: no codec writes these. */
  static byte[] uploadWithRawExtension(byte[] ext6, byte[] content) {
    return packet(11, cat(new byte[] {(byte) 0xFF}, i64(content.length), ext6, content));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("illegalExtensions")
  void uploadWithIllegalExtensionIsEinvalAndNextRequestIsParsed(String what, byte[] ext6)
      throws Exception {
    List<String> before = servers.storedFiles();
    try (RawClient r = RawClient.open(port)) {
      // 1 MiB body: the header bytes of the ACTIVE_TEST must not be read from inside it
      r.send(
          cat(
              uploadWithRawExtension(ext6, RawClient.bytes(1 << 20, 5)),
              RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
      r.activeTest();
    }
    assertEquals(before, servers.storedFiles());
  }

  @Test
  void uploadWithExtensionDotDotStaysOneNameComponent() throws Exception {
    // FileId.checkToken's javadoc promises "never . or .. alone"; it is not enforced. Harmless
    // (the extension is glued to the payload) as long as the result is one valid name.
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.upload(false, -1, "..", RawClient.bytes(1000, 6)),
              RawClient.activeTestBytes()));
      RawClient.Reply rep = r.read();
      if (rep.status() == 0) {
        String name = rep.bodyText().substring(16);
        FileId id = FileId.parseRemote(GROUP, name);
        assertTrue(
            Files.isRegularFile(
                servers.data.resolve(
                    String.format("%02X/%02X/%s", id.high(), id.low(), id.baseName()))));
      } else {
        assertEquals(EINVAL, rep.status());
      }
      r.expect(0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"-m", "a-m", ".-m", "..", ".", "-", "_", "tar.gz", "ABC123"})
  void everyAcceptedUploadGetsANameTheServerServes(String ext) throws Exception {
    // found by ProtocolFuzzTest: an extension ending in "-m" was accepted, and the returned name
    // (".../xxxx.-m") was then refused as a metadata name: the file could never be read or deleted
    byte[] content = RawClient.bytes(500, 21);
    List<String> before = servers.storedFiles();
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.upload(ext, content));
      RawClient.Reply rep = r.read();
      if (rep.status() != 0) {
        assertEquals(EINVAL, rep.status());
        assertEquals(before, servers.storedFiles(), "refused upload left a file");
        r.activeTest();
        return;
      }
      String name = rep.bodyText().substring(16);
      r.send(RawClient.download(0, 0, GROUP, name));
      assertArrayEquals(content, r.expect(0).body(), "download of the name the upload returned");
      r.send(RawClient.delete(GROUP, name));
      r.expect(0);
    }
    assertEquals(before, servers.storedFiles());
  }

  @Test
  void uploadWithStorePathIndexOutOfRangeIsEinvalAndNextRequestIsParsed() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.upload(false, 5, "jpg", RawClient.bytes(1 << 20, 7)),
              RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
  }

  @Test
  void uploadWithFileSizeNotMatchingBodyIsEinvalAndDrained() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      byte[] content = RawClient.bytes(100_000, 8);
      byte[] body =
          cat(new byte[] {(byte) 0xFF}, i64(content.length + 1), fixed("jpg", 6), content);
      r.send(cat(packet(11, body), RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
  }

  @Test
  void uploadShorterThanItsPrefixIsEinvalAndDrained() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(cat(packet(11, new byte[14]), RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
  }

  @Test
  void slaveUploadWithPathPrefixIsEinvalAndNextRequestIsParsed() throws Exception {
    List<String> before = servers.storedFiles();
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.slave(normal, "../x", "jpg", RawClient.bytes(1 << 20, 9)),
              RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
    assertEquals(before, servers.storedFiles());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "-m", "x\\y"})
  void slaveUploadWithBadPrefixIsEinval(String prefix) throws Exception {
    try (RawClient r = RawClient.open(port)) {
      // "-m" with no extension would collide with the metadata file name
      r.send(
          cat(
              RawClient.slave(normal, prefix, "", RawClient.bytes(5000, 10)),
              RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
  }

  @Test
  void slaveUploadOfMissingMasterIsEnoentAndDrained() throws Exception {
    String missing = normal.substring(0, 10) + "AAAAAAAAAAAAAAAAAAAAAAAAAAA" + normal.substring(37);
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.slave(missing, "_s", "jpg", RawClient.bytes(1 << 20, 11)),
              RawClient.activeTestBytes()));
      r.expect(ENOENT);
      r.expect(0);
    }
  }

  // ---- group names
  // -------------------------------------------------------------------------------

  static Stream<Arguments> badGroups() {
    return Stream.of(
        Arguments.of("other group", fixed("group2", 16)),
        Arguments.of("empty", new byte[16]),
        Arguments.of("slash", fixed("gr/up1", 16)),
        Arguments.of("dotdot", fixed("..", 16)),
        Arguments.of("nul inside", cat(ascii("group1"), new byte[] {0, 'x'}, new byte[8])),
        Arguments.of("prefix of ours", fixed("group", 16)),
        Arguments.of("ours plus char", fixed("group1x", 16)),
        Arguments.of("no nul, 16 chars", fixed("group1group1grou", 16)));
  }

  static byte[] withGroup(int cmd, byte[] group16, String name) {
    byte[] n = ascii(name);
    return switch (cmd) {
      case 14 -> packet(14, cat(i64(0), i64(0), group16, n));
      case 13 ->
          packet(13, cat(i64(n.length), i64(3), new byte[] {'O'}, group16, n, ascii("a\u0002b")));
      default -> packet(cmd, cat(group16, n));
    };
  }

  static Stream<Arguments> badGroupCases() {
    List<Arguments> out = new ArrayList<>();
    for (int cmd : new int[] {12, 13, 14, 15, 22}) {
      badGroups().forEach(a -> out.add(Arguments.of(cmd, a.get()[0], a.get()[1])));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "cmd {0}: {1}")
  @MethodSource("badGroupCases")
  void badGroupNameIsEinvalAndKeepsTheConnection(int cmd, String what, byte[] group16)
      throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(withGroup(cmd, group16, normal));
      r.expect(EINVAL);
      r.activeTest();
    }
    try (RawClient r =
        RawClient.open(
            port)) { // the file is still there (a delete under a wrong group did nothing)
      r.send(RawClient.queryInfo(GROUP, normal));
      r.expect(0);
    }
  }

  // ---- file ids with path tricks
  // -----------------------------------------------------------------

  static List<String> trickyNames() {
    String p = payloadOf(normal);
    String ext = normal.substring(37);
    String rel = "../../sentinel";
    String abs = servers.root.resolve("sentinel").toString();
    List<String> out = new ArrayList<>();
    out.add("M00/00/00/" + rel + "x".repeat(44 - 10 - rel.length())); // .. components
    out.add("M00/../../" + p + ext); // .. as the dirs
    out.add("M00/00/00/" + "../".repeat(10) + "sentinel"); // many ..
    out.add("M00/00/00/" + p.substring(0, 10) + "/" + p.substring(11) + ext); // slash inside
    out.add("M00/00/00/" + ".." + "/" + "x".repeat(31)); // ../x
    out.add(abs + "x".repeat(Math.max(0, 44 - abs.length()))); // absolute path
    out.add("/M00/00/00/" + p + ext); // leading slash
    out.add("M00/00/00/" + p + ext + "\0"); // trailing NUL
    out.add("M00/00/00/" + p.substring(0, 5) + "\0" + p.substring(6) + ext); // NUL inside
    out.add("M00/00/00/" + p.substring(0, 26)); // 36 chars: shorter than any name
    out.add("M00/00/00/" + p + ext + "x".repeat(128 - 44)); // 128 chars
    out.add("M00/00/00/" + "." + p.substring(1) + ext); // bad base64 ('.')
    out.add("M00/00/00/" + "~" + p.substring(1) + ext); // bad char
    out.add("M05/00/00/" + p + ext); // path index out of range
    out.add("MFF/00/00/" + p + ext); // path index 255
    out.add("m00/00/00/" + p + ext); // lower-case M
    out.add("M00/0a/00/" + p + ext); // lower-case hex
    out.add("M0g/00/00/" + p + ext); // non-hex
    out.add("M00/00/00/" + p + ext + "-m"); // metadata suffix
    out.add(normal.substring(0, 37) + "123.t-m"); // 44 chars ending -m
    out.add("M00\\00\\00\\" + p + ext); // backslashes
    out.add("M00/00/00/" + p + "12\\..\\x"); // backslash in ext
    out.add("M00/00/00/" + p + ext.replace('.', '/')); // slash in ext
    out.add("M-1/00/00/" + p + ext); // negative index
    out.add(""); // empty
    return out;
  }

  static Stream<Arguments> trickyCases() {
    List<Arguments> out = new ArrayList<>();
    for (String name : trickyNames()) {
      for (int cmd : new int[] {12, 14, 15, 22, 13}) {
        out.add(Arguments.of(cmd, name));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "cmd {0}: [{1}]")
  @MethodSource("trickyCases")
  void fileIdWithPathTrickIsEinval(int cmd, String name) throws Exception {
    List<String> before = servers.allFiles();
    try (RawClient r = RawClient.open(port)) {
      r.send(withGroup(cmd, fixed(GROUP, 16), name));
      r.expect(EINVAL);
      r.activeTest();
    }
    assertEquals(before, servers.allFiles(), "files appeared or vanished");
  }

  @ParameterizedTest(name = "[{0}]")
  @MethodSource("trickyNames")
  void appenderOpsWithPathTrickAreEinval(String name) throws Exception {
    List<String> before = servers.allFiles();
    for (byte[] req :
        List.of(
            RawClient.append(name, ascii("xx")),
            RawClient.modify(name, 0, ascii("xx")),
            RawClient.truncate(name, 0),
            RawClient.regenerate(name))) {
      try (RawClient r = RawClient.open(port)) {
        r.send(cat(req, RawClient.activeTestBytes()));
        r.expect(EINVAL);
        r.expect(0);
      }
    }
    assertEquals(before, servers.allFiles(), "files appeared or vanished");
  }

  @Test
  void directoryBeyondSubdirCountIsNotFound() throws Exception {
    // subdirCount is 16: data/FF/FF does not exist; the name is well-formed, so ENOENT (not a
    // crash)
    String name = "M00/FF/FF/" + normal.substring(10);
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.queryInfo(GROUP, name));
      r.expect(ENOENT);
      r.send(RawClient.setMeta('O', GROUP, name, ascii("a\u0002b")));
      r.expect(ENOENT);
    }
    assertFalse(Files.exists(servers.data.resolve("FF")));
  }

  // ---- metadata
  // ------------------------------------------------------------------------------------

  @Test
  void setMetadataBodyOverLimitIsEinvalAndClose() throws Exception {
    int limit = servers.config.getJsonObject("storage").getInteger("maxRequestBytes");
    byte[] meta = cat(ascii("k\u0002"), new byte[limit]);
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.setMeta('O', GROUP, normal, meta));
      r.expect(EINVAL);
      r.expectClosed();
    }
  }

  @Test
  void longMetadataValueIsCutTo256Bytes() throws Exception {
    String name = RawClient.uploadNew(port, 11, "m", RawClient.bytes(10, 12));
    byte[] value = new byte[64 * 1024];
    Arrays.fill(value, (byte) 'v');
    byte[] longName = new byte[100];
    Arrays.fill(longName, (byte) 'n');
    byte[] meta =
        cat(ascii("w\u0002"), value, new byte[] {1}, longName, new byte[] {2}, ascii("x"));
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.setMeta('O', GROUP, name, meta));
      r.expect(0);
      r.send(RawClient.getMeta(GROUP, name));
      byte[] back = r.expect(0).body();
      byte[] expected =
          cat(
              Arrays.copyOf(longName, 64),
              new byte[] {2},
              ascii("x"),
              new byte[] {1},
              ascii("w\u0002"),
              Arrays.copyOf(value, 256));
      assertArrayEquals(expected, back);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 'o', 'm', 'X', 0xFF})
  void metadataOpFlagOtherThanOorMIsEinval(int op) throws Exception {
    try (RawClient r = RawClient.open(port)) {
      byte[] n = ascii(normal);
      byte[] meta = ascii("a\u0002b");
      r.send(
          packet(
              13,
              cat(
                  i64(n.length),
                  i64(meta.length),
                  new byte[] {(byte) op},
                  fixed(GROUP, 16),
                  n,
                  meta)));
      r.expect(EINVAL);
      r.activeTest();
      r.send(RawClient.getMeta(GROUP, normal));
      r.expect(ENOENT); // nothing was written
    }
  }

  @Test
  void setMetadataLengthsNotAddingUpIsEinval() throws Exception {
    byte[] n = ascii(normal);
    try (RawClient r = RawClient.open(port)) {
      r.send(
          packet(
              13,
              cat(
                  i64(n.length),
                  i64(10),
                  new byte[] {'O'},
                  fixed(GROUP, 16),
                  n,
                  ascii("a\u0002b"))));
      r.expect(EINVAL);
      r.send(
          packet(
              13, cat(i64(-1), i64(3), new byte[] {'O'}, fixed(GROUP, 16), n, ascii("a\u0002b"))));
      r.expect(EINVAL);
      r.send(packet(13, cat(i64(Long.MAX_VALUE), i64(3), new byte[] {'O'}, fixed(GROUP, 16), n)));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void getMetadataOfFileWithoutMetadataIsEnoent() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.getMeta(GROUP, empty));
      r.expect(ENOENT);
      r.activeTest();
    }
  }

  @Test
  void setMetadataOfMissingFileIsEnoentAndCreatesNothing() throws Exception {
    List<String> before = servers.allFiles();
    String missing = normal.substring(0, 10) + "BBBBBBBBBBBBBBBBBBBBBBBBBBB" + normal.substring(37);
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.setMeta('O', GROUP, missing, ascii("a\u0002b")));
      r.expect(ENOENT);
    }
    assertEquals(before, servers.allFiles());
  }

  // ---- download
  // -------------------------------------------------------------------------------------

  @Test
  void downloadOffsetPastTheEndIsEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(normalContent.length + 1, 0, GROUP, normal));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void downloadOffsetEqualToSizeOfNonEmptyFileIsEinval() throws Exception {
    // fastdfs-protocol.md §3.4 (6.15.4+): offset >= file size -> EINVAL; only a 0-byte file at
    // offset 0 is OK
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(normalContent.length, 0, GROUP, normal));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void downloadOfMissingFileIsEnoent() throws Exception {
    String missing = normal.substring(0, 10) + "CCCCCCCCCCCCCCCCCCCCCCCCCCC" + normal.substring(37);
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(0, 0, GROUP, missing));
      r.expect(ENOENT);
      r.activeTest();
    }
  }

  @Test
  void zeroByteFileUploadsAndDownloadsEmpty() throws Exception {
    String name = RawClient.uploadNew(port, 11, "z", new byte[0]);
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(0, 0, GROUP, name));
      RawClient.Reply rep = r.expect(0);
      assertEquals(0, rep.length());
      r.send(RawClient.download(0, 100, GROUP, name));
      assertEquals(0, r.expect(0).length());
      r.activeTest();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, Long.MIN_VALUE})
  void negativeDownloadOffsetIsEinval(long offset) throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(offset, 0, GROUP, normal));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void negativeDownloadByteCountIsEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(0, -1, GROUP, normal));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void downloadByteCountBeyondTheEndIsClamped() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(990, Long.MAX_VALUE, GROUP, normal));
      assertArrayEquals(Arrays.copyOfRange(normalContent, 990, 1000), r.expect(0).body());
      r.activeTest();
    }
  }

  @Test
  void downloadBodyShorterThanFixedPartIsEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(packet(14, new byte[20]));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  // ---- appender operations
  // ----------------------------------------------------------------------------

  @Test
  void appendToNonAppenderFileIsEinvalAndDrained() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(RawClient.append(normal, RawClient.bytes(1 << 20, 13)), RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
    assertEquals(normalContent.length, Files.size(fileOf(normal)));
  }

  @Test
  void modifyOfNonAppenderFileIsEinvalAndDrained() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.modify(normal, 0, RawClient.bytes(100_000, 14)),
              RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
    assertArrayEquals(normalContent, Files.readAllBytes(fileOf(normal)));
  }

  @Test
  void truncateOfNonAppenderFileIsEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.truncate(normal, 0));
      r.expect(EINVAL);
      r.activeTest();
    }
    assertEquals(normalContent.length, Files.size(fileOf(normal)));
  }

  @Test
  void regenerateOfNonAppenderFileIsEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.regenerate(normal));
      r.expect(EINVAL);
      r.activeTest();
    }
    assertTrue(Files.exists(fileOf(normal)));
  }

  @Test
  void modifyAtOffsetBeyondSizeIsEinvalAndDrained() throws Exception {
    long size = Files.size(fileOf(appender));
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.modify(appender, size + 1, RawClient.bytes(200_000, 15)),
              RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
    assertEquals(size, Files.size(fileOf(appender)));
  }

  @Test
  void negativeModifyOffsetIsEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(cat(RawClient.modify(appender, -1, ascii("abc")), RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
  }

  @Test
  void truncateGrowingTheFileIsEinval() throws Exception {
    long size = Files.size(fileOf(appender));
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.truncate(appender, size + 1));
      r.expect(EINVAL);
      r.activeTest();
    }
    assertEquals(size, Files.size(fileOf(appender)));
  }

  @Test
  void negativeTruncateSizeIsEinval() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.truncate(appender, -1));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void appenderNameLengthOutOfRangeIsEinvalAndDrained() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      // name length field 20 (< 44): rejected from the prefix, the rest is skipped
      byte[] body = cat(i64(20), i64(5), ascii("M00/00/00/abcdefghij"), ascii("12345"));
      r.send(cat(packet(24, body), RawClient.activeTestBytes()));
      r.expect(EINVAL);
      r.expect(0);
    }
  }

  @Test
  void appendToMissingAppenderIsEnoentAndDrained() throws Exception {
    String missing = appender.substring(0, 10) + "DDDD" + appender.substring(14);
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.append(missing, RawClient.bytes(300_000, 16)),
              RawClient.activeTestBytes()));
      int st = r.read().status();
      assertTrue(st == ENOENT || st == EINVAL, "status " + st);
      r.expect(0);
    }
  }

  // ---- disconnects mid-body
  // ----------------------------------------------------------------------------

  @Test
  void clientDisconnectingMidUploadLeavesNoFile() throws Exception {
    List<String> before = servers.storedFiles();
    long declared = 50L << 20;
    try (RawClient r = RawClient.open(port)) {
      r.send(new StorageRequest.Upload(false, -1, declared, "bin"));
      byte[] chunk = RawClient.bytes(1 << 20, 17);
      for (int i = 0; i < 5; i++) {
        r.send(chunk);
      }
      await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(20))
          .untilAsserted(
              () ->
                  assertFalse(
                      servers.tmpFiles().isEmpty(), "the upload never reached a temp file"));
    }
    assertEquals(List.of(), servers.awaitTmpEmpty(5000), "temp file not deleted");
    assertEquals(before, servers.storedFiles(), "a partial upload became visible");
  }

  @Test
  void clientDisconnectingMidAppendRollsBackAndClosesTheFile() throws Exception {
    String name = RawClient.uploadNew(port, 23, "ap", RawClient.bytes(100, 18));
    Path file = fileOf(name);
    long declared = 40L << 20;
    try (RawClient r = RawClient.open(port)) {
      r.send(new StorageRequest.WriteAppender(name, false, -1, declared));
      byte[] chunk = RawClient.bytes(1 << 20, 19);
      for (int i = 0; i < 8; i++) {
        r.send(chunk);
      }
      await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(10))
          .untilAsserted(
              () -> assertTrue(Files.size(file) > 100, "the append never reached the file"));
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> Files.size(file) == 100 && openDescriptorsOf(file) == 0);
    Thread.sleep(500); // a late batch write would grow the file again
    assertEquals(100, Files.size(file), "the interrupted append was not rolled back");
    assertEquals(0, openDescriptorsOf(file), "the storage still holds the appender file open");
    try (RawClient r = RawClient.open(port)) { // and the file lock is free: a new append works
      r.send(RawClient.append(name, ascii("ok")));
      r.expect(0);
    }
    assertEquals(102, Files.size(file));
  }

  @Test
  void clientClosingRightAfterTheAppenderNameDoesNotLockTheFile() throws Exception {
    for (int i = 0; i < 30; i++) {
      String name = RawClient.uploadNew(port, 23, "lk", RawClient.bytes(10, 20 + i));
      try (RawClient r = RawClient.open(port)) {
        r.send(new StorageRequest.WriteAppender(name, false, -1, 1000));
      } // closed before any content byte
      try (RawClient r = RawClient.open(port)) {
        r.send(RawClient.truncate(name, 0)); // takes the same per-file lock
        try {
          r.expect(0);
        } catch (java.net.SocketTimeoutException e) {
          throw new AssertionError(
              "iteration "
                  + i
                  + ": truncate of "
                  + name
                  + " hangs: the aborted append still holds the file lock",
              e);
        }
      }
    }
  }

  // ---- helpers
  // --------------------------------------------------------------------------------------------

  static Path fileOf(String remote) {
    FileId id = FileId.parseRemote(GROUP, remote);
    return servers
        .data
        .resolve(String.format("%02X", id.high()))
        .resolve(String.format("%02X", id.low()))
        .resolve(id.baseName());
  }

  /** File descriptors of this JVM (the storage runs in it) open on {@code file}. */
  static int openDescriptorsOf(Path file) throws IOException {
    int n = 0;
    Path target = file.toAbsolutePath().normalize();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(fd).equals(target)) {
            n++;
          }
        } catch (IOException ignored) {
          // closed meanwhile
        }
      }
    }
    return n;
  }

  @SuppressWarnings("unused")
  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x));
    }
    return sb.toString()
        + " "
        + new String(b, StandardCharsets.ISO_8859_1)
        + ByteBuffer.wrap(b).remaining();
  }
}
