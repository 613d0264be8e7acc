package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.JoinConfig;
import io.dfstree.config.Config;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

class LauncherHazelcastTest {
  @Test
  void tcpIpMembersByDefault() {
    var cluster = Config.defaults().getJsonObject("cluster").put("members", new JsonArray().add("127.0.0.1:5801"));
    JoinConfig join = Launcher.hazelcast(cluster).getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(java.util.List.of("127.0.0.1:5801"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
  }

  @Test
  void kubernetesDnsModeWhenAServiceIsNamed() {
    var cluster = Config.defaults().getJsonObject("cluster").put("kubernetesService", "hz.ns.svc.cluster.local");
    JoinConfig join = Launcher.hazelcast(cluster).getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("hz.ns.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
  }
}
