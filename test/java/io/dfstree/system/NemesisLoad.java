package io.dfstree.system;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.csource.fastdfs.StorageClient1;
import org.csource.fastdfs.StorageServer;

/**
 * Load from the official FastDFS client (through the trackers, as an application would) and the
 * ledger it keeps: every acknowledged upload with its bytes, every acknowledged delete, and every
 * wrong byte ever read. Each thread owns the files it uploaded, so a file is never downloaded while
 * another thread deletes it. A delete that errors leaves the file's fate unknown: it is then
 * checked neither as live nor as deleted.
 */
final class NemesisLoad {
  /** Acknowledged, not deleted: file id -> the bytes acknowledged. */
  final Map<String, byte[]> live = new ConcurrentHashMap<>();

  /** Acknowledged deletes (status 0). */
  final Set<String> deleted = ConcurrentHashMap.newKeySet();

  /** Deletes that failed: maybe deleted, maybe not. */
  final Set<String> unknown = ConcurrentHashMap.newKeySet();

  final List<String> findings = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong seed = new AtomicLong(42);

  /** Counters of one round. */
  static final class Counts {
    final AtomicLong ops = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong acknowledged = new AtomicLong();
    final AtomicLong wrong = new AtomicLong();
  }

  /** Runs {@code threads} clients until {@code deadlineNanos}; returns when all have stopped. */
  Counts run(int threads, long deadlineNanos) throws InterruptedException {
    Counts c = new Counts();
    List<Thread> all = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      SplittableRandom random = new SplittableRandom(seed.incrementAndGet());
      Thread t = new Thread(() -> loop(c, random, deadlineNanos), "nemesis-load-" + i);
      t.start();
      all.add(t);
    }
    for (Thread t : all) {
      t.join();
    }
    return c;
  }

  private void loop(Counts c, SplittableRandom random, long deadlineNanos) {
    List<String> mine = new ArrayList<>();
    while (System.nanoTime() < deadlineNanos) {
      int dice = random.nextInt(100);
      c.ops.incrementAndGet();
      try {
        StorageClient1 client = new StorageClient1();
        if (dice < 50 || mine.isEmpty()) {
          byte[] bytes = new byte[1 + random.nextInt(64 * 1024)];
          random.nextBytes(bytes);
          String id = client.upload_file1(bytes, "bin", null);
          if (id == null) {
            c.failed.incrementAndGet();
          } else {
            live.put(id, bytes);
            mine.add(id);
            c.acknowledged.incrementAndGet();
          }
        } else if (dice < 85) {
          String id = mine.get(random.nextInt(mine.size()));
          byte[] got = client.download_file1(id);
          if (got == null) {
            c.failed.incrementAndGet();
          } else if (!Arrays.equals(got, live.get(id))) {
            c.wrong.incrementAndGet();
            findings.add(
                "wrong bytes read under load: "
                    + id
                    + " ("
                    + got.length
                    + " bytes, acknowledged "
                    + live.get(id).length
                    + ")");
          }
        } else {
          String id = mine.remove(random.nextInt(mine.size()));
          live.remove(id);
          int rc = client.delete_file1(id);
          if (rc == 0) {
            deleted.add(id);
          } else {
            unknown.add(id);
            c.failed.incrementAndGet();
          }
        }
      } catch (Exception e) {
        c.failed.incrementAndGet();
      }
    }
  }

  /** What a check after a round found. */
  record Check(
      long lost, long wrong, long resurrected, long servedByTracker, long lateDeletes, long lateMs) {}

  /**
   * How long a deleted file may still be served by a member after a round has healed and settled.
   * Deletes reach the other members by catch-up, asynchronously (as in FastDFS): a member whose
   * pull from the deleting member was slowed by the round's fault (a 1 Mbit/s link, 5% loss, a
   * stopped third member) applies them seconds later. A file still served after this long did not
   * lag: it came back.
   */
  static final long DELETE_LAG_MAX_MS = 60_000;

  /**
   * Every live file must come back with its bytes: through the trackers, or else from any storage
   * of the group asked directly (a tracker routing to a member still catching up is not a loss).
   * Every acknowledged delete must be gone from every storage: a storage still serving one is
   * asked again until it is gone (a late delete, counted with the longest wait) or {@link
   * #DELETE_LAG_MAX_MS} passed (resurrected).
   */
  Check check(List<String> storageAddresses, int storagePort) {
    long lost = 0;
    long wrong = 0;
    long resurrected = 0;
    long viaTracker = 0;
    List<Direct> direct = new ArrayList<>();
    for (String a : storageAddresses) {
      direct.add(new Direct(a, storagePort));
    }
    for (Map.Entry<String, byte[]> e : live.entrySet()) {
      byte[] got = null;
      for (int attempt = 0; attempt < 2 && got == null; attempt++) {
        try {
          got = new StorageClient1().download_file1(e.getKey());
        } catch (Exception ignored) {
          // try again, then the storages one by one
        }
      }
      if (got != null) {
        viaTracker++;
      } else {
        for (Direct d : direct) {
          got = d.download(e.getKey());
          if (got != null) {
            break;
          }
        }
      }
      if (got == null) {
        lost++;
        findings.add("lost: " + e.getKey() + " (" + e.getValue().length + " bytes) on no storage");
      } else if (!Arrays.equals(got, e.getValue())) {
        wrong++;
        findings.add("wrong bytes in check: " + e.getKey());
      }
    }
    // (id, storage) pairs still served
    List<Map.Entry<String, Direct>> served = new ArrayList<>();
    for (String id : deleted) {
      for (Direct d : direct) {
        if (d.download(id) != null) {
          served.add(Map.entry(id, d));
        }
      }
    }
    long t0 = System.nanoTime();
    long lateDeletes = served.size();
    long waitedMs = 0;
    while (!served.isEmpty()) {
      waitedMs = (System.nanoTime() - t0) / 1_000_000;
      if (waitedMs > DELETE_LAG_MAX_MS) {
        break;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      served.removeIf(e -> e.getValue().download(e.getKey()) == null);
    }
    for (Map.Entry<String, Direct> e : served) {
      resurrected++;
      findings.add(
          "resurrected: "
              + e.getKey()
              + " served by "
              + e.getValue().address
              + " "
              + DELETE_LAG_MAX_MS / 1000
              + " s after the round settled");
    }
    lateDeletes -= served.size();
    direct.forEach(Direct::close);
    return new Check(lost, wrong, resurrected, viaTracker, lateDeletes, waitedMs);
  }

  /** One storage asked directly over one connection, reopened after an error. */
  private static final class Direct {
    final String address;
    final int port;
    StorageServer server;

    Direct(String address, int port) {
      this.address = address;
      this.port = port;
    }

    byte[] download(String id) {
      for (int attempt = 0; attempt < 2; attempt++) {
        try {
          if (server == null) {
            server = new StorageServer(address, port, 0);
          }
          return new StorageClient1(null, server).download_file1(id);
        } catch (Exception e) {
          close();
        }
      }
      return null;
    }

    void close() {
      try {
        if (server != null) {
          server.close();
        }
      } catch (Exception ignored) {
        // gone already
      }
      server = null;
    }
  }
}
