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

  public static int free() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
