package io.dfstree.system;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import io.dfstree.TestPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.csource.fastdfs.StructStorageStat;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;

/**
 * A small cluster of fat-jar processes on loopback for system tests: trackers and storages joined
 * by Hazelcast under a cluster name and base port of their own (so concurrent runs never join each
 * other), in one temp directory that {@link #close()} deletes after stopping every process it
 * started (by pid).
 */
final class LoopbackCluster implements AutoCloseable {
  /** FastDFS storage status codes as the trackers list them. */
  static final int ACTIVE = 7;

  static final int OFFLINE = 5;
  private static final Pattern HEX2 = Pattern.compile("[0-9A-F]{2}");

  final Path dir;
  final String name;
  final int hazelcastPort;
  final List<String> jvmArgs;
  final List<Jar.Server> trackers = new ArrayList<>();
  final List<Integer> trackerPorts = new ArrayList<>();
  final List<Storage> storages = new ArrayList<>();

  LoopbackCluster(String prefix, List<String> jvmArgs) throws IOException {
    this.dir = Files.createTempDirectory("dfstree-" + prefix);
    this.name = prefix + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    this.hazelcastPort = Jar.hazelcastPort();
    this.jvmArgs = List.copyOf(jvmArgs);
  }

  private List<String> clusterArgs() {
    return List.of(
        "--cluster", "--set", "cluster.name=" + name, "--set", "cluster.port=" + hazelcastPort);
  }

  /**
   * Starts a tracker on a free port with extra {@code --set tracker.k=v} settings; waits for its
   * banner.
   */
  Jar.Server startTracker(Duration startup, String... sets) throws Exception {
    int port = TestPorts.free();
    List<String> args = new ArrayList<>(List.of("tracker", "--set", "tracker.port=" + port));
    args.addAll(clusterArgs());
    for (String s : sets) {
      args.add("--set");
      args.add("tracker." + s);
    }
    Jar.Server t = Jar.Server.start(dir, jvmArgs, Map.of(), args.toArray(String[]::new));
    trackers.add(t);
    trackerPorts.add(port);
    return t.awaitStarted(startup);
  }

  /** {@code 127.0.0.1:port,...} of every tracker, for {@code ClientGlobal.initByTrackers}. */
  String trackerList() {
    return String.join(",", trackerPorts.stream().map(p -> "127.0.0.1:" + p).toList());
  }

  /** A storage (not started yet) with its own free port and data directory. */
  Storage storage(int id, String group, String... sets) throws IOException {
    Storage s = new Storage(id, group, TestPorts.free(), dir.resolve("s" + id), List.of(sets));
    storages.add(s);
    return s;
  }

  /** One storage process, restartable on the same id, port and data. */
  final class Storage {
    final int id;
    final String group;
    final int port;
    final Path root;
    final List<String> sets;

    /** Further {@code --set section.key=value} arguments of other sections (s3, cluster...). */
    final List<String> otherSets = new ArrayList<>();

    Jar.Server server;

    Storage(int id, String group, int port, Path root, List<String> sets) {
      this.id = id;
      this.group = group;
      this.port = port;
      this.root = root;
      this.sets = sets;
    }

