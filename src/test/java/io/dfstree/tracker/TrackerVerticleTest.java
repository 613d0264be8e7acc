package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import io.dfstree.api.Addresses;
import io.dfstree.api.Heartbeat;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.Wire;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.ServerInfo;
import org.csource.fastdfs.StorageServer;
import org.csource.fastdfs.StructGroupStat;
import org.csource.fastdfs.StructStorageStat;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tracker over a real loopback socket: raw protocol and the official Java client 1.27. */
@ExtendWith(VertxExtension.class)
class TrackerVerticleTest {
  private Vertx vertx;
  private int port;

  /** Stands in for the storage: the 1.27 client connects to every storage it is given. */
  private ServerSocket fakeStorage;

  @BeforeEach
  void deploy(Vertx vertx) throws Exception {
    this.vertx = vertx;
    port = TestPorts.free();
    fakeStorage = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    JsonObject config =
        new JsonObject()
            .put("host", "127.0.0.1")
            .put("port", port)
            .put("storeLookup", 0)
            .put("storeGroup", "group1")
            .put("storeServer", 0)
            .put("storePath", 0)
            .put("downloadServer", 0)
            .put("listLayout", "legacy")
            .put("heartbeatTimeoutMs", 800)
            .put("storageSyncFileMaxDelay", 86400)
            .put("storageSyncFileMaxTime", 300)
            .put("maxRequestBytes", 1024)
            .put("allowHosts", new JsonArray())
            .put("requestBodyTimeoutMs", 300);
    await(vertx.deployVerticle(new TrackerVerticle(), new DeploymentOptions().setConfig(config)));
    beat(100001, "ACTIVE");
    ClientGlobal.initByTrackers("127.0.0.1:" + port);
  }

  @AfterEach
  void closeFakeStorage() throws IOException {
    fakeStorage.close();
  }

  private void beat(int id, String status) throws Exception {
    Heartbeat b =
        Beats.beat(
            id, "group1", status, List.of(Beats.path(0, 50), Beats.path(1, 70)), 10, Map.of());
    Heartbeat h =
        new Heartbeat(
            id,
            "group1",
            "127.0.0.1",
            fakeStorage.getLocalPort(),
            0,
            status,
            b.storePaths(),
            256,
            10,
            "6.0.7",
            b.joinTime(),
            b.upTime(),
            2000,
            b.counters(),
            b.connections(),
            0,
            0,
            Map.of(),
            0,
            null);
    vertx.eventBus().publish(Addresses.HEARTBEAT, h.toJson());
    groups(); // a request/reply round trip on the tracker's context: the beat was applied before it
  }

  private JsonObject groups() throws Exception {
    return await(
            vertx
                .eventBus()
                .<JsonObject>request(
                    TrackerVerticle.QUERY_ADDRESS, new JsonObject().put("op", "groups")))
        .body();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    s.setSoTimeout(3000);
    return s;
  }

  /** Reads one response: header, then the body it declares. */
  private static Buffer readResponse(InputStream in) throws IOException {
    byte[] header = new DataInputStream(in).readNBytes(10);
    assertEquals(10, header.length, "complete header");
    PacketHeader h = PacketHeader.decode(header);
    assertEquals(100, h.commandCode());
    byte[] body = in.readNBytes((int) h.bodyLength());
    return Buffer.buffer(header).appendBytes(body);
  }

  @Test
  void javaClientListsGroupsAndStorages() throws Exception {
    TrackerClient client = new TrackerClient();
    TrackerServer ts = client.getConnection();
    StructGroupStat[] groups = client.listGroups(ts);
    assertEquals(1, groups.length);
    assertEquals("group1", groups[0].getGroupName());
    assertEquals(50 * 1024 + 70 * 1024, groups[0].getFreeMB());
    assertEquals(1, groups[0].getActiveCount());
    StructStorageStat[] storages = client.listStorages(ts, "group1");
    assertEquals(1, storages.length);
    assertEquals("100001", storages[0].getId());
    assertEquals("127.0.0.1", storages[0].getIpAddr());
    assertEquals(fakeStorage.getLocalPort(), storages[0].getStoragePort());
    assertEquals(7, storages[0].getStatus());
    assertEquals(120 * 1024, storages[0].getFreeMB());
    assertEquals(1, client.listStorages(ts, "group1", "127.0.0.1").length);
    ts.close();
  }

  @Test
  void javaClientQueries() throws Exception {
    TrackerClient client = new TrackerClient();
    String file = RoutingTest.file(100001, System.currentTimeMillis() / 1000 - 5);
    StorageServer a = client.getStoreStorage(client.getConnection());
    assertNotNull(a, "errno " + client.getErrorCode());
    assertEquals(fakeStorage.getLocalPort(), a.getInetSocketAddress().getPort());
    StorageServer b = client.getStoreStorage(client.getConnection(), "group1");
    assertNotEquals(a.getStorePathIndex(), b.getStorePathIndex(), "store path round robin");
    a.close();
    b.close();
    StorageServer[] all = client.getStoreStorages(client.getConnection(), "group1");
    assertEquals(1, all.length);
    all[0].close();
    StorageServer fetch = client.getFetchStorage(client.getConnection(), "group1", file);
    assertEquals("127.0.0.1", fetch.getInetSocketAddress().getAddress().getHostAddress());
    fetch.close();
    ServerInfo[] infos = client.getFetchStorages(client.getConnection(), "group1", file);
    assertEquals(1, infos.length);
    assertEquals(fakeStorage.getLocalPort(), infos[0].getPort());
    StorageServer update = client.getUpdateStorage(client.getConnection(), "group1", file);
    assertNotNull(update);
    update.close();
    assertNull(client.getStoreStorage(client.getConnection(), "nogroup"));
    assertEquals(2, client.getErrorCode());
  }

