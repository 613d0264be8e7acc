package io.dfstree.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.RawClient;
import io.dfstree.SingleNodeServer;
import io.dfstree.protocol.TrackerRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code tracker.listLayout: modern} list answers use the 6.13.1+ record sizes (113 / 487).
 */
class ModernListLayoutTest {
  static SingleNodeServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = SingleNodeServer.start(c -> c.getJsonObject("tracker").put("listLayout", "modern"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void listGroupsAnswersOne113ByteRecord() throws Exception {
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      RawClient.Reply a = t.call(new TrackerRequest.ListGroups());
      assertEquals(0, a.status());
      assertEquals(113, a.body().length);
      assertEquals(SingleNodeServer.GROUP, a.fixedAt(0, 17));
      long totalMb = a.longAt(17);
      long freeMb = a.longAt(25);
      assertTrue(totalMb > 0 && freeMb > 0 && freeMb <= totalMb);
      assertEquals(1, a.longAt(17 + 8 * 4), "storage_count");
      assertEquals(server.storagePort(), a.longAt(17 + 8 * 5), "storage_port");
      assertEquals(1, a.longAt(17 + 8 * 6), "readable_server_count");
      assertEquals(1, a.longAt(17 + 8 * 7), "writable_server_count");
      assertEquals(-1, a.longAt(17 + 8 * 11), "current_trunk_file_id");
    }
  }

  @Test
  void listStoragesAnswersOne487ByteRecord() throws Exception {
    try (RawClient t = RawClient.open(server.trackerPort(), 10_000)) {
      RawClient.Reply a = t.call(new TrackerRequest.ListStorages(SingleNodeServer.GROUP, ""));
      assertEquals(0, a.status());
      assertEquals(487, a.body().length);
      assertEquals(7, a.body()[0], "status ACTIVE");
      assertEquals(6, a.body()[1], "rw_mode R_OK|W_OK");
      assertEquals(SingleNodeServer.STORAGE_ID, a.fixedAt(2, 16));
      assertEquals("127.0.0.1", a.fixedAt(18, 16));
      // after status, rw_mode, id, ip, src_id, version: join, up, total, free, reserved, priority,
      // path count, subdirs, write path, port
      int longs = 1 + 1 + 16 + 16 + 16 + 8;
      assertTrue(a.longAt(longs + 16) > 0, "total_mb");
      assertEquals(1, a.longAt(longs + 48), "store_path_count");
      assertEquals(16, a.longAt(longs + 56), "subdir_count_per_path");
      assertEquals(server.storagePort(), a.longAt(longs + 72), "storage_port");
    }
  }
}
