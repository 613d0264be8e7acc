package io.dfstree.server;

import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The TCP-IP member list of a one-machine cluster ({@link SeedMembers}: every member this host,
 * e.g. {@code [127.0.0.1]}), which, once this member has joined, names only the ports of the range
 * that something listens on.
 *
 * <p>Hazelcast turns a member without a port into {@code port} .. {@code port + 9} ({@code
 * hazelcast.tcp.join.port.try.count}) and, on the master, searches them for another cluster every
 * few seconds ({@code hazelcast.merge.next.run.delay.seconds}): for each address not in its own
 * cluster it asks for a connection and then polls for it every 10 ms for up to 5 s (constants in
 * Hazelcast's {@code AbstractJoiner}). With three processes on one host that is seven dead ports,
 * 35 s of polling per 40 s, ~110 wake-ups a second forever on the master (a tracker): 7-9 ms of CPU
 * a second, the largest single Hazelcast item of an idle group (benchmark/PROFILE.md, "idle22",
 * "idle25"). Hazelcast reads this list again at every search pass, so here a port counts only if
 * something listens on it right then; a port nothing listens on could not answer the search anyway.
 * Whether something listens is asked by binding a socket (never listening, never connecting) to
 * {@code host:port} with {@code SO_REUSEADDR}: Linux refuses that bind only when a socket listens
 * there. Any other refusal keeps the port, as Hazelcast would have it. No packet is sent, so no
 * member sees a probe. (Without {@code SO_REUSEADDR} on Windows, where it would let the bind
 * succeed beside a listener: there a port some connection uses is kept too.)
 *
 * <p>Before this member has joined ({@link #joined}), the list is the configured one: the initial
 * join keeps trying every port of the range for as long as it lasts, which finds a process that
 * binds its port a moment later (several started at once). A process that joins later uses its own
 * full range, and every process still listens on its port during a partition (a cut network, a
 * stopped process), so the halves find each other as before; the passes get shorter, so they merge
 * sooner. Members with a port, address patterns and members on other hosts are passed through.
 */
final class LiveSeeds extends TcpIpConfig {
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

  private final String host;
  private final NetworkConfig network;
  private final HazelcastProperties properties;
  private final IntPredicate listening;
  private volatile boolean joined;

  LiveSeeds(String host, NetworkConfig network, HazelcastProperties properties) {
    this(host, network, properties, port -> listening(host, port));
  }

  LiveSeeds(
      String host, NetworkConfig network, HazelcastProperties properties, IntPredicate listening) {
    this.host = host;
    this.network = network;
    this.properties = properties;
    this.listening = listening;
  }

  /** From now on, ports nothing listens on are left out (this member is in a cluster). */
  void joined() {
    joined = true;
  }

  @Override
  public List<String> getMembers() {
    List<String> configured = super.getMembers();
    if (!joined) {
      return configured;
    }
    List<String> out = new ArrayList<>();
    for (String m : configured) {
      if (!m.equals(host) || !network.isPortAutoIncrement()) {
        out.add(m);
        continue;
      }
      int first = network.getPort();
      int count = properties.getInteger(ClusterProperty.TCP_JOIN_PORT_TRY_COUNT);
      for (int port = first; port < first + count; port++) {
        if (listening.test(port)) {
          out.add(withPort(host, port));
        }
      }
    }
    return out;
  }

  private static String withPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Whether a socket listens on {@code host:port}: a bind with {@code SO_REUSEADDR} fails there and
   * only there (on Linux; any failure answers yes). The socket neither listens nor connects.
   */
  static boolean listening(String host, int port) {
    try (Socket probe = new Socket()) {
      // on Windows SO_REUSEADDR would let the bind succeed beside a listener
      probe.setReuseAddress(!WINDOWS);
      probe.bind(new InetSocketAddress(host, port));
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }
}
