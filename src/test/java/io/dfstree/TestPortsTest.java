package io.dfstree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestPortsTest {
  @Test
  void freePortsAreOutsideTheEphemeralRangeDistinctAndBindable() throws Exception {
    int[] ephemeral = {32768, 60999}; // Linux's default, where /proc does not say
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    if (Files.isReadable(range)) {
      String[] parts;
      try (var in = Files.newInputStream(range)) {
        parts =
            new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                .trim()
                .split("\\s+");
      }
      ephemeral = new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int port = TestPorts.free();
      assertTrue(port < ephemeral[0] || port > ephemeral[1], port + " is an ephemeral port");
      assertTrue(seen.add(port), "port " + port + " handed out twice");
    }
    int port = TestPorts.free();
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertEquals(port, s.getLocalPort());
    }
  }
}
