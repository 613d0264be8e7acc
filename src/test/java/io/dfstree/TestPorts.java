package io.dfstree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports for servers a test starts, free on the loopback interface right now: the one free-port
 * helper of the unit, in-JVM and system tests alike.
 */
public final class TestPorts {
  /** Ports a Hazelcast member may try from its seed on (port-count in the cluster config). */
  public static final int HAZELCAST_PORTS = 20;

  private TestPorts() {}

  /**
   * A port free on the loopback interface now, chosen below the kernel's ephemeral range (and below
   * the block {@link #hazelcastSeed} picks from) and never handed out twice by this JVM. A port
   * from {@code bind(0)} is an ephemeral one: between this check and the server's own bind, any
   * outgoing connection on the machine (a benchmark's, another test's) may be given that same port
   * as its local port, and the server then failed with "Address already in use" (DegradedWritesIT,
   * session 15, beside a benchmark).
   */
  public static int free() {
    for (int attempt = 0; attempt < 500; attempt++) {
      int port = FREE_FROM + RANDOM.nextInt(FREE_TO - FREE_FROM);
      if (HANDED_OUT.add(port) && bindable(port)) {
        return port;
      }
    }
    throw new UncheckedIOException(
        new IOException("no free port in " + FREE_FROM + "-" + FREE_TO + " after 500 tries"));
  }

  private static final int FREE_FROM = 10_000;
  private static final int FREE_TO = 20_000;
  private static final java.util.Random RANDOM = new java.util.Random();
  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  /**
   * A Hazelcast seed port whose whole block of {@value #HAZELCAST_PORTS} is free, chosen below the
   * kernel's ephemeral range. A seed from {@link #free()} had the ports the kernel hands out next
   * (for the servers' own ports, and for outgoing connections) inside Hazelcast's block: a storage
   * then failed to bind a port a Hazelcast member had just taken.
   */
  public static int hazelcastSeed() {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int seed = 20_000 + random.nextInt(12_000 - HAZELCAST_PORTS);
      if (blockFree(seed)) {
        return seed;
      }
    }
    throw new UncheckedIOException(
        new IOException("no free block of " + HAZELCAST_PORTS + " ports in 20000-32000"));
  }

  private static boolean blockFree(int seed) {
    for (int p = seed; p < seed + HAZELCAST_PORTS; p++) {
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
      } catch (IOException taken) {
        return false;
      }
    }
    return true;
  }
}
