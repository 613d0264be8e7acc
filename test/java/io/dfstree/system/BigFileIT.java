package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file far larger than the server's heap goes up and comes back through the CLI, byte for byte,
 * while the server runs with {@code -Xmx256m}: streaming with back-pressure, never the whole file
 * in memory. Size: {@code -Ddfstree.bigfile.mb} (300 MiB by default; {@code mvn verify
 * -Ddfstree.bigfile.mb=2048} runs the 2 GiB check).
 */
class BigFileIT {
  static final long MIB = 1L << 20;
  static final long HEAP_LIMIT_MIB = 128; // "well under" the 256 MiB -Xmx

  @TempDir Path dir;

  @Test
  void bigFileUpAndDownThroughTheCliWithBoundedServerHeap() throws Exception {
    long mb = Long.getLong("dfstree.bigfile.mb", 300);
    int trackerPort = TestPorts.free();
    int storagePort = TestPorts.free();
    Path gcLog = dir.resolve("gc.log");
    Jar.Server server =
        Jar.Server.start(
            dir,
            List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc:file=" + gcLog),
            Map.of(),
            "all-in-one",
            "--set",
            "tracker.port=" + trackerPort,
            "--set",
            "storage.port=" + storagePort,
            "--set",
            "storage.storePaths=" + dir.resolve("store"),
            "--set",
            "storage.reservedSpace=0",
            "--set",
            "storage.subdirCount=16",
            "--set",
            "tracker.httpPort=0",
            "--set",
            "storage.httpPort=0");
    try {
      server.awaitStarted(Duration.ofSeconds(60));
      server.awaitOutput("-> ACTIVE", Duration.ofSeconds(10));
      String tracker = "127.0.0.1:" + trackerPort;

      Path big = dir.resolve("big.bin");
      long t0 = System.nanoTime();
      String sha = generate(big, mb * MIB);
      System.out.printf(
          "BigFileIT: generated %d MiB on disk in %d ms%n",
          mb, (System.nanoTime() - t0) / 1_000_000);

      Duration transfer = Duration.ofSeconds(Math.max(120, mb)); // >= 1 MiB/s
      Jar.Result up =
          Jar.run(
              dir, transfer, "upload", big.toString(), "--tracker", tracker, "--timeout", "120");
      assertEquals(0, up.exit(), up.toString());
      String fileId = up.out().trim();
      assertTrue(fileId.startsWith("group1/M00/") && fileId.endsWith(".bin"), up.toString());

      Path back = dir.resolve("back.bin");
      Jar.Result down =
          Jar.run(
              dir,
              transfer,
              "download",
              fileId,
              back.toString(),
              "--tracker",
              tracker,
              "--timeout",
              "120");
      assertEquals(0, down.exit(), down.toString());
      assertEquals(mb * MIB, Files.size(back), "downloaded size");
      assertEquals(sha, sha256(back), "SHA-256 of the downloaded file");

      assertTrue(server.process.isAlive(), "server died during the transfer\n" + server.output());
      String all = server.output();
      assertFalse(all.contains("OutOfMemoryError"), all);

      long usedAfterGc = heapUsedAfterFullGc(server.pid());
      long peakAfterGc = peakHeapAfterGc(gcLog);
      System.out.printf(
          "BigFileIT: %d MiB  upload %d ms = %.1f MB/s  download %d ms = %.1f MB/s  "
              + "server heap (-Xmx256m): used after full GC %d KiB, peak after any GC during the run %d KiB%n",
          mb,
          up.millis(),
          mbPerSec(mb, up.millis()),
          down.millis(),
          mbPerSec(mb, down.millis()),
          usedAfterGc / 1024,
          peakAfterGc / 1024);
      assertTrue(
          usedAfterGc < HEAP_LIMIT_MIB * MIB,
          "heap used after the transfer: " + usedAfterGc / MIB + " MiB");
      assertTrue(
          peakAfterGc < HEAP_LIMIT_MIB * MIB,
          "live heap after a GC reached " + peakAfterGc / MIB + " MiB during the transfer");
      assertTrue(server.process.isAlive(), "server alive after the checks");
    } finally {
      server.close();
    }
  }

  static double mbPerSec(long mib, long millis) {
    return mib * MIB / 1e6 / Math.max(1, millis / 1000.0);
  }

  /** Writes {@code size} pseudo-random bytes 1 MiB at a time and returns their SHA-256. */
  static String generate(Path file, long size) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    SplittableRandom rnd = new SplittableRandom(42);
    ByteBuffer buf = ByteBuffer.allocate((int) MIB);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long left = size; left > 0; ) {
        buf.clear();
        while (buf.remaining() >= 8) {
          buf.putLong(rnd.nextLong());
        }
        buf.flip();
        buf.limit((int) Math.min(buf.limit(), left));
        md.update(buf.array(), 0, buf.limit());
        left -= buf.limit();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] b = new byte[(int) MIB];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(b)) > 0; ) {
        md.update(b, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** {@code jcmd <pid> GC.run}, then the used heap from {@code GC.heap_info} (all generations). */
  static long heapUsedAfterFullGc(long pid) throws Exception {
    run(Jar.javaBin("jcmd"), String.valueOf(pid), "GC.run");
    String info = run(Jar.javaBin("jcmd"), String.valueOf(pid), "GC.heap_info");
    long usedKb = 0;
    boolean found = false;
    Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    for (String line : info.split("\n")) {
      if (line.contains("Metaspace") || line.contains("class space")) {
        continue;
      }
      Matcher lm = m.reset(line);
      if (lm.find()) {
        usedKb += Long.parseLong(lm.group(1));
        found = true;
      }
    }
    assertTrue(found, "no heap figures in jcmd output:\n" + info);
    return usedKb * 1024;
  }

  /** The largest heap occupancy right after a collection in the -Xlog:gc log ("...->23M(256M)"). */
  static long peakHeapAfterGc(Path gcLog) throws Exception {
    long peak = 0;
    Matcher m = Pattern.compile("->(\\d+)M\\(\\d+M\\)").matcher("");
    for (String line : Files.readAllLines(gcLog)) {
      if (m.reset(line).find()) {
        peak = Math.max(peak, Long.parseLong(m.group(1)) * MIB);
      }
    }
    return peak;
  }

  static String run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    return out;
  }
}
