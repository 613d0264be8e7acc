package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * "Hosts" on one machine: one network namespace and address per host, all joined by a bridge that
 * lives in a namespace of its own, and one veth from the root namespace into that bridge so the
 * test JVM (the client) reaches every host by its address. Namespaces are named {@code
 * dfsn-<pid>-<host>} so concurrent runs never collide; {@link #close()} (and a shutdown hook, for a
 * JVM that is stopped) deletes them. Faults are iptables rules and tc qdiscs inside the host
 * namespaces, removed by {@link #heal()}. Needs root, iproute2 and iptables (see
 * ../shared/hosts-in-namespaces.md: this kernel has tbf but no netem).
 */
final class HostLab implements AutoCloseable {
  private final long pid = ProcessHandle.current().pid();
  private final String bridgeNs = "dfsn-" + pid + "-br";
  private final String rootIf = "dn" + pid;

  /** Host name -> address, in creation order. */
  final Map<String, String> hosts = new LinkedHashMap<>();

  /** The first three octets with the dot, e.g. {@code 10.231.17.}. */
  final String subnet;

  /** The root namespace's (the client's) address on the bridge. */
  final String clientAddress;

  private final Thread hook = new Thread(this::removeAll, "dfsn-cleanup");
  private boolean closed;

  HostLab() throws Exception {
    requireRoot();
    subnet = freeSubnet();
    clientAddress = subnet + "254";
    Runtime.getRuntime().addShutdownHook(hook);
    sh("ip", "netns", "add", bridgeNs);
    sh("ip", "-n", bridgeNs, "link", "add", "br0", "type", "bridge");
    sh("ip", "-n", bridgeNs, "link", "set", "br0", "up");
    // the root end gets a name unique to this run; its peer moves into the bridge namespace at once
    sh("ip", "link", "add", rootIf, "type", "veth", "peer", "name", "dc" + pid);
    sh("ip", "link", "set", "dc" + pid, "netns", bridgeNs);
    sh("ip", "-n", bridgeNs, "link", "set", "dc" + pid, "master", "br0", "up");
    sh("ip", "addr", "add", clientAddress + "/24", "dev", rootIf);
    sh("ip", "link", "set", rootIf, "up");
  }

  /** Fails (never skips: CI runs as root) when this JVM cannot make namespaces. */
  static void requireRoot() throws Exception {
    String uid = out("id", "-u").trim();
    if (!uid.equals("0")) {
      fail(
          "the nemesis suite needs root (it makes network namespaces, veths, iptables rules and tc qdiscs); "
              + "this JVM runs as uid "
              + uid
              + ". Run it as root (CI does), with iproute2, iptables and faketime installed (.ci/run installs them).");
    }
    for (String tool : List.of("ip", "iptables", "tc")) {
      if (run(List.of("sh", "-c", "command -v " + tool)).exit != 0) {
        fail(
            "the nemesis suite needs `"
                + tool
                + "` (apt-get install iproute2 iptables; .ci/run does)");
      }
    }
  }

  /** A 10.231.X.0/24 no interface of the root namespace uses yet (another run's, for one). */
  private String freeSubnet() throws Exception {
    String used = out("ip", "-4", "-o", "addr") + out("ip", "-4", "route");
    for (int i = 0; i < 254; i++) {
      int x = (int) ((pid + i) % 254) + 1;
      if (!used.contains("10.231." + x + ".")) {
        return "10.231." + x + ".";
      }
    }
    throw new IOException("no free 10.231.X.0/24");
  }

