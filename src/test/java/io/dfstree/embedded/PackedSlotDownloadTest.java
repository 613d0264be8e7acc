package io.dfstree.embedded;

import static io.dfstree.embedded.PackedNode.random;
import static io.dfstree.embedded.PackedNode.storage;
import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.Damage;
import io.dfstree.SingleNodeServer;
import io.dfstree.fileid.TrunkId;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A FastDFS download of a packed slot of up to 64 KiB over a kept connection (as the pooled client
 * does): the slot is read into direct memory, checked against its CRC32 and sent from there, with
 * no heap copy of the content on the server — and a slot that fails its check is still never sent.
 */
class PackedSlotDownloadTest {
  static SingleNodeServer server;

  @BeforeAll
  static void start() throws Exception {
    server = PackedNode.start(s -> {});
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A kept storage connection speaking the download command (14) by hand. */
  static final class Conn implements AutoCloseable {
    final Socket socket = new Socket();
    final DataInputStream in;
    final OutputStream out;

    Conn() throws IOException {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(20_000);
      socket.connect(new InetSocketAddress("127.0.0.1", server.storagePort()), 5000);
      in = new DataInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    /** The answer's status; its body read into {@code into} (which must be large enough). */
    int download(String group, String name, long offset, long length, byte[] into, int[] got)
        throws IOException {
      byte[] n = name.getBytes(StandardCharsets.US_ASCII);
      ByteBuffer req = ByteBuffer.allocate(10 + 16 + 16 + n.length);
      req.putLong(16 + 16 + n.length).put((byte) 14).put((byte) 0);
      req.putLong(offset).putLong(length);
      byte[] g = Arrays.copyOf(group.getBytes(StandardCharsets.US_ASCII), 16);
      req.put(g).put(n);
      out.write(req.array());
      out.flush();
      long len = in.readLong();
      assertEquals(100, in.readByte(), "response command");
      int status = in.readByte();
      in.readFully(into, 0, (int) len);
      got[0] = (int) len;
      return status;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Heap bytes allocated so far by every thread of this JVM but the calling one. */
  static long othersAllocated() {
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids = mx.getAllThreadIds();
    long[] bytes = mx.getThreadAllocatedBytes(ids);
    long me = Thread.currentThread().getId();
    long sum = 0;
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] != me && bytes[i] > 0) {
        sum += bytes[i];
      }
    }
    return sum;
  }

  @Test
  void aSixtyFourKiBSlotIsSentWithoutHeapCopiesOfItsContent() throws Exception {
    StorageClient c = storage();
    int files = 12;
    String[][] names = new String[files][];
    for (int i = 0; i < files; i++) {
      names[i] = c.upload_file(random(65536, 500 + i), "bin", null);
      assertNotNull(names[i], "errno " + c.getErrorCode());
      assertEquals(65536, TrunkId.parse(names[i][1]).fileSize(), "packed");
    }
    byte[] into = new byte[65536];
    int[] got = new int[1];
    try (Conn conn = new Conn()) {
      for (int round = 0; round < 3; round++) { // warm-up: JIT, pools, lazy classes
        for (String[] n : names) {
          assertEquals(0, conn.download(n[0], n[1], 0, 0, into, got));
        }
      }
      int downloads = 0;
      long before = othersAllocated();
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < files; i++) {
          assertEquals(0, conn.download(names[i][0], names[i][1], 0, 0, into, got));
          assertEquals(65536, got[0]);
          assertArrayEquals(random(65536, 500 + i), into, "bytes of file " + i);
          downloads++;
        }
      }
      long perDownload = (othersAllocated() - before) / downloads;
      // before: a fresh 64 KiB heap array per read and a second one with the response header in
      // front (~131 KiB a download); the direct read leaves the request's own objects
      assertTrue(
          perDownload < 32 * 1024,
          "server heap allocated per 64 KiB download: " + perDownload + " bytes");
    }
  }

  @Test
  void aRangeOfASlotIsItsBytes() throws Exception {
    StorageClient c = storage();
    byte[] content = random(65536, 77);
    String[] r = c.upload_file(content, "bin", null);
    assertNotNull(r);
    byte[] into = new byte[65536];
    int[] got = new int[1];
    try (Conn conn = new Conn()) {
      assertEquals(0, conn.download(r[0], r[1], 1000, 5000, into, got));
      assertArrayEquals(Arrays.copyOfRange(content, 1000, 6000), Arrays.copyOf(into, got[0]));
      assertEquals(0, conn.download(r[0], r[1], 65000, 0, into, got));
      assertArrayEquals(Arrays.copyOfRange(content, 65000, 65536), Arrays.copyOf(into, got[0]));
      assertEquals(22, conn.download(r[0], r[1], 65536, 0, into, got), "past the end: EINVAL");
      assertEquals(0, got[0]);
      assertEquals(0, conn.download(r[0], r[1], 0, 0, into, got), "still in step");
      assertArrayEquals(content, into);
    }
  }

  @Test
  void aSlotFailingItsCrcIsRefusedNotSent() throws Exception {
    StorageClient c = storage();
    byte[] content = random(65536, 99);
    String[] r = c.upload_file(content, "bin", null);
    assertNotNull(r);
    byte[] good = random(40_000, 98);
    String[] other = c.upload_file(good, "bin", null);
    assertNotNull(other);
    TrunkId t = TrunkId.parse(r[1]);
    Path volume =
        server
            .dataDir()
            .resolve("store0/data/packed")
            .resolve(String.format("%08x-%05d.vol", t.sourceKey(), t.volume()));
    Damage.flipByte(volume, t.offset() + 32 + 30_000);
    byte[] into = new byte[65536];
    int[] got = new int[1];
    try (Conn conn = new Conn()) {
      // no peer to repair it from: EIO, no body — never the damaged bytes
      assertEquals(5, conn.download(r[0], r[1], 0, 0, into, got), "damaged slot: EIO");
      assertEquals(0, got[0]);
      assertEquals(5, conn.download(r[0], r[1], 100, 10, into, got), "a range of it too");
      assertEquals(0, got[0]);
      assertEquals(0, conn.download(other[0], other[1], 0, 0, into, got), "others still served");
      assertArrayEquals(good, Arrays.copyOf(into, got[0]));
    }
  }
}
