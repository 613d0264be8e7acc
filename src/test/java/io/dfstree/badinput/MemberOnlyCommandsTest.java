package io.dfstree.badinput;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.PeerHandshake;
import java.nio.ByteBuffer;
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
    return Raw.packet(121, ByteBuffer.allocate(16).putInt(999).putLong(0).putInt(1 << 16).array());
  }

  static byte[] replicaUpload(byte[] data, String name) {
    ByteBuffer b = ByteBuffer.allocate(9 + data.length + 8 + 128);
    b.putLong(data.length).put((byte) 0).put(data).putLong(System.currentTimeMillis() / 1000).put(Raw.fixed(name, 128));
    return Raw.packet(120, b.array());
  }

  @Test
  void anOutsiderCannotReadTheBinlog() throws Exception {
    try (Raw r = Raw.open(servers.storagePort)) {
      r.send(binlogFetch());
      r.expect(13); // EACCES
      r.expectClosed();
    }
  }

  @Test
  void anOutsiderCannotInjectAFile() throws Exception {
    String name = "M00/00/00/" + "wKgAAWdYxxxAAAAAAAAAAAAAAAA".substring(0, 27) + ".jpg";
    List<String> before = servers.storedFiles();
    try (Raw r = Raw.open(servers.storagePort)) {
      r.send(replicaUpload("not yours".getBytes(), name));
      r.expect(13);
      r.expectClosed();
    }
    assertEquals(before, servers.storedFiles(), "nothing was stored");
  }

  @Test
  void anOutsiderCannotDownloadAsAPeer() throws Exception {
    try (Raw r = Raw.open(servers.storagePort)) {
      String name = "M00/00/00/wKgAAWdYxxxAAAAAAAAAAAAAAAA.jpg";
      r.send(Raw.packet(122, Raw.cat(Raw.i64(0), Raw.i64(0), Raw.fixed("group1", 16), Raw.ascii(name))));
      r.expect(13);
      r.expectClosed();
    }
  }

  @Test
  void aWrongSecretIsRefusedAndCannotBeRetriedOnTheSameConnection() throws Exception {
    try (Raw r = Raw.open(servers.storagePort)) {
      assertEquals(13, PeerHandshake.prove(r.socket, "a guess", 1));
      r.expectClosed();
    }
    try (Raw r = Raw.open(servers.storagePort)) {
      // a proof without a challenge proves nothing
      r.send(Raw.packet(124, new byte[40]));
      r.expect(13);
      r.expectClosed();
    }
  }

  @Test
  void aMemberReadsTheBinlog() throws Exception {
    try (Raw r = Raw.open(servers.storagePort)) {
      assertEquals(0, PeerHandshake.prove(r.socket, SECRET, 42));
      r.send(binlogFetch());
      Raw.Reply reply = r.expect(0);
      assertTrue(reply.length() >= 16, "clock and size, then lines");
      r.activeTest(); // the connection stays usable
    }
  }

  @Test
  void clientCommandsNeedNoProof() throws Exception {
    Raw.activeTest(servers.storagePort);
    assertTrue(Files.isDirectory(servers.data));
  }
}
