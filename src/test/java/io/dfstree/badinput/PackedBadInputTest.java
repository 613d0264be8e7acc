package io.dfstree.badinput;

import static io.dfstree.RawClient.GROUP;
import static io.dfstree.RawClient.cat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.fileid.TrunkId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input against a packed (trunk-named) file, on a storage with the default configuration:
 * appender operations on it are EINVAL and leave it whole, forged trunk names find nothing, and
 * the connection serves on.
 */
class PackedBadInputTest {
  static final int EINVAL = 22;
  static final int ENOENT = 2;
  static Servers servers;
  static int port;
  static String packed;
  static final byte[] CONTENT = RawClient.bytes(1000, 1);

  @BeforeAll
  static void start() throws Exception {
    servers = Servers.start(s -> s.put("packed", new io.vertx.core.json.JsonObject().put("enabled", true)));
    port = servers.storagePort;
    packed = RawClient.uploadNew(port, 11, "txt", CONTENT);
    assertTrue(TrunkId.isTrunkName(packed), packed);
  }

  @AfterAll
  static void stop() throws Exception {
    servers.close();
  }

  static void assertWhole() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(RawClient.download(0, 0, GROUP, packed));
      RawClient.Reply reply = r.read();
      assertEquals(0, reply.status());
      assertArrayEquals(CONTENT, reply.body());
    }
  }

  @Test
  void appenderOperationsOnAPackedFileAreEinvalAndDrained() throws Exception {
    try (RawClient r = RawClient.open(port)) {
      r.send(cat(RawClient.append(packed, RawClient.bytes(100_000, 13)), RawClient.activeTestBytes()));
      assertEquals(EINVAL, r.read().status());
      assertEquals(0, r.read().status());
      r.send(
          cat(RawClient.modify(packed, 0, RawClient.bytes(50_000, 14)), RawClient.activeTestBytes()));
      assertEquals(EINVAL, r.read().status());
      assertEquals(0, r.read().status());
      r.send(RawClient.truncate(packed, 0));
      assertEquals(EINVAL, r.read().status());
      r.send(RawClient.regenerate(packed));
      assertEquals(EINVAL, r.read().status());
      r.activeTest();
    }
    assertWhole();
  }

  @Test
  void forgedTrunkNamesFindNothing() throws Exception {
    TrunkId t = TrunkId.parse(packed);
    // the same slot under other random bits; a slot in the middle of the real one; a volume that
    // does not exist
    TrunkId[] forged = {
      new TrunkId(t.storePathIndex(), t.sourceKey(), t.createTime(), t.sizeHigh() ^ 1, t.fileSize(),
          t.crc32(), t.volume(), t.offset(), t.slotLength(), t.extPart()),
      new TrunkId(t.storePathIndex(), t.sourceKey(), t.createTime(), t.sizeHigh(), t.fileSize(),
          t.crc32(), t.volume(), t.offset() + 32, t.slotLength(), t.extPart()),
      new TrunkId(t.storePathIndex(), t.sourceKey(), t.createTime(), t.sizeHigh(), t.fileSize(),
          t.crc32(), t.volume() + 7, t.offset(), t.slotLength(), t.extPart())
    };
    try (RawClient r = RawClient.open(port)) {
      for (TrunkId f : forged) {
        r.send(RawClient.download(0, 0, GROUP, f.remoteName()));
        assertEquals(ENOENT, r.read().status(), f.remoteName());
      }
      // directories that do not match the volume the name carries: not a name we ever gave
      String moved = "M00/FF/FF/" + packed.substring(10);
      r.send(RawClient.download(0, 0, GROUP, moved));
      assertEquals(EINVAL, r.read().status(), moved);
      r.activeTest();
    }
    assertWhole();
  }
}
