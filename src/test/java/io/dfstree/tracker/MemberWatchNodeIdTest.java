package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.hazelcast.cluster.Member;
import io.dfstree.TestPorts;
import io.dfstree.server.Launcher;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A storage's heartbeat names its Vert.x node id; the tracker's member watch must find that id on
 * the Hazelcast member that leaves, or a member leaving turns nothing OFFLINE (found by nemfix:
 * Vert.x 5 names a node by a random id, not by the member's UUID). Two real clustered Vert.x
 * instances in this JVM, loopback.
 */
class MemberWatchNodeIdTest {
  @Test
  void aMembersNodeIdIsTheOneItsStorageSendsInHeartbeats() throws Exception {
    String name = "nodeid-" + UUID.randomUUID();
    int seed = TestPorts.free();
    int other = TestPorts.free();
    Vertx a = clustered(name, seed, seed);
    try {
      Vertx b = clustered(name, other, seed);
      try {
        String bNodeId = ((VertxInternal) b).clusterManager().getNodeId();
        var hz = ((HazelcastClusterManager) ((VertxInternal) a).clusterManager());
        Member bMember =
            hz.getHazelcastInstance().getCluster().getMembers().stream()
                .filter(m -> !m.localMember())
                .findFirst()
                .orElseThrow();
        assertNotEquals(
            bMember.getUuid().toString(), bNodeId, "Vert.x's node id is not the member's UUID");
        assertEquals(bNodeId, MemberWatch.vertxNodeId(bMember));
        // what the watch does with it: the storage whose heartbeat named that node goes OFFLINE
        GroupMap map = new GroupMap(30_000);
        map.apply(GroupMapTest.activeOnNode(1, bNodeId), 0);
        assertEquals(1, map.memberLeft(MemberWatch.vertxNodeId(bMember), 10).size());
        assertEquals(
            io.dfstree.protocol.StorageStatus.OFFLINE,
            map.storage(1).status(),
            "down when it left");
      } finally {
        b.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      a.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static Vertx clustered(String name, int port, int seed) throws Exception {
    JsonObject c =
        new JsonObject()
            .put("name", name)
            .put("host", "127.0.0.1")
            .put("port", port)
            .put("members", new JsonArray().add("127.0.0.1:" + seed));
    return Launcher.createVertx(new JsonObject().put("cluster", c), true)
        .await(90, TimeUnit.SECONDS);
  }
}
