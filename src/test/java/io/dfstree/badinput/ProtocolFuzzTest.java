package io.dfstree.badinput;

import static io.dfstree.RawClient.ascii;
import static io.dfstree.RawClient.cat;
import static io.dfstree.RawClient.header;
import static io.dfstree.RawClient.i64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.dfstree.RawClient;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.TrackerRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Seeded protocol fuzzer against a real tracker and storage: random bytes, valid headers with
 * random command/length/body, and mutations (byte flips, truncation, extension, wrong declared
 * length, splices) of valid requests for every storage and tracker command. Connections are reused
 * until the server closes them. Bound by packet count: every run sends the same number of packets
 * however loaded the machine is; the time bound is only a guard against a hung server, far above
 * what a loaded machine needs (about 25 s quiet).
 *
 * <p>Seed: {@code -Dfuzz.seed=N} (printed on every run). Packets: {@code -Dfuzz.packets=N}. Hang
 * guard: {@code -Dfuzz.millis=N}.
 */
class ProtocolFuzzTest {
  static final long SEED = Long.getLong("fuzz.seed", 0x5EEDF00DL);
  static final int PACKETS = Integer.getInteger("fuzz.packets", 120_000);
  static final long HANG_GUARD_MS = Long.getLong("fuzz.millis", 300_000);

  static final int[] STORAGE_CMDS = {
    11, 12, 13, 14, 15, 21, 22, 23, 24, 34, 36, 38, 111, 82, 9, 16, 17, 18, 19, 20, 25, 26, 27, 35,
    37, 40
  };
  static final int[] TRACKER_CMDS = {
    101, 102, 103, 104, 105, 106, 107, 90, 91, 92, 93, 94, 95, 69, 70, 75, 108, 109, 111, 82, 81,
    83, 84, 60
  };

