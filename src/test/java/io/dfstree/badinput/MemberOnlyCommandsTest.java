package io.dfstree.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.PeerHandshake;
import io.dfstree.RawClient;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageRequest;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Commands 120 (replica upload), 121 (binlog read) and 122 (peer download) are served only on a
 * connection that has proved it holds the cluster secret (storage.PeerAuth); an outsider gets
 * EACCES and the connection closed — before, anyone reaching the port could inject files and read
 * the list of every file name.
 */
class MemberOnlyCommandsTest {
  static final String SECRET = "member-only-commands-test-secret";
  static Servers servers;

  @BeforeAll
  static void start() throws Exception {
    servers = Servers.startWith(c -> c.getJsonObject("cluster").put("secret", SECRET));
  }

  @AfterAll
  static void stop() throws Exception {
    servers.close();
  }

  static byte[] binlogFetch() {
    return RawClient.wire(new StorageRequest.BinlogFetch(999, 0, 1 << 16));
  }

  static byte[] replicaUpload(byte[] data, String name) {
    return RawClient.cat(
        RawClient.wire(new StorageRequest.ReplicaUpload(data.length, 0), data),
        StorageCodec.encodeTrailer(
                new StorageRequest.ReplicaTrailer(System.currentTimeMillis() / 1000, name))
            .getBytes());
  }

  @Test
  void anOutsiderCannotReadTheBinlog() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(binlogFetch());
      r.expect(13); // EACCES
      r.expectClosed();
    }
  }

  @Test
  void anOutsiderCannotInjectAFile() throws Exception {
    String name = "M00/00/00/" + "wKgAAWdYxxxAAAAAAAAAAAAAAAA".substring(0, 27) + ".jpg";
    List<String> before = servers.storedFiles();
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(replicaUpload("not yours".getBytes(), name));
      r.expect(13);
      r.expectClosed();
    }
    assertEquals(before, servers.storedFiles(), "nothing was stored");
  }

  @Test
  void anOutsiderCannotDownloadAsAPeer() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      String name = "M00/00/00/wKgAAWdYxxxAAAAAAAAAAAAAAAA.jpg";
      r.send(new StorageRequest.Download(0, 0, "group1", name, true));
      r.expect(13);
      r.expectClosed();
    }
  }

  @Test
  void aWrongSecretIsRefusedAndCannotBeRetriedOnTheSameConnection() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      assertEquals(13, PeerHandshake.prove(r.socket, "a guess", 1));
      r.expectClosed();
    }
    try (RawClient r = RawClient.open(servers.storagePort)) {
      // a proof without a challenge proves nothing
      r.send(new StorageRequest.PeerAuthProve(0, new byte[32]));
      r.expect(13);
      r.expectClosed();
    }
  }

  @Test
  void aMemberReadsTheBinlog() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      assertEquals(0, PeerHandshake.prove(r.socket, SECRET, 42));
      r.send(binlogFetch());
      RawClient.Reply reply = r.expect(0);
      assertTrue(reply.length() >= 16, "clock and size, then lines");
      r.activeTest(); // the connection stays usable
    }
  }

  @Test
  void clientCommandsNeedNoProof() throws Exception {
    RawClient.activeTest(servers.storagePort);
    assertTrue(Files.isDirectory(servers.data));
  }
}
