package io.dfstree.badinput;

import static io.dfstree.RawClient.ascii;
import static io.dfstree.RawClient.cat;
import static io.dfstree.RawClient.fixed;
import static io.dfstree.RawClient.header;
import static io.dfstree.RawClient.packet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dfstree.RawClient;
import io.dfstree.protocol.TrackerRequest;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed requests against a real tracker (fastdfs-protocol.md §1.2, §2.2, §2.3). */
class TrackerBadInputTest {
  static final int EINVAL = 22;
  static final int ENOENT = 2;
  static Servers servers;
  static int port;
  static String name;

  @BeforeAll
  static void start() throws Exception {
    servers = Servers.start();
    port = servers.trackerPort;
    name = RawClient.uploadNew(servers.storagePort, 11, "txt", RawClient.bytes(100, 1));
  }

  @AfterAll
  static void stop() throws Exception {
    servers.close();
  }

  @AfterEach
  void stillServes() throws Exception {
    RawClient.activeTest(port);
    try (RawClient r = RawClient.open(port)) { // and still routes
      r.send(new TrackerRequest.QueryStore(null, false));
      assertEquals(40, r.expect(0).length());
    }
  }

  static Stream<Arguments> badLengths() {
    byte[] g = fixed("group1", 16);
    return Stream.of(
        Arguments.of("101 with a body", 101, new byte[1]),
        Arguments.of("101 with 16 bytes", 101, g),
        Arguments.of("104 with 15 bytes", 104, Arrays.copyOf(g, 15)),
        Arguments.of("104 with 17 bytes", 104, Arrays.copyOf(g, 17)),
        Arguments.of("104 empty", 104, new byte[0]),
        Arguments.of("104 group with slash", 104, fixed("gr/up", 16)),
        Arguments.of(
            "104 nul inside group", 104, cat(ascii("gr"), new byte[] {0, 'x'}, new byte[12])),
        Arguments.of("102 empty", 102, new byte[0]),
        Arguments.of("102 group only", 102, g),
        Arguments.of("102 name of 21 bytes", 102, cat(g, ascii(name.substring(0, 21)))),
        Arguments.of(
            "102 name of 128 bytes", 102, cat(g, ascii(name + "x".repeat(128 - name.length())))),
        Arguments.of("103 15 bytes", 103, Arrays.copyOf(g, 15)),
        Arguments.of("103 name of 21 bytes", 103, cat(g, ascii(name.substring(0, 21)))),
        Arguments.of(
            "103 name of 128 bytes", 103, cat(g, ascii(name + "x".repeat(128 - name.length())))),
        Arguments.of("105 name of 21 bytes", 105, cat(g, ascii(name.substring(0, 21)))),
        Arguments.of(
            "102 path trick", 102, cat(g, ascii("M00/00/00/../../../../etc/passwd-------"))),
        Arguments.of("103 lower-case hex", 103, cat(g, ascii("M00/0a/00/" + name.substring(10)))),
        Arguments.of("102 bad base64", 102, cat(g, ascii("M00/00/00/" + "." + name.substring(11)))),
        Arguments.of("106 with a body", 106, new byte[2]),
        Arguments.of("107 with 15 bytes", 107, Arrays.copyOf(g, 15)),
        Arguments.of("91 with a body", 91, new byte[1]),
        Arguments.of("90 with 15 bytes", 90, Arrays.copyOf(g, 15)),
        Arguments.of("92 with 15 bytes", 92, Arrays.copyOf(g, 15)),
        Arguments.of("92 with 32 bytes", 92, cat(g, new byte[16])),
        Arguments.of("93 group only", 93, g),
        Arguments.of("69 with 3 bytes", 69, new byte[3]),
        Arguments.of("69 negative start", 69, new byte[] {(byte) 0xFF, 0, 0, 0, 1}),
        Arguments.of("75 with a body", 75, new byte[1]),
        Arguments.of("95 with a body", 95, new byte[1]),
        Arguments.of("111 with a body", 111, new byte[1]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badLengths")
  void badBodyIsEinvalAndKeepsTheConnection(String what, int cmd, byte[] body) throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(packet(cmd, body));
      r.expect(EINVAL);
      r.activeTest();
    }
  }

  @Test
  void validQueriesStillWork() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(new TrackerRequest.QueryStore("group1", false));
      assertEquals(40, r.expect(0).length());
      r.send(new TrackerRequest.QueryFetch("group1", name, false));
      assertEquals(39, r.expect(0).length());
      r.send(new TrackerRequest.QueryUpdate("group1", name));
      assertEquals(39, r.expect(0).length());
    }
  }

  @Test
  void unknownGroupIsEnoent() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(new TrackerRequest.QueryStore("nosuchgroup", false));
      r.expect(ENOENT);
      r.activeTest();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 11, 14, 81, 83, 100, 110, 112, 200, 255})
  void unknownCommandKeepsTheConnection(int cmd) throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(packet(cmd, ascii("some body")));
      int st = r.read().status();
      // storage-only commands on a client connection may be EACCES (13) upstream; unknown ones
      // EINVAL
      if (st != 13) {
        assertEquals(EINVAL, st);
      }
      r.activeTest();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {101, 102, 103, 104, 111})
  void declaredLengthOverTheLimitIsEinvalAndClose(int cmd) throws Exception {
    int limit = servers.config.getJsonObject("tracker").getInteger("maxRequestBytes");
    try (RawClient r = RawClient.open(port)) {
      r.send(header(limit + 1L, cmd, 0));
      r.expect(EINVAL);
      r.expectClosed();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, Long.MIN_VALUE, Long.MAX_VALUE})
  void absurdDeclaredLengthIsEinvalAndClose(long len) throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(header(len, 102, 0));
      r.expect(EINVAL);
      r.expectClosed();
    }
  }

  @Test
  void truncatedHeaderThenClose() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(Arrays.copyOf(header(0, 101, 0), 7));
    }
  }

  @Test
  void bodyShorterThanDeclaredThenClose() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(cat(header(16 + 44, 102, 0), fixed("group1", 16), ascii("M00/00")));
    }
  }

  @Test
  void bodyLongerThanDeclaredIsParsedAsTheNextHeader() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(
          cat(
              RawClient.wire(new TrackerRequest.QueryStore(null, false)),
              header(0, 201, 0),
              RawClient.activeTestBytes()));
      assertEquals(40, r.expect(0).length());
      r.expect(EINVAL);
      r.expect(0);
    }
  }

  @Test
  void headerSplitAcrossWritesIsReassembled() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      byte[] q = RawClient.wire(new TrackerRequest.QueryStore("group1", false));
      for (byte b : q) {
        r.send(new byte[] {b});
      }
      assertEquals(40, r.expect(0).length());
    }
  }

  @Test
  void quitClosesWithoutReply() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(new TrackerRequest.Quit());
      r.expectClosed();
    }
  }
}
