package io.dfstree.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TestPorts;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sessions over a real loopback socket: streaming, exact framing, errors, failover. */
class SessionOverSocketTest {
  static final String NAME = "M00/00/00/wKgBaF1234AbCdEfGhIjKlMnOpQ419.jpg";
  static final FdfsClientOptions NO_TRACKERS_USED =
      FdfsClientOptions.of(List.of(new ServerAddress("127.0.0.1", 1)));

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void uploadStreamsContentLargerThanOneChunkIntact() throws Exception {
    byte[] content = randomBytes(200 * 1024 + 17);
    try (FakeFdfsServer server =
            FakeFdfsServer.start(
                (r, port) -> FakeFdfsServer.ok(Bytes.of().fixed("group1", 16).text(NAME).bytes()));
        StorageSession s = StorageSession.open(server.address(), NO_TRACKERS_USED)) {
      StoredFile f = s.upload(1, new ByteArrayInputStream(content), content.length, "jpg");
      assertEquals("group1/" + NAME, f.fileId());
      FakeFdfsServer.Request r = server.requests().get(0);
      assertEquals(11, r.command());
      byte[] prefix =
          Arrays.copyOfRange(
              io.dfstree.protocol.StorageCodec.encode(
                      new io.dfstree.protocol.StorageRequest.Upload(
                          false, 1, content.length, "jpg"))
                  .getBytes(),
              10,
              25);
      assertArrayEquals(prefix, Arrays.copyOfRange(r.body(), 0, 15));
      assertArrayEquals(content, Arrays.copyOfRange(r.body(), 15, r.body().length));
    }
  }

  @Test
  void errorStatusKeepsTheSessionUsable() throws Exception {
    try (FakeFdfsServer server =
            FakeFdfsServer.start(
                (r, port) ->
                    r.command() == 12
                        ? FakeFdfsServer.error(Errno.ENOENT)
                        : FakeFdfsServer.ok(new byte[0]));
        StorageSession s = StorageSession.open(server.address(), NO_TRACKERS_USED)) {
      FdfsException e = assertThrows(FdfsException.class, () -> s.delete("group1", NAME));
      assertEquals(Errno.ENOENT, e.errno());
      assertTrue(e.getMessage().contains("delete group1/" + NAME), e.getMessage());
      assertTrue(s.isUsable());
      s.activeTest();
      assertEquals(
          List.of(12, 111),
          server.requests().stream().map(FakeFdfsServer.Request::command).toList());
    }
  }

  @Test
  void downloadStreamsTheWholeBody() throws Exception {
    byte[] content = randomBytes(150 * 1024);
    try (FakeFdfsServer server = FakeFdfsServer.start((r, port) -> FakeFdfsServer.ok(content));
        StorageSession s = StorageSession.open(server.address(), NO_TRACKERS_USED)) {
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      assertEquals(content.length, s.download("group1", NAME, 5, 0, sink));
      assertArrayEquals(content, sink.toByteArray());
      assertEquals(14, server.requests().get(0).command());
    }
  }

  @Test
  void missingMetadataIsAnEmptyMapAndPresentMetadataIsDecoded() throws Exception {
    byte[] info = Bytes.of().i64(3).i64(1_700_000_000L).i64(0).fixed("127.0.0.1", 16).bytes();
    try (FakeFdfsServer server =
            FakeFdfsServer.start(
                (r, port) ->
                    r.command() == 22
                        ? FakeFdfsServer.ok(info)
                        : r.body().length > 60
                            ? FakeFdfsServer.ok(new byte[] {'a', 2, '1', 1, 'b', 2, '2'})
                            : FakeFdfsServer.error(Errno.ENOENT));
        StorageSession s = StorageSession.open(server.address(), NO_TRACKERS_USED)) {
      assertTrue(s.getMetadata("group1", NAME).isEmpty());
      assertEquals(
          List.of(15, 22),
          server.requests().stream().map(FakeFdfsServer.Request::command).toList());
      assertEquals(Map.of("a", "1", "b", "2"), s.getMetadata("group1", NAME + "x"));
    }
  }

  @Test
  void metadataOfAMissingFileIsENOENT() throws Exception {
    try (FakeFdfsServer server =
            FakeFdfsServer.start((r, port) -> FakeFdfsServer.error(Errno.ENOENT));
        StorageSession s = StorageSession.open(server.address(), NO_TRACKERS_USED)) {
      FdfsException e = assertThrows(FdfsException.class, () -> s.getMetadata("group1", NAME));
      assertEquals(Errno.ENOENT, e.errno());
      assertEquals(
          22, server.requests().get(1).command(), "asked the storage whether the file exists");
      assertTrue(s.isUsable());
    }
  }

  @Test
  void shortLocalContentBreaksTheSession() throws Exception {
    try (FakeFdfsServer server = FakeFdfsServer.start((r, port) -> FakeFdfsServer.ok(new byte[0]));
        StorageSession s = StorageSession.open(server.address(), NO_TRACKERS_USED)) {
      assertThrows(
          EOFException.class, () -> s.upload(0, new ByteArrayInputStream(new byte[10]), 20, ""));
      assertFalse(s.isUsable());
    }
  }

  @Test
  void wrongAnswerLengthIsAProtocolError() throws Exception {
    try (FakeFdfsServer server =
            FakeFdfsServer.start((r, port) -> FakeFdfsServer.ok(new byte[12]));
        TrackerSession t = TrackerSession.open(server.address(), NO_TRACKERS_USED)) {
      assertThrows(java.net.ProtocolException.class, () -> t.queryStore(null));
    }
  }

  @Test
  void clientFailsOverToTheNextTrackerAndRoundTripsAFile() throws Exception {
    int deadPort;
    deadPort = TestPorts.free();
    InMemoryFastDfs cluster = new InMemoryFastDfs();
    try (FakeFdfsServer server = FakeFdfsServer.start(cluster)) {
      FdfsClient client =
          new FdfsClient(
              FdfsClientOptions.of(
                  List.of(new ServerAddress("127.0.0.1", deadPort), server.address())));
      byte[] content = randomBytes(70_000);
      StoredFile f =
          client.upload(
              null,
              new ByteArrayInputStream(content),
              content.length,
              "bin",
              Map.of("k", "v"),
              false);
      assertEquals(Map.of("k", "v"), client.getMetadata(f.fileId()));
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      client.download(f.fileId(), 0, 0, sink);
      assertArrayEquals(content, sink.toByteArray());
      client.delete(f.fileId());
      assertTrue(cluster.files.isEmpty());
    }
  }
}