  /** Adds host {@code name} at {@code subnet + octet}; its interface is {@code h-<name>}. */
  String addHost(String name, int octet) throws Exception {
    String ns = ns(name);
    String address = subnet + octet;
    sh("ip", "netns", "add", ns);
    hosts.put(name, address);
    sh("ip", "-n", bridgeNs, "link", "add", dev(name), "type", "veth", "peer", "name", "b-" + name);
    sh("ip", "-n", bridgeNs, "link", "set", dev(name), "netns", ns);
    sh("ip", "-n", bridgeNs, "link", "set", "b-" + name, "master", "br0", "up");
    sh("ip", "-n", ns, "addr", "add", address + "/24", "dev", dev(name));
    sh("ip", "-n", ns, "link", "set", dev(name), "up");
    sh("ip", "-n", ns, "link", "set", "lo", "up");
    return address;
  }

  String ns(String host) {
    return "dfsn-" + pid + "-" + host;
  }

  private static String dev(String host) {
    return "h-" + host;
  }

  /** The wrapper that runs a command inside host {@code name}. */
  List<String> inHost(String name) {
    return List.of("ip", "netns", "exec", ns(name));
  }

  /**
   * Drops every packet between {@code host} and each address (both directions, in host's
   * namespace).
   */
  void partition(String host, String... addresses) throws Exception {
    for (String a : addresses) {
      sh("ip", "netns", "exec", ns(host), "iptables", "-A", "INPUT", "-s", a, "-j", "DROP");
      sh("ip", "netns", "exec", ns(host), "iptables", "-A", "OUTPUT", "-d", a, "-j", "DROP");
    }
  }

  /** Cuts {@code host} off from every other host and the client. */
  void isolate(String host) throws Exception {
    sh("ip", "netns", "exec", ns(host), "iptables", "-A", "INPUT", "-i", dev(host), "-j", "DROP");
    sh("ip", "netns", "exec", ns(host), "iptables", "-A", "OUTPUT", "-o", dev(host), "-j", "DROP");
  }

  /** Drops {@code probability} of the packets {@code host} sends. */
  void loss(String host, double probability) throws Exception {
    sh(
        "ip",
        "netns",
        "exec",
        ns(host),
        "iptables",
        "-A",
        "OUTPUT",
        "-o",
        dev(host),
        "-m",
        "statistic",
        "--mode",
        "random",
        "--probability",
        Double.toString(probability),
        "-j",
        "DROP");
  }

  /** Limits what {@code host} sends to {@code rate} (tc tbf, e.g. "1mbit"). */
  void slow(String host, String rate) throws Exception {
    sh(
        "ip", "netns", "exec", ns(host), "tc", "qdisc", "add", "dev", dev(host), "root", "tbf",
        "rate", rate, "burst", "32kbit", "latency", "400ms");
  }

  /**
   * Removes every rule and qdisc {@link #partition}, {@link #isolate}, {@link #loss} and {@link
   * #slow} added.
   */
  void heal() throws Exception {
    for (String h : hosts.keySet()) {
      sh("ip", "netns", "exec", ns(h), "iptables", "-F", "INPUT");
      sh("ip", "netns", "exec", ns(h), "iptables", "-F", "OUTPUT");
      run(
          List.of(
              "ip", "netns", "exec", ns(h), "tc", "qdisc", "del", "dev", dev(h),
              "root")); // absent = fine
    }
  }

  @Override
  public void close() {
    removeAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or ran
    }
  }

  private synchronized void removeAll() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      for (String h : hosts.keySet()) {
        run(List.of("ip", "netns", "del", ns(h)));
      }
      run(List.of("ip", "link", "del", rootIf));
      run(List.of("ip", "netns", "del", bridgeNs));
    } catch (Exception e) {
      System.err.println("nemesis: cleanup of namespaces dfsn-" + pid + "-* failed: " + e);
    }
  }

  record Ran(int exit, String out) {}

  static Ran run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Ran(-1, "timed out");
    }
    return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static void sh(String... cmd) throws Exception {
    Ran r = run(List.of(cmd));
    if (r.exit != 0) {
      throw new IOException("`" + String.join(" ", cmd) + "` exited " + r.exit + ": " + r.out);
    }
  }

  static String out(String... cmd) throws Exception {
    return run(new ArrayList<>(List.of(cmd))).out;
  }
}
