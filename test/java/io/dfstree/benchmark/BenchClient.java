package io.dfstree.benchmark;

import io.dfstree.client.FdfsClient;
import io.dfstree.client.FdfsClientOptions;
import io.dfstree.client.ServerAddress;
import io.dfstree.client.StorageAddress;
import io.dfstree.client.StorageSession;
import io.dfstree.client.StoredFile;
import io.dfstree.client.TrackerSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.csource.fastdfs.ClientGlobal;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.TrackerClient;
import org.csource.fastdfs.TrackerServer;

/**
 * One worker's FastDFS client in one of the ways real applications connect. Each worker thread owns
 * one instance; none is shared between threads.
 */
interface BenchClient extends AutoCloseable {
  /** Uploads {@code data}; returns {group, remote name}. */
  String[] upload(byte[] data) throws IOException;

  byte[] download(String group, String remoteName) throws IOException;

  void delete(String group, String remoteName) throws IOException;

  @Override
  void close();

  /** The ways of connecting the benchmark compares. */
  enum Kind {
    /**
     * The official Java client 1.27 as its demo uses it: one tracker connection per worker, and
     * {@code new StorageClient(tracker, null)} per operation, which asks the tracker, connects to
     * the storage, sends the request in one write and closes the storage connection.
     */
    OFFICIAL("official"),
    /**
     * Persistent tracker and storage connections per worker (our client library, as {@code bench}).
     */
    POOLED("pooled"),
    /**
     * New tracker and storage connections per operation, each request's 10-byte header and its body
     * written as two separate TCP writes, no TCP_NODELAY: as several non-Java clients do.
     */
    SPLIT("split");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    static Kind of(String label) {
      for (Kind k : values()) {
        if (k.label.equals(label)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown client " + label + " (official, pooled, split)");
    }
  }

  /** Points the official client's global settings at {@code tracker} (host:port). */
  static void configureOfficial(String tracker) throws IOException {
    try {
      ClientGlobal.initByTrackers(tracker);
    } catch (Exception e) {
      throw new IOException("official client: cannot use tracker " + tracker + ": " + e, e);
    }
    ClientGlobal.g_connect_timeout = 5000;
    ClientGlobal.g_network_timeout = 30_000;
  }

  static BenchClient open(Kind kind, String tracker) throws IOException {
    return switch (kind) {
      case OFFICIAL -> new Official();
      case POOLED -> new Pooled(tracker);
      case SPLIT -> new SplitWrites(tracker);
    };
  }

  private static IOException failed(String what, StorageClient c) {
    return new IOException(what + " failed, errno " + c.getErrorCode());
  }

  /** See {@link Kind#OFFICIAL}. */
  final class Official implements BenchClient {
    private final TrackerServer tracker;

    Official() throws IOException {
      tracker = new TrackerClient().getConnection();
      if (tracker == null) {
        throw new IOException("official client: no tracker connection");
      }
    }

    @Override
    public String[] upload(byte[] data) throws IOException {
      StorageClient c = new StorageClient(tracker, null);
      try {
        String[] r = c.upload_file(data, "bin", null);
        if (r == null) {
          throw failed("upload", c);
        }
        return r;
      } catch (org.csource.common.MyException e) {
        throw new IOException(e);
      }
    }

    @Override
    public byte[] download(String group, String remoteName) throws IOException {
      StorageClient c = new StorageClient(tracker, null);
      try {
        byte[] r = c.download_file(group, remoteName);
        if (r == null) {
          throw failed("download", c);
        }
        return r;
      } catch (org.csource.common.MyException e) {
        throw new IOException(e);
      }
    }

    @Override
    public void delete(String group, String remoteName) throws IOException {
      StorageClient c = new StorageClient(tracker, null);
      try {
        int r = c.delete_file(group, remoteName);
        if (r != 0) {
          throw new IOException("delete failed, errno " + r);
        }
      } catch (org.csource.common.MyException e) {
        throw new IOException(e);
      }
    }

    @Override
    public void close() {
      try {
        tracker.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /**
   * See {@link Kind#POOLED}: a tracker query per operation over a kept connection, kept storage
   * connections.
   */
  final class Pooled implements BenchClient {
    private final FdfsClient client;
    private TrackerSession tracker;
    private final Map<String, StorageSession> storages = new HashMap<>();

    Pooled(String tracker) {
      client =
          new FdfsClient(
              new FdfsClientOptions(
                  List.of(ServerAddress.parse(tracker, ServerAddress.DEFAULT_TRACKER_PORT)),
                  Duration.ofSeconds(5),
                  Duration.ofSeconds(30)));
    }

    private TrackerSession tracker() throws IOException {
      if (tracker == null || !tracker.isUsable()) {
        if (tracker != null) {
          tracker.close();
        }
        tracker = client.openTracker();
      }
      return tracker;
    }

    private StorageSession storage(StorageAddress a) throws IOException {
      StorageSession s = storages.get(a.hostPort());
      if (s == null || !s.isUsable()) {
        if (s != null) {
          s.close();
        }
        s = client.openStorage(a);
        storages.put(a.hostPort(), s);
      }
      return s;
    }

    @Override
    public String[] upload(byte[] data) throws IOException {
      StorageAddress a = tracker().queryStore(null);
      StoredFile f =
          storage(a).upload(a.storePathIndex(), new ByteArrayInputStream(data), data.length, "bin");
      return new String[] {f.group(), f.remoteName()};
    }

    @Override
    public byte[] download(String group, String remoteName) throws IOException {
      StorageAddress a = tracker().queryFetch(group, remoteName);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      storage(a).download(group, remoteName, 0, 0, out);
      return out.toByteArray();
    }

    @Override
    public void delete(String group, String remoteName) throws IOException {
      StorageAddress a = tracker().queryUpdate(group, remoteName);
      storage(a).delete(group, remoteName);
    }

    @Override
    public void close() {
      if (tracker != null) {
        tracker.close();
      }
      storages.values().forEach(StorageSession::close);
      storages.clear();
    }
  }

  /** See {@link Kind#SPLIT}: bare sockets, the FastDFS wire format written by hand. */
  final class SplitWrites implements BenchClient {
    static final int TRACKER_QUERY_STORE = 101;
    static final int TRACKER_QUERY_FETCH = 102;
    static final int TRACKER_QUERY_UPDATE = 103;
    static final int STORAGE_UPLOAD = 11;
    static final int STORAGE_DELETE = 12;
    static final int STORAGE_DOWNLOAD = 14;
    static final int GROUP_LEN = 16;
    static final int IP_LEN = 15;

    private final String trackerHost;
    private final int trackerPort;

    SplitWrites(String tracker) {
      ServerAddress a = ServerAddress.parse(tracker, ServerAddress.DEFAULT_TRACKER_PORT);
      trackerHost = a.host();
      trackerPort = a.port();
    }

    /** host, port, store path index (-1 when the answer has none). */
    record Target(String host, int port, int storePath) {}

    private static Socket connect(String host, int port) throws IOException {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(host, port), 5000);
      s.setSoTimeout(30_000);
      return s;
    }

    /** Header in one write, body in a second: two segments on the wire for small requests. */
    private static byte[] call(Socket s, int cmd, byte[] body, byte[] content) throws IOException {
      OutputStream out = s.getOutputStream();
      long length = body.length + (content == null ? 0 : content.length);
      out.write(ByteBuffer.allocate(10).putLong(length).put((byte) cmd).put((byte) 0).array());
      out.flush();
      if (content == null) {
        out.write(body);
      } else {
        byte[] all = Arrays.copyOf(body, body.length + content.length);
        System.arraycopy(content, 0, all, body.length, content.length);
        out.write(all);
      }
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      long respLength = in.readLong();
      in.readUnsignedByte();
      int status = in.readUnsignedByte();
      if (respLength < 0 || respLength > (256L << 20)) {
        throw new IOException("unreasonable answer length " + respLength);
      }
      byte[] resp = new byte[(int) respLength];
      in.readFully(resp);
      if (status != 0) {
        throw new IOException("command " + cmd + " failed, errno " + status);
      }
      return resp;
    }

    private static String fixed(byte[] b, int offset, int width) {
      int end = offset;
      while (end < offset + width && b[end] != 0) {
        end++;
      }
      return new String(b, offset, end - offset, StandardCharsets.US_ASCII);
    }

    static byte[] groupAndName(String group, String remoteName) {
      byte[] name = remoteName.getBytes(StandardCharsets.UTF_8);
      byte[] b = Arrays.copyOf(group.getBytes(StandardCharsets.US_ASCII), GROUP_LEN + name.length);
      System.arraycopy(name, 0, b, GROUP_LEN, name.length);
      return b;
    }

    Target ask(int cmd, byte[] body) throws IOException {
      try (Socket t = connect(trackerHost, trackerPort)) {
        byte[] r = call(t, cmd, body, null);
        if (r.length < GROUP_LEN + IP_LEN + 8) {
          throw new IOException("tracker answer of " + r.length + " bytes");
        }
        int port = (int) ByteBuffer.wrap(r, GROUP_LEN + IP_LEN, 8).getLong();
        int path = r.length > GROUP_LEN + IP_LEN + 8 ? r[GROUP_LEN + IP_LEN + 8] & 0xff : -1;
        return new Target(fixed(r, GROUP_LEN, IP_LEN), port, path);
      }
    }

    @Override
    public String[] upload(byte[] data) throws IOException {
      Target t = ask(TRACKER_QUERY_STORE, new byte[0]);
      byte[] body =
          ByteBuffer.allocate(1 + 8 + 6)
              .put((byte) t.storePath())
              .putLong(data.length)
              .put(Arrays.copyOf("bin".getBytes(StandardCharsets.US_ASCII), 6))
              .array();
      try (Socket s = connect(t.host(), t.port())) {
        byte[] r = call(s, STORAGE_UPLOAD, body, data);
        return new String[] {
          fixed(r, 0, GROUP_LEN),
          new String(r, GROUP_LEN, r.length - GROUP_LEN, StandardCharsets.UTF_8)
        };
      }
    }

    @Override
    public byte[] download(String group, String remoteName) throws IOException {
      byte[] gn = groupAndName(group, remoteName);
      Target t = ask(TRACKER_QUERY_FETCH, gn);
      byte[] body = ByteBuffer.allocate(16 + gn.length).putLong(0).putLong(0).put(gn).array();
      try (Socket s = connect(t.host(), t.port())) {
        return call(s, STORAGE_DOWNLOAD, body, null);
      }
    }

    @Override
    public void delete(String group, String remoteName) throws IOException {
      byte[] gn = groupAndName(group, remoteName);
      Target t = ask(TRACKER_QUERY_UPDATE, gn);
      try (Socket s = connect(t.host(), t.port())) {
        call(s, STORAGE_DELETE, gn, null);
      }
    }

    @Override
    public void close() {
      // nothing kept between operations
    }
  }
}