  static Servers servers;
  static Level savedLevel;
  static Logger dfstreeLogger;
  static final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  static AppenderBase<ILoggingEvent> errorCatcher;
  static List<String> before;
  static List<String> names = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    servers = Servers.start();
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    dfstreeLogger = ctx.getLogger("io.dfstree");
    savedLevel = dfstreeLogger.getLevel();
    dfstreeLogger.setLevel(Level.ERROR); // one WARN line per bad request would flood the log
    errorCatcher =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
              errors.add(
                  e.getLoggerName()
                      + ": "
                      + e.getFormattedMessage()
                      + (e.getThrowableProxy() == null
                          ? ""
                          : " "
                              + e.getThrowableProxy().getClassName()
                              + ": "
                              + e.getThrowableProxy().getMessage()));
            }
          }
        };
    errorCatcher.setContext(ctx);
    errorCatcher.start();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(errorCatcher);
    names.add(RawClient.uploadNew(servers.storagePort, 11, "jpg", RawClient.bytes(3000, 1)));
    names.add(RawClient.uploadNew(servers.storagePort, 11, "", RawClient.bytes(10, 2)));
    names.add(RawClient.uploadNew(servers.storagePort, 23, "log", RawClient.bytes(500, 3)));
    names.add(RawClient.uploadNew(servers.storagePort, 23, "", RawClient.bytes(0, 4)));
    before = servers.allFiles();
  }

  @AfterAll
  static void stop() throws Exception {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(errorCatcher);
    dfstreeLogger.setLevel(savedLevel);
    servers.close();
  }

  @Test
  void fuzzBothPorts() throws Exception {
    System.out.println("fuzz seed " + SEED + " (-Dfuzz.seed to replay), packets " + PACKETS);
    long deadline = System.currentTimeMillis() + HANG_GUARD_MS;
    // several connections per port at once: most of a fuzzer's time is spent waiting for replies
    int perPort = Integer.getInteger("fuzz.threadsPerPort", 3);
    List<Fuzzer> storage = new ArrayList<>();
    List<Fuzzer> tracker = new ArrayList<>();
    int storageQuota = (int) (PACKETS * 0.6) / perPort + 1;
    int trackerQuota = (PACKETS - (int) (PACKETS * 0.6)) / perPort + 1;
    for (int i = 0; i < perPort; i++) {
      storage.add(
          new Fuzzer(servers.storagePort, true, new Random(SEED + i), storageQuota, deadline));
      tracker.add(
          new Fuzzer(
              servers.trackerPort, false, new Random(SEED * 31 + 7 + i), trackerQuota, deadline));
    }
    List<Fuzzer> all = new ArrayList<>(storage);
    all.addAll(tracker);
    ExecutorService pool = Executors.newFixedThreadPool(all.size());
    long sent = 0;
    for (Future<Long> f : pool.invokeAll(all)) {
      sent += f.get();
    }
    pool.shutdown();
    long[] st = Fuzzer.totals(storage);
    long[] tr = Fuzzer.totals(tracker);
    System.out.printf(
        "fuzz: %d packets (%d storage, %d tracker), %d + %d connections, %d + %d closed by the server,"
            + " %d + %d reply bytes, %d + %d packets answered, %d + %d ACTIVE_TESTs answered%n",
        sent, st[0], tr[0], st[1], tr[1], st[2], tr[2], st[3], tr[3], st[4], tr[4], st[5], tr[5]);
    assertTrue(
        sent >= PACKETS,
        "only " + sent + " packets before the hang guard (" + HANG_GUARD_MS + " ms): a server hangs");
    // every fresh connection, opened while the other fuzzers' garbage was in flight, had its valid
    // ACTIVE_TEST answered (waited for generously: a count, not a speed), and the fuzz stream itself
    // drew replies (how many within the fuzzer's 2 ms wait depends on the machine's load: 19.5-20k
    // of 48k tracker packets on a quiet one, 7.8k beside 8 CPU burners; flakehunt28)
    assertEquals(st[1], st[5], "storage connections whose ACTIVE_TEST was answered");
    assertEquals(tr[1], tr[5], "tracker connections whose ACTIVE_TEST was answered");
    assertTrue(st[4] > 0 && tr[4] > 0, "fuzz packets answered: " + st[4] + " + " + tr[4]);

    // both servers alive and serving
    RawClient.activeTest(servers.storagePort);
    RawClient.activeTest(servers.trackerPort);
    try (RawClient r = RawClient.open(servers.trackerPort)) {
      r.send(new TrackerRequest.QueryStore(null, false));
      assertEquals(40, r.expect(0).length());
    }
    byte[] content = RawClient.bytes(70_000, 99);
    String name = RawClient.uploadNew(servers.storagePort, 11, "bin", content);
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(RawClient.download(0, 0, RawClient.GROUP, name));
      assertArrayEquals(content, r.expect(0).body());
    }

    // no temp files left once the fuzz connections are gone
    assertEquals(List.of(), servers.awaitTmpEmpty(10_000), "temp files left behind");
    // every new file is a FastDFS file (or its -m metadata) inside data/HH/HH
    Set<String> old = new HashSet<>(before);
    String prefix = servers.root.relativize(servers.data).toString() + "/";
    List<String> bad = new ArrayList<>();
    int fresh = 0;
    for (String f : servers.allFiles()) {
      if (old.contains(f)) {
        continue;
      }
      fresh++;
      if (!f.startsWith(prefix) || !validStoredName(f.substring(prefix.length()))) {
        bad.add(f);
      }
    }
    System.out.println("fuzz: " + fresh + " new files, all checked");
    assertEquals(List.of(), bad, "files the fuzzer should not have been able to create");
    assertEquals(List.of(), errors, "errors logged by the servers");
  }

  /** {@code HH/HH/<name>} or {@code HH/HH/<name>-m} for a valid FastDFS remote name in M00. */
  static boolean validStoredName(String rel) {
    String[] parts = rel.split("/");
    if (parts.length != 3) {
      return false;
    }
    String base = parts[2].endsWith("-m") ? parts[2].substring(0, parts[2].length() - 2) : parts[2];
    try {
      FileId id =
          FileId.parseRemote(RawClient.GROUP, "M00/" + parts[0] + "/" + parts[1] + "/" + base);
      return id.high() < 16 && id.low() < 16;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** One fuzzing thread for one port. */
  static final class Fuzzer implements Callable<Long> {
    final int port;
    final boolean storage;
    final Random rnd;
    final int quota;
    final long deadline;
    final AtomicLong packets = new AtomicLong();
    int connections;
    int serverCloses;
    long received;
    long answered;
    long probesAnswered;
    final ByteBuffer sink = ByteBuffer.allocate(256 * 1024);

    /**
     * packets, connections, server closes, reply bytes, answered packets, connections whose
     * ACTIVE_TEST was answered, summed over fuzzers.
     */
    static long[] totals(List<Fuzzer> fs) {
      long[] t = new long[6];
      for (Fuzzer f : fs) {
        t[0] += f.packets.get();
        t[1] += f.connections;
        t[2] += f.serverCloses;
        t[3] += f.received;
        t[4] += f.answered;
        t[5] += f.probesAnswered;
      }
      return t;
    }

    Fuzzer(int port, boolean storage, Random rnd, int quota, long deadline) {
      this.port = port;
      this.storage = storage;
      this.rnd = rnd;
      this.quota = quota;
      this.deadline = deadline;
    }

    @Override
    public Long call() throws Exception {
      SocketChannel ch = null;
      Selector selector = Selector.open();
      int left = 0;
      int silent = 0;
      boolean owed = false; // the last packet got no reply within the short wait
      try {
        while (packets.get() < quota && System.currentTimeMillis() < deadline) {
          if (ch == null || left <= 0 || silent >= 2) {
            if (ch != null) {
              ch.close(); // also deregisters it
            }
            ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            connections++;
            if (activeTestAnswered(ch, selector)) {
              probesAnswered++;
            }
            left = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 300);
            silent = 0;
            owed = false;
          }
          byte[] p = next();
          packets.incrementAndGet();
          left--;
          long receivedBefore = received;
          boolean written = writeAll(ch, p);
          if (owed && received > receivedBefore) {
            answered++; // the last packet's reply came later than the short wait (a loaded machine)
          }
          owed = false;
          int r = written ? awaitReply(ch, selector) : -1;
          if (r < 0) {
            serverCloses++;
            ch.close();
            ch = null;
          } else if (r == 0) {
            silent++; // the server waits for more bytes (a body still owed): a couple of misses,
            // then move on
            owed = true;
          } else {
            answered++;
            silent = 0;
          }
        }
      } finally {
        if (ch != null) {
          ch.close();
        }
        selector.close();
      }
      return packets.get();
    }

    /**
     * A valid ACTIVE_TEST (header only) on a fresh connection, and its 10-byte answer with status 0
     * waited for up to 5 s: whatever else the server is being sent, a valid request is answered.
     */
    private boolean activeTestAnswered(SocketChannel ch, Selector selector) throws IOException {
      byte[] probe = new byte[10];
      probe[8] = (byte) 111; // FDFS_PROTO_CMD_ACTIVE_TEST, on both ports
      ByteBuffer out = ByteBuffer.wrap(probe);
      while (out.hasRemaining()) {
        ch.write(out); // 10 bytes into a fresh socket's empty buffer; no reply may be drained here
      }
      ByteBuffer reply = ByteBuffer.allocate(10);
      long until = System.currentTimeMillis() + 5000;
      while (reply.hasRemaining() && System.currentTimeMillis() < until) {
        selector.selectedKeys().clear();
        selector.select(100);
        if (ch.read(reply) < 0) {
          return false;
        }
      }
      return !reply.hasRemaining() && reply.get(8) == 100 && reply.get(9) == 0;
    }

    /** Bytes of reply within a short wait: > 0 some arrived, 0 none, -1 the server closed. */
    private int awaitReply(SocketChannel ch, Selector selector) throws IOException {
      try {
        selector.selectedKeys().clear();
        if (selector.select(2) == 0) {
          return 0;
        }
        sink.clear();
        int n = ch.read(sink);
        if (n > 0) {
          received += n;
          return drain(ch) ? n : -1;
        }
        return n < 0 ? -1 : 0;
      } catch (IOException e) {
        return -1;
      }
    }

    /**
     * Writes while draining replies; false once the server has closed (or stalls the write for 2
     * s).
     */
    private boolean writeAll(SocketChannel ch, byte[] p) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(p);
      long stall = System.currentTimeMillis() + 2000;
      try {
        while (true) {
          ch.write(b);
          if (!drain(ch)) {
            return false;
          }
          if (!b.hasRemaining()) {
            return true;
          }
          if (System.currentTimeMillis() > stall) {
            return false; // the server is not reading (body to a paused stream, ...): move on
          }
          Thread.onSpinWait();
        }
      } catch (IOException e) {
        return false;
      }
    }

    private boolean drain(SocketChannel ch) throws IOException {
      while (true) {
        sink.clear();
        int n = ch.read(sink);
        if (n < 0) {
          return false;
        }
        if (n == 0) {
          return true;
        }
        received += n;
      }
    }

    // ---- packet generation
    // ------------------------------------------------------------------------

    byte[] next() {
      int mode = rnd.nextInt(100);
      if (mode < 10) {
        return randomBytes(1 + rnd.nextInt(rnd.nextBoolean() ? 12 : 200));
      }
      if (mode < 35) {
        return randomHeaderPacket();
      }
      byte[] valid = validRequest();
      return mode < 45 ? valid : mutate(valid);
    }

    byte[] randomBytes(int n) {
      byte[] b = new byte[n];
      rnd.nextBytes(b);
      return b;
    }

    int cmd() {
      int[] cmds = storage ? STORAGE_CMDS : TRACKER_CMDS;
      return rnd.nextInt(5) == 0 ? rnd.nextInt(256) : cmds[rnd.nextInt(cmds.length)];
    }

    long length() {
      return switch (rnd.nextInt(12)) {
        case 0 -> -1 - rnd.nextInt(1000);
        case 1 -> Long.MAX_VALUE - rnd.nextInt(1000);
        case 2 -> Long.MIN_VALUE + rnd.nextInt(1000);
        case 3 -> 200_000 + rnd.nextInt(200_000); // around the request limits
        case 4 -> 1L << (20 + rnd.nextInt(20));
        default -> rnd.nextInt(rnd.nextBoolean() ? 64 : 400);
      };
    }

    byte[] randomHeaderPacket() {
      long len = length();
      int bodyLen =
          (int)
              Math.max(
                  0, Math.min(len, rnd.nextInt(4) == 0 ? rnd.nextInt(500) : Math.min(len, 2000)));
      return cat(
          header(len, cmd(), rnd.nextInt(8) == 0 ? rnd.nextInt(256) : 0), randomBytes(bodyLen));
    }

    String name() {
      String n = names.get(rnd.nextInt(names.size()));
      if (rnd.nextInt(4) == 0) { // a look-alike: same shape, other payload
        char[] c = n.toCharArray();
        c[10 + rnd.nextInt(27)] = "ABCabc019-_".charAt(rnd.nextInt(11));
        n = new String(c);
      }
      return n;
    }

    byte[] content() {
      return randomBytes(rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(2048));
    }

    String ext() {
      String[] e = {"", "jpg", "txt", "a", "tar.gz", "..", "a/b", "x y", "abcdefg", "-m"};
      return e[rnd.nextInt(e.length)];
    }

    byte[] validRequest() {
      String g = RawClient.GROUP;
      if (!storage) {
        int c = TRACKER_CMDS[rnd.nextInt(TRACKER_CMDS.length)];
        String gs = rnd.nextInt(5) == 0 ? "group2" : g;
        return switch (c) {
          case 102, 105 -> RawClient.wire(new TrackerRequest.QueryFetch(gs, name(), c == 105));
          case 103 -> RawClient.wire(new TrackerRequest.QueryUpdate(gs, name()));
          case 104, 107 -> RawClient.wire(new TrackerRequest.QueryStore(gs, c == 107));
          case 90 -> RawClient.wire(new TrackerRequest.ListOneGroup(gs));
          case 92 ->
              RawClient.wire(
                  new TrackerRequest.ListStorages(gs, rnd.nextBoolean() ? "" : "100001"));
          case 93 -> RawClient.wire(new TrackerRequest.DeleteStorage(gs, "100002"));
          case 69 -> RawClient.wire(new TrackerRequest.FetchStorageIds(rnd.nextInt(3), true));
          case 101, 106 -> RawClient.wire(new TrackerRequest.QueryStore(null, c == 106));
          case 91 -> RawClient.wire(new TrackerRequest.ListGroups());
          case 95 -> RawClient.wire(new TrackerRequest.GetLeader());
          case 75 -> RawClient.wire(new TrackerRequest.GetParameters());
          case 111 -> RawClient.wire(new TrackerRequest.ActiveTest());
          case 82 -> RawClient.wire(new TrackerRequest.Quit());
          default ->
              header(0, c, 0); // a command this tracker does not serve: only raw bytes name it
        };
      }
      int c = STORAGE_CMDS[rnd.nextInt(14)];
      return switch (c) {
        case 11, 23 ->
            RawClient.upload(c == 23, rnd.nextInt(6) == 0 ? rnd.nextInt(3) : -1, ext(), content());
        case 12 -> RawClient.delete(g, name());
        case 13 ->
            RawClient.setMeta(
                rnd.nextBoolean() ? 'O' : 'M',
                g,
                name(),
                ascii("k" + rnd.nextInt(5) + "\u0002v" + rnd.nextInt(1000) + "\u0001w\u0002x"));
        case 14 -> RawClient.download(rnd.nextInt(600), rnd.nextInt(600), g, name());
        case 15 -> RawClient.getMeta(g, name());
        case 21 ->
            RawClient.slave(
                name(),
                new String[] {"_s", "_big", "-m", "..", "a/b", ""}[rnd.nextInt(6)],
                ext(),
                content());
        case 22 -> RawClient.queryInfo(g, name());
        case 24 -> RawClient.append(name(), content());
        case 34 -> RawClient.modify(name(), rnd.nextInt(600), content());
        case 36 -> RawClient.truncate(name(), rnd.nextInt(600));
        case 38 -> RawClient.regenerate(name());
        case 82 -> RawClient.wire(new StorageRequest.Quit());
        case 111 -> RawClient.activeTestBytes();
        default -> header(0, c, 0); // a command this storage does not serve: only raw bytes name it
      };
    }

    byte[] mutate(byte[] p) {
      byte[] m = p.clone();
      switch (rnd.nextInt(7)) {
        case 0 -> { // flip bytes
          int flips = 1 + rnd.nextInt(4);
          for (int i = 0; i < flips; i++) {
            m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        case 1 -> m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256); // replace a byte
        case 2 -> m = java.util.Arrays.copyOf(m, rnd.nextInt(m.length)); // truncate
        case 3 -> m = cat(m, randomBytes(1 + rnd.nextInt(64))); // extend
        case 4 -> { // change the declared length
          long declared = ByteBuffer.wrap(m).getLong(0);
          long v = rnd.nextBoolean() ? declared + rnd.nextInt(41) - 20 : length();
          System.arraycopy(i64(v), 0, m, 0, 8);
        }
        case 5 -> { // splice: head of this request, tail of another
          byte[] other = validRequest();
          int a = rnd.nextInt(m.length + 1);
          int b = rnd.nextInt(other.length + 1);
          m =
              cat(
                  java.util.Arrays.copyOf(m, a),
                  java.util.Arrays.copyOfRange(other, b, other.length));
        }
        default -> { // change a field inside the body (length fields, store path index, flags)
          if (m.length > 10) {
            int at = 10 + rnd.nextInt(Math.min(m.length - 10, 40));
            byte[] v = i64(rnd.nextBoolean() ? -rnd.nextInt(3) : rnd.nextInt(300));
            System.arraycopy(v, 0, m, at, Math.min(8, m.length - at));
          }
        }
      }
      return m;
    }
  }
}