    /** Starts the process (returns at once; see {@link Jar.Server#awaitStarted}). */
    Jar.Server start() throws IOException {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "storage",
                  "--set",
                  "storage.id=" + id,
                  "--set",
                  "storage.group=" + group,
                  "--set",
                  "storage.port=" + port,
                  "--set",
                  "storage.storePaths=" + root));
      args.addAll(clusterArgs());
      for (String s : sets) {
        args.add("--set");
        args.add("storage." + s);
      }
      for (String s : otherSets) {
        args.add("--set");
        args.add(s);
      }
      server = Jar.Server.start(dir, jvmArgs, Map.of(), args.toArray(String[]::new));
      return server;
    }

    /** The store path's {@code data} directory (store path M00). */
    Path data() {
      return root.resolve("data");
    }

    /**
     * The bytes of a stored file as this storage's disk holds them, or null when it does not: a
     * file of its own, or — a trunk name — its slot in {@code data/packed/<source>-<volume>.vol}
     * (32-byte header, state 'F' at byte 2, then the content).
     */
    byte[] storedBytes(String remoteName) throws IOException {
      if (!io.dfstree.fileid.TrunkId.isTrunkName(remoteName)) {
        Path p = file(remoteName);
        return Files.isRegularFile(p) ? Files.readAllBytes(p) : null;
      }
      io.dfstree.fileid.TrunkId t = io.dfstree.fileid.TrunkId.parse(remoteName);
      Path vol =
          data().resolve("packed").resolve(String.format("%08x-%05d.vol", t.sourceKey(), t.volume()));
      if (!Files.isRegularFile(vol)) {
        return null;
      }
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(vol)) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(32 + t.fileSize());
        while (b.hasRemaining() && ch.read(b, t.offset() + b.position()) > 0) {}
        if (b.hasRemaining() || b.get(2) != 'F') {
          return null;
        }
        byte[] out = new byte[t.fileSize()];
        b.position(32).get(out);
        return out;
      }
    }

    /** Where a remote name {@code M00/AB/CD/name} lives on this storage's disk. */
    Path file(String remoteName) {
      return data().resolve(remoteName.substring(4));
    }

    /**
     * Every regular file in the {@code data/XX/YY} directories, as {@code XX/YY/name}: what clients
     * can see. The temp directory ({@code data/.tmp}) and the sync state ({@code data/sync}) are
     * not part of it. Files the server deletes while they are listed are skipped.
     */
    TreeSet<String> storedFiles() {
      TreeSet<String> out = new TreeSet<>();
      for (Path high : list(data())) {
        if (!HEX2.matcher(high.getFileName().toString()).matches() || !Files.isDirectory(high)) {
          continue;
        }
        for (Path low : list(high)) {
          if (!HEX2.matcher(low.getFileName().toString()).matches() || !Files.isDirectory(low)) {
            continue;
          }
          for (Path f : list(low)) {
            if (Files.isRegularFile(f)) {
              out.add(high.getFileName() + "/" + low.getFileName() + "/" + f.getFileName());
            }
          }
        }
      }
      return out;
    }

    /**
     * The live slots ('F') of every packed volume, as {@code <volume file>@<offset>}: the small
     * files {@link #storedFiles} cannot see. Walks each volume as the store's scanner does: a 32-byte
     * header (magic 0xDF5A, state at byte 2, slot length at byte 4) every slot length, or every 32
     * bytes where no header is (a hole).
     */
    TreeSet<String> liveSlots() throws IOException {
      TreeSet<String> out = new TreeSet<>();
      for (Path vol : list(data().resolve("packed"))) {
        if (!vol.getFileName().toString().endsWith(".vol")) {
          continue;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(vol)) {
          long size = ch.size();
          java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(32);
          for (long pos = 0; pos + 32 <= size; ) {
            h.clear();
            while (h.hasRemaining() && ch.read(h, pos + h.position()) > 0) {}
            int slotLength = h.getInt(4);
            if (h.getShort(0) != (short) 0xDF5A || slotLength < 32 || slotLength % 32 != 0) {
              pos += 32;
              continue;
            }
            if (h.get(2) == 'F') {
              out.add(vol.getFileName() + "@" + pos);
            }
            pos += slotLength;
          }
        }
      }
      return out;
    }

    /** Files in {@code data/.tmp/HH/}: uploads and replicas in flight, or leftovers. */
    List<Path> tempFiles() {
      List<Path> out = new ArrayList<>();
      for (Path p : list(data().resolve(".tmp"))) {
        if (Files.isDirectory(p)) {
          list(p).stream().filter(Files::isRegularFile).forEach(out::add);
        } else if (Files.isRegularFile(p)) {
          out.add(p);
        }
      }
      return out;
    }

    /**
     * Status of this storage as tracker {@code t} lists it, or -1 (unknown or tracker unreachable).
     */
    int status(int t) {
      return LoopbackCluster.status(trackerPorts.get(t), group, id);
    }

    /**
     * Waits until tracker {@code t} lists this storage as {@code code}; fails with its output
     * otherwise.
     */
    void awaitStatus(int t, int code, Duration timeout) throws InterruptedException {
      AtomicInteger last = new AtomicInteger();
      try {
        await()
            .atMost(timeout)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  last.set(status(t));
                  return last.get() == code;
                });
      } catch (ConditionTimeoutException e) {
        fail(
            "storage "
                + id
                + " is "
                + last
                + ", not "
                + code
                + ", at tracker "
                + t
                + " after "
                + timeout
                + "\n"
                + (server == null ? "" : server.output()));
      }
    }
  }

  /** The entries of {@code dir}, or none if it does not exist (any more). */
  static List<Path> list(Path dir) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(out::add);
    } catch (NoSuchFileException gone) {
      // nothing there
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /**
   * Status code of storage {@code id} of {@code group} as the tracker on {@code trackerPort} lists
   * it, or -1.
   */
  static int status(int trackerPort, String group, int id) {
    try {
      TrackerServer ts =
          new TrackerServer(
              new Socket("127.0.0.1", trackerPort),
              new InetSocketAddress("127.0.0.1", trackerPort));
      try {
        StructStorageStat[] all = new TrackerClient().listStorages(ts, group);
        if (all != null) {
          for (StructStorageStat s : all) {
            if (s.getId().equals(Integer.toString(id))) {
              return s.getStatus();
            }
          }
        }
      } finally {
        ts.close();
      }
    } catch (Exception e) {
      return -1;
    }
    return -1;
  }

  /**
   * Stops every storage, then every tracker (continuing suspended ones first), and deletes the
   * directory.
   */
  @Override
  public void close() throws Exception {
    List<Jar.Server> all = new ArrayList<>();
    for (Storage s : storages) {
      if (s.server != null) {
        all.add(s.server);
      }
    }
    all.addAll(trackers);
    Exception first = null;
    for (Jar.Server server : all) {
      try {
        server.close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    deleteTree(dir);
    if (first != null) {
      throw first;
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
