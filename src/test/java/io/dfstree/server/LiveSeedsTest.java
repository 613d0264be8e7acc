package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.dfstree.TestPorts;
import io.dfstree.config.Config;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A one-machine cluster's member list names, once joined, only the ports something listens on, so
 * the master's split-brain search no longer polls the dead ports of the range
 * (benchmark/PROFILE.md, "idle25") — and the two halves of a one-host cluster still find each
 * other.
 */
class LiveSeedsTest {
  private static JsonObject loopback(int port, String name) {
    return Config.defaults()
        .getJsonObject("cluster")
        .put("name", name)
        .put("host", "127.0.0.1")
        .put("port", port)
        .put("members", new JsonArray().add("127.0.0.1"))
        .put("mergeDelaySeconds", 2);
  }

  @Test
  void aPortCountsAsListeningExactlyWhileASocketListensThere() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      port = s.getLocalPort();
      assertTrue(LiveSeeds.listening(port));
    }
    assertFalse(LiveSeeds.listening(port));
    // a line of /proc/net/tcp: 127.0.0.1:22090 listening; a connection's line is not a listener
    Set<Integer> ports = new java.util.HashSet<>();
    assertTrue(
        LiveSeeds.addListening(
            "   1: 0100007F:564A 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 1 1",
            ports));
    assertFalse(
        LiveSeeds.addListening(
            "   2: 0100007F:5B15 0100007F:564A 01 00000000:00000000 00:00000000 00000000  0 0 2 1",
            ports));
    assertFalse(LiveSeeds.addListening("   3: garbage", ports));
    assertEquals(Set.of(22090), ports);
  }

  /**
   * On a host with many connections only the head of the table is read, and it holds every
   * listener: the kernel lists listening sockets before established and TIME_WAIT ones (this test
   * checks that order on the real table, so a kernel that changed it would fail here), and the read
   * stops at the first line after them.
   */
  @Test
  void onlyTheListenersAtTheHeadOfTheTableAreRead() throws Exception {
    List<java.net.Socket> open = new ArrayList<>();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 300);
      for (int i = 0; i < 200; i++) {
        open.add(new java.net.Socket("127.0.0.1", s.getLocalPort()));
        open.add(s.accept());
      }
      for (int i = 0; i < 100; i++) { // closed from the client's side: TIME_WAIT lines
        open.get(2 * i).close();
      }
      // Java's sockets are IPv6 ones where it can (tcp6, ::ffff:127.0.0.1), else IPv4 (tcp)
      int lines = 0;
      int listeners = 0;
      int read = 0;
      Set<Integer> ports = new java.util.HashSet<>();
      for (String name : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
        var path = java.nio.file.Path.of(name);
        if (!java.nio.file.Files.exists(path)) {
          continue;
        }
        List<String> table = java.nio.file.Files.readAllLines(path);
        boolean pastListeners = false;
        for (String line : table.subList(1, table.size())) {
          boolean listener = LiveSeeds.addListening(line, new java.util.HashSet<>());
          assertFalse(listener && pastListeners, "a listener after other sockets: " + line);
          pastListeners |= !listener;
          listeners += listener ? 1 : 0;
        }
        lines += table.size();
        try (var in = java.nio.file.Files.newBufferedReader(path)) {
          read += LiveSeeds.readListeners(in, ports);
        }
      }
      assertTrue(lines > 2 + listeners + 300, lines + " lines");
      assertTrue(ports.contains(s.getLocalPort()), "the listener is found");
      assertFalse(ports.contains(open.get(200).getLocalPort()), "a connection is not a listener");
      // per table the header, the listeners and the one line that ended them (listeners may come
      // and go between the two reads: other tests run beside this one)
      assertTrue(read <= listeners + 4 + 5, read + " lines read, " + listeners + " listeners");
      assertTrue(LiveSeeds.listeningNow().test(s.getLocalPort()));
    } finally {
      for (java.net.Socket c : open) {
        c.close();
      }
    }
  }

  @Test
  void beforeJoiningTheConfiguredListAfterwardsOnlyListeningPortsOfThisHost() {
    var cfg = Launcher.hazelcast(loopback(5701, "x"));
    var net = cfg.getNetworkConfig();
    Set<Integer> up = Set.of(5701, 5703);
    var live =
        new LiveSeeds(
            "127.0.0.1",
            net,
            new com.hazelcast.spi.properties.HazelcastProperties(cfg),
            () -> up::contains);
    live.setMembers(List.of("127.0.0.1", "127.0.0.1:5801", "10.0.0.*"));
    assertEquals(List.of("127.0.0.1", "127.0.0.1:5801", "10.0.0.*"), live.getMembers());
    live.joined();
    assertEquals(
        List.of("127.0.0.1:5701", "127.0.0.1:5703", "127.0.0.1:5801", "10.0.0.*"),
        live.getMembers());
    // members on other machines get no LiveSeeds (they have ports: SeedMembers)
    var spread =
        Launcher.hazelcast(
            loopback(5701, "y")
                .put("host", "10.0.0.12")
                .put("members", new JsonArray().add("10.0.0.1").add("10.0.0.12")));
    assertFalse(spread.getNetworkConfig().getJoin().getTcpIpConfig() instanceof LiveSeeds);
  }

  /** {@code cfg} with a listener that adds {@code who} to {@code merged} when it has merged. */
  private static com.hazelcast.config.Config hearMerged(
      com.hazelcast.config.Config cfg, String who, List<String> merged) {
    return cfg.addListenerConfig(
        new com.hazelcast.config.ListenerConfig(
            (com.hazelcast.core.LifecycleListener)
                e -> {
                  if (e.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                    merged.add(who);
                  }
                }));
  }

  /**
   * Member A alone in its cluster on a host's port range; B1 and B2 form a second cluster of the
   * same name beside it (their lists name only their own ports, so they never look at A): A's
   * split-brain search must find them through the ports that listen, and A merges into them.
   *
   * <p>That the three came together by a merge, not a join, is told by the lifecycle event {@code
   * MERGED}, heard by a listener each member has from its config (so none can be missed), not by
   * A's and B1's member counts right after the starts: the search runs 2 s ({@code
   * mergeDelaySeconds}) after A started, and under load the B starts took longer than that, so A
   * had merged (3 members) when the test asked for 1 (a 2-core run beside 8 CPU burners, a dd and
   * an fsync loop, 2026-12-05).
   */
  @Test
  void theHalvesOfAOneHostClusterStillFindEachOther() throws Exception {
    int seed = TestPorts.hazelcastSeed();
    String name = "liveseeds-" + System.nanoTime();
    List<HazelcastInstance> all = new ArrayList<>();
    List<String> merged = new java.util.concurrent.CopyOnWriteArrayList<>();
    try {
      var cfgA = Launcher.hazelcast(loopback(seed, name));
      LiveSeeds live =
          assertInstanceOf(LiveSeeds.class, cfgA.getNetworkConfig().getJoin().getTcpIpConfig());
      HazelcastInstance a = Hazelcast.newHazelcastInstance(hearMerged(cfgA, "A", merged));
      all.add(a);
      live.joined();
      // only A listens in its range: the nine dead ports are gone from the search
      assertEquals(List.of("127.0.0.1:" + seed), live.getMembers());
      JsonArray own = new JsonArray().add("127.0.0.1:" + (seed + 1)).add("127.0.0.1:" + (seed + 2));
      for (int i = 0; i < 2; i++) {
        var cfgB = Launcher.hazelcast(loopback(seed + 1, name).put("members", own));
        assertFalse(cfgB.getNetworkConfig().getJoin().getTcpIpConfig() instanceof LiveSeeds);
        all.add(Hazelcast.newHazelcastInstance(hearMerged(cfgB, "B" + (i + 1), merged)));
      }
      // the whole test took 63 s once beside 8 CPU burners (flakehunt28): room for a slower machine
      long deadline = System.currentTimeMillis() + 120_000;
      // MERGED is fired once the merging member has joined: it may come after the member lists
      while (System.currentTimeMillis() < deadline
          && (merged.isEmpty()
              || !all.stream().allMatch(h -> h.getCluster().getMembers().size() == 3))) {
        Thread.sleep(200);
      }
      for (HazelcastInstance h : all) {
        assertEquals(3, h.getCluster().getMembers().size(), "merged into one cluster of three");
      }
      // the B's never look at A's port: the three are one cluster through a split-brain merge
      assertFalse(merged.isEmpty(), "one cluster of three without a merge");
    } finally {
      for (HazelcastInstance h : all) {
        h.getLifecycleService().terminate();
      }
    }
  }
}
