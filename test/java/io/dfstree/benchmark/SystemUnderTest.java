package io.dfstree.benchmark;

import io.dfstree.TestPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.csource.fastdfs.StructStorageStat;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;

/**
 * A running set of server processes the benchmark measures: the real FastDFS (through its {@code
 * fastdfs-peer} script, on 127.0.0.2/3/10) or ours (the fat jar on 127.0.0.1, free ports), as a
 * single node or a group of two storages. Every process started here is stopped by its PID.
 */
abstract class SystemUnderTest implements AutoCloseable {
  static final int ACTIVE = 7;

  final String name;
  final boolean group;

  SystemUnderTest(String name, boolean group) {
    this.name = name;
    this.group = group;
  }

  /** host:port of the tracker. */
  abstract String tracker();

  /** PIDs of every server process (tracker and storages). */
  abstract List<Long> serverPids() throws IOException;

  /** Names of the processes of {@link #serverPids()}, in the same order. */
  abstract List<String> serverLabels();

  abstract void start() throws Exception;

  /** Throws when a server process is gone. */
  void checkAlive() throws IOException {}

  int storages() {
    return group ? 2 : 1;
  }

  /** Waits until the tracker lists every storage as ACTIVE. */
  void awaitActive(long timeoutMs) throws Exception {
    String[] hp = tracker().split(":");
    long end = System.currentTimeMillis() + timeoutMs;
    int active = 0;
    while (System.currentTimeMillis() < end) {
      active = 0;
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 2000);
        s.setSoTimeout(5000);
        TrackerServer ts =
            new TrackerServer(s, new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
        StructStorageStat[] all = new TrackerClient().listStorages(ts, "group1");
        if (all != null) {
          for (StructStorageStat st : all) {
            if (st.getStatus() == ACTIVE) {
              active++;
            }
          }
        }
      } catch (Exception notYet) {
        // tracker not up yet
      }
      if (active >= storages()) {
        return;
      }
      checkAlive();
      Thread.sleep(300);
    }
    throw new IOException(
        name
            + ": only "
            + active
            + " of "
            + storages()
            + " storages ACTIVE after "
            + timeoutMs
            + " ms");
  }

  /** The real FastDFS, run by {@code fastdfs-peer}. */
  static final class FastDfs extends SystemUnderTest {
    private final Path script;
    private final Path home;
    private boolean started;

    FastDfs(Path script, boolean group) {
      super("fastdfs", group);
      this.script = script;
      String h = System.getenv("FASTDFS_PEER_HOME");
      this.home =
          h != null
              ? Path.of(h)
              : Path.of(System.getProperty("user.home"), ".cache", "fastdfs-peer");
    }

    @Override
    String tracker() {
      return "127.0.0.10:22122";
    }

    private Path pidFile(String role) {
      return role.equals("tracker")
          ? home.resolve("data/tracker/data/fdfs_trackerd.pid")
          : home.resolve("data/" + role + "/data/fdfs_storaged.pid");
    }

    private Long livePid(String role) throws IOException {
      Path f = pidFile(role);
      if (!Files.isRegularFile(f)) {
        return null;
      }
      String text = Files.readString(f).replaceAll("[^0-9]", "");
      if (text.isEmpty()) {
        return null;
      }
      long pid = Long.parseLong(text);
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? pid : null;
    }

    @Override
    List<Long> serverPids() throws IOException {
      List<Long> pids = new ArrayList<>();
      for (String role :
          group ? List.of("tracker", "storageA", "storageB") : List.of("tracker", "storageA")) {
        Long p = livePid(role);
        if (p == null) {
          throw new IOException("FastDFS " + role + " is not running");
        }
        pids.add(p);
      }
      return pids;
    }

    @Override
    List<String> serverLabels() {
      return group ? List.of("tracker", "storageA", "storageB") : List.of("tracker", "storageA");
    }

    boolean running() throws IOException {
      return livePid("tracker") != null
          || livePid("storageA") != null
          || livePid("storageB") != null;
    }

    @Override
    void start() throws Exception {
      if (running()) {
        throw new IOException(
            "a FastDFS peer is already running (maybe another user's benchmark): "
                + "run `"
                + script
                + " stop` when it is yours, or wait");
      }
      started = true;
      run(
          group
              ? List.of(script.toString(), "start", "group")
              : List.of(script.toString(), "start"),
          200);
    }

    private void run(List<String> cmd, long timeoutSeconds) throws Exception {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.INHERIT)
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(
            String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue());
      }
    }

    @Override
    public void close() throws Exception {
      if (started) { // never stop a FastDFS someone else started
        run(List.of(script.toString(), "stop"), 120);
      }
    }
  }

  /**
   * Ours: the fat jar as all-in-one (single node) or tracker + two storages over Hazelcast (group).
   */
  static final class Ours extends SystemUnderTest {
    /** The {@code java} its servers run: the harness's own unless {@code --java-as} named one. */
    private final Path java;

    private final Path jar;
    private final boolean fsync;
    private final int writeQuorum;
    private final List<String> jvmArgs;
    private final Path jfrDir;
    private final int subdirs;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private int trackerPort;
    private boolean keep = System.getenv("KEEP") != null;
    private List<String> extraSets = List.of();
    private String jfrSettings = "profile";

    /** {@code key=value} pairs set as {@code storage.key=value} on every storage. */
    void storageSets(List<String> sets) {
      extraSets = List.copyOf(sets);
    }

    /** JFR settings for {@code --jfr}: a name (profile) or a .jfc file. */
    void jfrSettings(String settings) {
      jfrSettings = settings;
    }

    Ours(
        String name,
        Path java,
        Path jar,
        boolean group,
        boolean fsync,
        int writeQuorum,
        List<String> jvmArgs,
        Path jfrDir,
        int subdirs)
        throws IOException {
      super(name, group);
      this.java = java != null ? java : Path.of(System.getProperty("java.home"), "bin", "java");
      this.jar = jar.toAbsolutePath();
      this.fsync = fsync;
      this.writeQuorum = writeQuorum;
      this.jvmArgs = jvmArgs;
      this.jfrDir = jfrDir;
      this.subdirs = subdirs;
      this.dir = Files.createTempDirectory("dfstree-peerbench-");
    }

    @Override
    String tracker() {
      return "127.0.0.1:" + trackerPort;
    }

    @Override
    List<Long> serverPids() {
      return processes.stream().map(Process::pid).toList();
    }

    @Override
    List<String> serverLabels() {
      return group ? List.of("tracker", "storage1", "storage2") : List.of("all-in-one");
    }

    private Process launch(String role, List<String> args) throws IOException {
      List<String> cmd = new ArrayList<>();
      cmd.add(java.toString());
      cmd.addAll(jvmArgs);
      if (jfrDir != null) {
        cmd.add(
            "-XX:StartFlightRecording=settings="
                // --jfr-settings, or -Dpeerbench.jfc: a .jfc with finer sampling (e.g.
                // jdk.ExecutionSample#period=1 ms) gives ~10x the samples of the JDK's "profile"
                + (jfrSettings.equals("profile")
                    ? System.getProperty("peerbench.jfc", "profile")
                    : jfrSettings)
                + ",dumponexit=true,filename="
                + jfrDir.resolve(name + "-" + (group ? "group" : "single") + "-" + role + ".jfr"));
      }
      cmd.add("-jar");
      cmd.add(jar.toString());
      cmd.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("DFSTREE_"));
      pb.redirectErrorStream(true).redirectOutput(dir.resolve(role + ".log").toFile());
      Process p = pb.start();
      processes.add(p);
      return p;
    }

    private List<String> storageSets(int id, int port) {
      List<String> out = new ArrayList<>();
      for (String kv : extraSets) {
        out.add("--set");
        out.add("storage." + kv);
      }
      out.addAll(
          0,
          List.of(
              "--set",
              "storage.id=" + id,
              "--set",
              "storage.group=group1",
              "--set",
              "storage.host=127.0.0.1",
              "--set",
              "storage.port=" + port,
              "--set",
              "storage.storePaths=" + dir.resolve("store" + id),
              "--set",
              "storage.fsync=" + fsync,
              "--set",
              "storage.writeQuorum=" + writeQuorum,
              "--set",
              "storage.reservedSpace=256M",
              "--set",
              "storage.subdirCount=" + subdirs));
      return out;
    }

    /** Waits until the role's log shows its start-up banner (" started"), up to 150 s. */
    private void awaitBanner(Process p, String role) throws Exception {
      Path log = dir.resolve(role + ".log");
      long end = System.currentTimeMillis() + 150_000;
      while (System.currentTimeMillis() < end) {
        if (Files.exists(log) && Files.readString(log).contains(" started")) {
          return;
        }
        checkAlive();
        Thread.sleep(200);
      }
      keep = true;
      throw new IOException(
          name + ": " + role + " printed no start-up banner within 150 s; logs in " + dir);
    }

    @Override
    void checkAlive() throws IOException {
      for (Process p : processes) {
        if (!p.isAlive()) {
          keep = true;
          throw new IOException(
              name
                  + ": server process "
                  + p.pid()
                  + " exited with "
                  + p.exitValue()
                  + "; logs in "
                  + dir);
        }
      }
    }

    @Override
    void start() throws Exception {
      trackerPort = TestPorts.free();
      List<String> trackerSets =
          List.of("--set", "tracker.host=127.0.0.1", "--set", "tracker.port=" + trackerPort);
      if (!group) {
        List<String> args = new ArrayList<>(List.of("all-in-one"));
        args.addAll(trackerSets);
        args.addAll(storageSets(1, TestPorts.free()));
        // the all-in-one turns HTTP on at 8090/8080 by default: free ports instead, or a second
        // all-in-one on the machine (another benchmark, a demo) makes this one fail to start
        args.addAll(
            List.of(
                "--set",
                "tracker.httpPort=" + TestPorts.free(),
                "--set",
                "storage.httpPort=" + TestPorts.free()));
        launch("all-in-one", args);
      } else {
        int hz = TestPorts.hazelcastSeed();
        List<String> cluster =
            List.of(
                "--cluster",
                "--set",
                "cluster.name=peerbench-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                "--set",
                "cluster.host=127.0.0.1",
                "--set",
                "cluster.port=" + hz,
                "--set",
                "cluster.members=127.0.0.1");
        List<String> t = new ArrayList<>(List.of("tracker"));
        t.addAll(trackerSets);
        t.addAll(cluster);
        // one at a time: three JVMs joining Hazelcast at once on a busy machine missed the 60 s
        // start limit
        awaitBanner(launch("tracker", t), "tracker");
        for (int id = 1; id <= 2; id++) {
          List<String> s = new ArrayList<>(List.of("storage"));
          s.addAll(storageSets(id, TestPorts.free()));
          s.addAll(cluster);
          awaitBanner(launch("storage" + id, s), "storage" + id);
        }
      }
      try {
        awaitActive(180_000);
      } catch (IOException e) {
        keep = true;
        throw new IOException(e.getMessage() + "; logs in " + dir, e);
      }
    }

    @Override
    public void close() throws Exception {
      // storages first, the tracker last
      for (int i = processes.size() - 1; i >= 0; i--) {
        Process p = processes.get(i);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
      processes.clear();
      if (!keep) {
        try (Stream<Path> all = Files.walk(dir)) {
          all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      } else {
        System.out.println("kept " + dir + " (data and logs)");
      }
    }
  }
}
