package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.api.Addresses;
import io.dfstree.api.Heartbeat;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A storage whose process dies is OFFLINE at the tracker within a second (its port stops
 * answering), long before the heartbeat timeout (a minute here); late heartbeats of the dead
 * process do not bring it back, a restarted process is admitted at its first beat.
 */
@ExtendWith(VertxExtension.class)
class FastFailoverTest {
  @Test
  void aStorageWhosePortDiesIsOfflineWithinASecond(Vertx vertx) throws Exception {
    int trackerPort = io.dfstree.TestPorts.free();
    JsonObject config =
        new JsonObject()
            .put("host", "127.0.0.1")
            .put("port", trackerPort)
            .put("storeLookup", 0)
            .put("storeGroup", "group1")
            .put("storeServer", 0)
            .put("storePath", 0)
            .put("downloadServer", 0)
            .put("listLayout", "legacy")
            .put("heartbeatTimeoutMs", 60_000)
            .put("storageSyncFileMaxDelay", 86400)
            .put("storageSyncFileMaxTime", 300)
            .put("maxRequestBytes", 1024)
            .put("allowHosts", new JsonArray());
    await(vertx.deployVerticle(new TrackerVerticle(), new DeploymentOptions().setConfig(config)));

    ServerSocket storage = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    int storagePort = storage.getLocalPort();
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(storage.accept());
                }
              } catch (Exception closed) {
                // the "process" died
              }
            });
    acceptor.start();
    long upTime = 1_700_000_000L;
    beat(vertx, storagePort, upTime);
    assertEquals("ACTIVE", state(vertx));
    long until = System.currentTimeMillis() + 5000;
    while (accepted.isEmpty() && System.currentTimeMillis() < until) {
      Thread.sleep(20);
    }
    assertFalse(accepted.isEmpty(), "the tracker holds a connection to the storage's port");

    // kill -9: the kernel closes the process's sockets and its port refuses connections
    long killedAt = System.currentTimeMillis();
    storage.close();
    // the acceptor first: a blocked accept() can still hand over a connection the tracker made
    // in the moment before the close took (its reconnect), and a killed process closes that one
    // too; closing the list before the acceptor had added it left the tracker a live connection
    acceptor.join(2000);
    for (Socket s : accepted) {
      s.close();
    }
    // well under a second on a quiet machine; the bound leaves room for a loaded CI host and is
    // still far below the heartbeat timeout (a minute here)
    until = killedAt + 5000;
    while (!"OFFLINE".equals(state(vertx)) && System.currentTimeMillis() < until) {
      Thread.sleep(10);
    }
    assertEquals(
        "OFFLINE", state(vertx), "OFFLINE at once after the kill, not after the heartbeat timeout");
    System.out.println(
        "storage OFFLINE at the tracker "
            + (System.currentTimeMillis() - killedAt)
            + " ms after the kill");

    beat(vertx, storagePort, upTime); // sent before it died, delivered late
    assertEquals("OFFLINE", state(vertx), "a late heartbeat of the dead process");
    beat(vertx, storagePort, upTime + 30); // the restarted process
    assertEquals("ACTIVE", state(vertx));
  }

  private static void beat(Vertx vertx, int port, long upTime) throws Exception {
    Heartbeat b = Beats.active(7, "group1");
    Heartbeat h =
        new Heartbeat(
            7,
            "group1",
            "127.0.0.1",
            port,
            0,
            "ACTIVE",
            b.storePaths(),
            256,
            10,
            "6.0.7",
            b.joinTime(),
            upTime,
            2000,
            b.counters(),
            b.connections(),
            0,
            0,
            Map.of(),
            0,
            null);
    vertx.eventBus().publish(Addresses.HEARTBEAT, h.toJson());
  }

  private static String state(Vertx vertx) throws Exception {
    JsonObject groups =
        await(
                vertx
                    .eventBus()
                    .<JsonObject>request(
                        TrackerVerticle.QUERY_ADDRESS, new JsonObject().put("op", "groups")))
            .body();
    return groups
        .getJsonArray("groups")
        .getJsonObject(0)
        .getJsonArray("storages")
        .getJsonObject(0)
        .getString("state");
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
