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
    var cluster =
        Config.defaults()
            .getJsonObject("cluster")
            .put("members", new JsonArray().add("127.0.0.1:5801"));
    JoinConfig join = Launcher.hazelcast(cluster).getNetworkConfig().getJoin();
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(java.util.List.of("127.0.0.1:5801"), join.getTcpIpConfig().getMembers());
    assertFalse(join.getKubernetesConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
  }

  @Test
  void membersOnOtherMachinesGetThePortSoASplitBrainSearchIsShort() {
    var cluster =
        Config.defaults()
            .getJsonObject("cluster")
            .put("host", "10.0.0.12")
            .put("members", new JsonArray().add("10.0.0.1").add("10.0.0.2").add("10.0.0.12"));
    JoinConfig join = Launcher.hazelcast(cluster).getNetworkConfig().getJoin();
    assertEquals(
        java.util.List.of("10.0.0.1:5701", "10.0.0.2:5701", "10.0.0.12:5701"),
        join.getTcpIpConfig().getMembers());
    // one machine: the processes take 5701, 5702, ... there, so the range is still probed
    var loopback = Launcher.hazelcast(Config.defaults().getJsonObject("cluster"));
    assertEquals(
        java.util.List.of("127.0.0.1"),
        loopback.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
  }

  @Test
  void kubernetesDnsModeWhenAServiceIsNamed() {
    var cluster =
        Config.defaults()
            .getJsonObject("cluster")
            .put("kubernetesService", "hz.ns.svc.cluster.local");
    JoinConfig join = Launcher.hazelcast(cluster).getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("hz.ns.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
  }

  @Test
  void splitBrainIsDetectedAndHealedInSecondsNotMinutes() {
    var hz = Launcher.hazelcast(Config.defaults().getJsonObject("cluster"));
    // Hazelcast's own: 60 s without heartbeat, first merge after 300 s
    assertEquals("10", hz.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("1", hz.getProperty("hazelcast.heartbeat.interval.seconds"));
    assertEquals("10", hz.getProperty("hazelcast.merge.first.run.delay.seconds"));
    assertEquals("5", hz.getProperty("hazelcast.merge.next.run.delay.seconds"));
    // a member cut off from some members but still heard by the master is removed, not kept
    // half-connected (Hazelcast: 0, off)
    assertEquals(
        "3", hz.getProperty("hazelcast.partial.member.disconnection.resolution.heartbeat.count"));
    var tuned =
        Launcher.hazelcast(
            Config.defaults()
                .getJsonObject("cluster")
                .put("failureDetectionSeconds", 30)
                .put("mergeDelaySeconds", 60));
    assertEquals("30", tuned.getProperty("hazelcast.max.no.heartbeat.seconds"));
    assertEquals("60", tuned.getProperty("hazelcast.merge.first.run.delay.seconds"));
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () ->
            Launcher.hazelcast(
                Config.defaults().getJsonObject("cluster").put("failureDetectionSeconds", 1)));
  }

  /** The port range probed per member without a port: ten, unless -D says otherwise. */
  @Test
  void portTryCountIsTenUnlessASystemPropertySaysOtherwise() {
    String key = "hazelcast.tcp.join.port.try.count";
    var cluster = Config.defaults().getJsonObject("cluster");
    assertEquals("10", Launcher.hazelcast(cluster).getProperty(key));
    String before = System.getProperty(key);
    System.setProperty(key, "3");
    try {
      // left out of the config, Hazelcast reads the system property (a config property wins over
      // it)
      assertEquals(null, Launcher.hazelcast(cluster).getProperties().getProperty(key));
      assertEquals(
          3,
          new com.hazelcast.spi.properties.HazelcastProperties(Launcher.hazelcast(cluster))
              .getInteger(com.hazelcast.spi.properties.ClusterProperty.TCP_JOIN_PORT_TRY_COUNT));
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  /**
   * Hazelcast replicates its CRDTs (PN counters) every second on every member, a wake-up of two
   * threads per JVM, whether or not one exists; nothing here uses one (benchmark/PROFILE.md,
   * "idle25"), so the rounds are ten minutes apart — unless a Hazelcast config file chose a period.
   */
  @Test
  void crdtReplicationNoLongerWakesEveryMemberEverySecond() {
    var cfg = Launcher.hazelcast(Config.defaults().getJsonObject("cluster"));
    assertEquals(600_000, cfg.getCRDTReplicationConfig().getReplicationPeriodMillis());
    var own = new com.hazelcast.config.Config();
    own.getCRDTReplicationConfig().setReplicationPeriodMillis(2_000);
    QuietHazelcast.apply(own);
    assertEquals(2_000, own.getCRDTReplicationConfig().getReplicationPeriodMillis());
  }
}
