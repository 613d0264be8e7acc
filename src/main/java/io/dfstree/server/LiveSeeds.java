package io.dfstree.server;

import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.spi.properties.ClusterProperty;
import com.hazelcast.spi.properties.HazelcastProperties;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

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
 * Which ports have a listening socket is read from {@code /proc/net/tcp} and {@code tcp6} (state
 * {@code 0A}, any address): nothing is bound, sent or connected, so neither a member nor any other
 * program on the host can see or be disturbed by the look. Where those files cannot be read (not
 * Linux) every port is kept, as Hazelcast would have it.
 *
 * <p>Before this member has joined ({@link #joined}), the list is the configured one: the initial
 * join keeps trying every port of the range for as long as it lasts, which finds a process that
 * binds its port a moment later (several started at once). A process that joins later uses its own
 * full range, and every process still listens on its port during a partition (a cut network, a
 * stopped process), so the halves find each other as before; the passes get shorter, so they merge
 * sooner. Members with a port, address patterns and members on other hosts are passed through.
 */
final class LiveSeeds extends TcpIpConfig {
  private final String host;
  private final NetworkConfig network;
  private final HazelcastProperties properties;
  private final Supplier<IntPredicate> listening;
  private volatile boolean joined;

  LiveSeeds(String host, NetworkConfig network, HazelcastProperties properties) {
    this(host, network, properties, LiveSeeds::listeningNow);
  }

  /** {@code listening}: a fresh answer to "which ports listen?" for each read of the list. */
  LiveSeeds(
      String host,
      NetworkConfig network,
      HazelcastProperties properties,
      Supplier<IntPredicate> listening) {
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
    IntPredicate live = null;
    for (String m : configured) {
      if (!m.equals(host) || !network.isPortAutoIncrement()) {
        out.add(m);
        continue;
      }
      int first = network.getPort();
      int count = properties.getInteger(ClusterProperty.TCP_JOIN_PORT_TRY_COUNT);
      live = live == null ? listening.get() : live;
      for (int port = first; port < first + count; port++) {
        if (live.test(port)) {
          out.add(withPort(host, port));
        }
      }
    }
    return out;
  }

  private static String withPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Whether a socket of this host listens on {@code port} now ({@link #listeningNow}). */
  static boolean listening(int port) {
    return listeningNow().test(port);
  }

  /**
   * The ports a socket listens on now, on any address, from {@code /proc/net/tcp} and {@code tcp6};
   * every port when neither can be read.
   *
   * <p>Only the head of each table is read. The kernel lists every listening socket of a table
   * before any other ({@code tcp_get_idx}: the listening hash, then the established hash, which
   * also holds SYN_RECV and TIME_WAIT), so the first line that is not a listener ends the
   * listeners. The whole table is as long as the host's connections: the official FastDFS client
   * connects once per operation and each connection stays in TIME_WAIT for a minute, so under load
   * it was 15,000 lines (2.2 MB, about 20 ms of kernel time to produce) read and split by a regular
   * expression on every search pass, which took 13-75 us per operation of the tracker's CPU in the
   * benchmark (benchmark/PROFILE.md, "seeds30"). The head is a few hundred bytes.
   */
  static IntPredicate listeningNow() {
    Set<Integer> ports = new HashSet<>();
    boolean read = false;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(
                  Files.newInputStream(Path.of(table)), StandardCharsets.US_ASCII),
              TABLE_READ)) {
        readListeners(in, ports);
        read = true;
      } catch (IOException | RuntimeException e) {
        // no such table here: the other one, or every port
      }
    }
    return read ? ports::contains : port -> true;
  }

  /** Characters per read of a table: a page's worth of lines is produced per read call. */
  private static final int TABLE_READ = 4096;

  /**
   * Adds the local ports of the listeners at the head of one table (after its header line) and
   * stops at the first line that is not one; returns how many lines it read, header included.
   */
  static int readListeners(BufferedReader table, Set<Integer> ports) throws IOException {
    int lines = table.readLine() == null ? 0 : 1;
    String line;
    while ((line = table.readLine()) != null) {
      lines++;
      if (!addListening(line, ports)) {
        break;
      }
    }
    return lines;
  }

  /**
   * Adds the local port of one {@code /proc/net/tcp} line ("sl local_address rem_address st ...",
   * the address as HEX_IP:HEX_PORT) when its state is LISTEN (0A); returns whether it was.
   */
  static boolean addListening(String line, Set<Integer> ports) {
    int n = line.length();
    int i = 0;
    int localStart = 0;
    int localEnd = 0;
    for (int field = 0; field < 4; field++) {
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
      int start = i;
      while (i < n && line.charAt(i) != ' ') {
        i++;
      }
      if (field == 1) {
        localStart = start;
        localEnd = i;
      } else if (field == 3) {
        if (i - start != 2 || line.charAt(start) != '0' || line.charAt(start + 1) != 'A') {
          return false;
        }
      }
    }
    int colon = line.lastIndexOf(':', localEnd - 1);
    if (colon <= localStart) {
      return false;
    }
    ports.add(Integer.parseInt(line, colon + 1, localEnd, 16));
    return true;
  }
}
