package io.dfstree.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped conf files as an operator uses them: a tracker and a storage as two processes, each
 * with its role's file plus conf/cluster-loopback.yaml (no --cluster flag: the file turns
 * clustering on), find each other over Hazelcast on loopback; a file goes through them. Cluster
 * name and Hazelcast port are overridden so concurrent runs never join each other.
 */
class ClusterLoopbackIT {
  static final Duration CLI = Duration.ofSeconds(60);

  @TempDir Path dir;

  static Path conf(String name) {
    Path p = Path.of("conf", name).toAbsolutePath();
    assertTrue(Files.isRegularFile(p), p + " missing");
    return p;
  }

  @Test
  void trackerAndStorageProcessesJoinThroughTheLoopbackClusterConf() throws Exception {
    int trackerPort = TestPorts.free();
    int storagePort = TestPorts.free();
    String[] cluster = {
      "--conf",
      conf("cluster-loopback.yaml").toString(),
      "--set",
      "cluster.name=systest-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
      "--set",
      "cluster.port=" + Jar.hazelcastPort()
    };
    Jar.Server tracker = null;
    Jar.Server storage = null;
    try {
      tracker =
          Jar.Server.start(
              dir,
              List.of("-Xmx256m"),
              Map.of(),
              concat(
                  new String[] {
                    "tracker",
                    "--conf",
                    conf("tracker.yaml").toString(),
                    "--set",
                    "tracker.port=" + trackerPort
                  },
                  cluster));
      storage =
          Jar.Server.start(
              dir,
              List.of("-Xmx256m"),
              Map.of(),
              concat(
                  new String[] {
                    "storage",
                    "--conf",
                    conf("storage.yaml").toString(),
                    "--set",
                    "storage.port=" + storagePort,
                    "--set",
                    "storage.storePaths=" + dir.resolve("store"),
                    "--set",
                    "storage.subdirCount=4"
                  },
                  cluster));
      tracker.awaitStarted(Duration.ofSeconds(90));
      storage.awaitStarted(Duration.ofSeconds(90));
      String t = "127.0.0.1:" + trackerPort;

      // the storage's heartbeats cross the clustered event bus: the tracker lists it ACTIVE
      Pattern active = Pattern.compile("127\\.0\\.0\\.1:" + storagePort + "\\s+ACTIVE");
      AtomicReference<Jar.Result> seen = new AtomicReference<>();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> {
                  seen.set(Jar.run(dir, CLI, "monitor", "--tracker", t));
                  return seen.get().exit() == 0 && active.matcher(seen.get().out()).find();
                });
      } catch (ConditionTimeoutException e) {
        // asserted below, with the servers' output
      }
      Jar.Result mon = seen.get();
      assertNotNull(mon);
      assertTrue(
          active.matcher(mon.out()).find(),
          "storage ACTIVE at the tracker\n"
              + mon
              + "\ntracker:\n"
              + tracker.output()
              + "\nstorage:\n"
              + storage.output());

      Path f = dir.resolve("clustered.txt");
      Files.writeString(f, "through two processes\n");
      Jar.Result up = Jar.run(dir, CLI, "upload", f.toString(), "--tracker", t);
      assertEquals(0, up.exit(), up.toString());
      Path back = dir.resolve("back.txt");
      Jar.Result down =
          Jar.run(dir, CLI, "download", up.out().trim(), back.toString(), "--tracker", t);
      assertEquals(0, down.exit(), down.toString());
      assertEquals(Files.readString(f), Files.readString(back));
    } finally {
      if (storage != null) {
        storage.close();
      }
      if (tracker != null) {
        tracker.close();
      }
    }
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
