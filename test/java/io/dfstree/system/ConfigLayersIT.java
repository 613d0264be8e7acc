package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * defaults < --conf file < DFSTREE_* environment < --set, as a started storage reports it; bad
 * values fail cleanly.
 */
class ConfigLayersIT {
  @TempDir Path dir;

  @Test
  void storageBannerShowsEachLayerWinningInOrder() throws Exception {
    int confPort = TestPorts.free();
    int envPort = TestPorts.free();
    int setPort = TestPorts.free();
    Path conf = dir.resolve("storage.yaml");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "storage:",
            "  port: " + confPort, // overridden by the environment, then by --set
            "  id: 4242", // overridden by the environment
            "  group: confgroup", // only the file sets it
            "  subdirCount: 4",
            "  storePaths: [" + dir.resolve("from-conf") + "]", // overridden by --set
            ""));
    Path setStore = dir.resolve("from-set");
    Jar.Server server =
        Jar.Server.start(
            dir,
            List.of("-Xmx256m"),
            Map.of("DFSTREE_STORAGE_PORT", String.valueOf(envPort), "DFSTREE_STORAGE_ID", "4343"),
            "storage",
            "--conf",
            conf.toString(),
            "--set",
            "storage.port=" + setPort,
            "--set",
            "storage.storePaths=" + setStore);
    try {
      server.awaitStarted(Duration.ofSeconds(60));
      String banner = server.stdout();
      assertTrue(banner.contains("DistributedFSTree storage started"), banner);
      assertTrue(
          banner.contains("storage  127.0.0.1:" + setPort + " "),
          "--set beats env and file for the port\n" + banner);
      assertTrue(
          banner.contains("group confgroup"), "the --conf file beats the defaults\n" + banner);
      assertTrue(banner.contains("id 4343"), "the environment beats the --conf file\n" + banner);
      assertTrue(
          banner.contains("data in " + setStore),
          "--set beats the --conf file for lists\n" + banner);
      assertFalse(banner.contains("tracker  "), "a storage prints no tracker endpoint\n" + banner);
      // and it really listens where the banner says, not on the lower layers' ports
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", setPort), 2000);
      }
      assertThrows(
          java.io.IOException.class,
          () -> {
            try (Socket s = new Socket()) {
              s.connect(new InetSocketAddress("127.0.0.1", envPort), 2000);
            }
          },
          "nothing on the environment's port");
      assertTrue(Files.isDirectory(setStore.resolve("data")), "store path from --set initialised");
      assertFalse(Files.exists(dir.resolve("from-conf")), "store path from the file not used");
    } finally {
      server.close();
    }
  }

  @Test
  void badValueExitsNonZeroWithOneClearLineAndNoStackTrace() throws Exception {
    int port = TestPorts.free();
    Jar.Result r =
        Jar.run(
            dir,
            Duration.ofSeconds(60),
            "storage",
            "--set",
            "storage.port=" + port,
            "--set",
            "storage.storePaths=" + dir.resolve("s"),
            "--set",
            "storage.subdirCount=999");
    assertNotEquals(0, r.exit(), r.toString());
    List<String> errLines = r.err().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, errLines.size(), "exactly one error line\n" + r);
    assertTrue(errLines.get(0).startsWith("error: "), r.toString());
    assertTrue(
        errLines.get(0).contains("storage.subdirCount") && errLines.get(0).contains("1..256"),
        "names the key and the allowed range\n" + r);
    String all = r.out() + r.err();
    assertFalse(all.contains("Exception") || all.contains("\tat "), "no stack trace\n" + r);
    assertFalse(all.contains(" started"), "nothing started\n" + r);
    assertFalse(Files.exists(dir.resolve("s")), "no store path created for a rejected config");
  }
}