  @Test
  void javaClientDeleteStorageRefusedWhileActiveThenAccepted() throws Exception {
    TrackerClient client = new TrackerClient();
    assertFalse(client.deleteStorage("group1", "127.0.0.1"));
    assertEquals(16, client.getErrorCode());
    vertx
        .eventBus()
        .publish(
            Addresses.STORAGE_LEAVING,
            new JsonObject().put("storageId", 100001).put("group", "group1"));
    groups();
    assertTrue(client.deleteStorage("group1", "127.0.0.1"), "errno " + client.getErrorCode());
    JsonObject s =
        groups().getJsonArray("groups").getJsonObject(0).getJsonArray("storages").getJsonObject(0);
    assertEquals("DELETED", s.getString("state"));
  }

  @Test
  void silentStorageTurnsOffline() throws Exception {
    Awaitility.await()
        .atMost(Duration.ofSeconds(4))
        .untilAsserted(
            () ->
                assertEquals(
                    "OFFLINE",
                    groups()
                        .getJsonArray("groups")
                        .getJsonObject(0)
                        .getJsonArray("storages")
                        .getJsonObject(0)
                        .getString("state")));
    TrackerClient client = new TrackerClient();
    assertNull(client.getStoreStorage(client.getConnection()));
    assertEquals(2, client.getErrorCode());
  }

  @Test
  void unknownCommandKeepsTheConnection() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write(PacketHeader.request((byte) 42, Buffer.buffer()).getBytes());
      assertEquals(22, readResponse(s.getInputStream()).getByte(9));
      out.write(PacketHeader.request((byte) 111, Buffer.buffer()).getBytes());
      Buffer ok = readResponse(s.getInputStream());
      assertEquals(0, ok.getByte(9));
      assertEquals(10, ok.length());
      out.write(PacketHeader.request((byte) 111, Buffer.buffer("x")).getBytes());
      assertEquals(22, readResponse(s.getInputStream()).getByte(9), "non-empty ACTIVE_TEST");
    }
  }

  @Test
  void twoRequestsInOneWriteGetTwoReplies() throws Exception {
    try (Socket s = connect()) {
      Buffer two =
          PacketHeader.request((byte) 104, Wire.appendFixed(Buffer.buffer(), "group1", 16))
              .appendBuffer(PacketHeader.request((byte) 91, Buffer.buffer()));
      s.getOutputStream().write(two.getBytes());
      assertEquals(50, readResponse(s.getInputStream()).length());
      assertEquals(10 + 105, readResponse(s.getInputStream()).length());
    }
  }

  @Test
  void oversizedDeclaredLengthGetsEinvalThenClose() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              Buffer.buffer()
                  .appendLong(1 << 20)
                  .appendByte((byte) 92)
                  .appendByte((byte) 0)
                  .getBytes());
      assertEquals(22, readResponse(s.getInputStream()).getByte(9));
      assertEquals(-1, s.getInputStream().read(), "closed");
    }
  }

  @Test
  void truncatedBodyThenCloseLeavesTheServerServing() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream()
          .write(
              Buffer.buffer()
                  .appendLong(16)
                  .appendByte((byte) 104)
                  .appendByte((byte) 0)
                  .appendString("grou")
                  .getBytes());
    }
    try (Socket s = connect()) {
      s.getOutputStream().write(PacketHeader.request((byte) 111, Buffer.buffer()).getBytes());
      assertEquals(0, readResponse(s.getInputStream()).getByte(9));
    }
  }

  @Test
  void stalledBodyIsClosedButIdleConnectionIsNot() throws Exception {
    try (Socket idle = connect();
        Socket stalled = connect()) {
      stalled
          .getOutputStream()
          .write(
              Buffer.buffer()
                  .appendLong(16)
                  .appendByte((byte) 104)
                  .appendByte((byte) 0)
                  .appendString("gr")
                  .getBytes());
      assertEquals(-1, stalled.getInputStream().read(), "closed after the body timeout");
      idle.getOutputStream().write(PacketHeader.request((byte) 111, Buffer.buffer()).getBytes());
      assertEquals(0, readResponse(idle.getInputStream()).getByte(9));
    }
  }

  @Test
  void quitClosesWithoutReply() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(PacketHeader.request((byte) 82, Buffer.buffer()).getBytes());
      assertEquals(-1, s.getInputStream().read());
    }
  }

  @Test
  void unknownQueryOpFails() {
    assertThrows(
        Exception.class,
        () ->
            await(
                vertx
                    .eventBus()
                    .request(TrackerVerticle.QUERY_ADDRESS, new JsonObject().put("op", "nope"))));
  }
}
