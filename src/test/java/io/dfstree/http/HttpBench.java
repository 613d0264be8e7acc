package io.dfstree.http;

import io.dfstree.client.FdfsClientOptions;
import io.dfstree.client.ServerAddress;
import io.dfstree.client.StorageSession;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, on one in-JVM node: 1 MiB downloads at 16 connections over HTTP vs the FastDFS
 * protocol, and a large upload over WebSocket vs an HTTP raw body. Run: {@code mvn -q test-compile
 * && java -Xmx256m -cp target/classes:target/test-classes:$(cat cp.txt) io.dfstree.http.HttpBench
 * [seconds] [uploadMiB]}
 */
public final class HttpBench {
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int uploadMiB = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    try (HttpNode node = HttpNode.start(h -> h.put("maxUploadBytes", "20G"))) {
      List<String> urls = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        urls.add(node.upload(HttpNode.random(1 << 20, i), "?ext=bin").getString("url"));
      }
      for (int round = 0; round < 2; round++) {
        double tcp = download(16, seconds, urls, (sock, url) -> null, node, true);
        double http = download(16, seconds, urls, null, node, false);
        System.out.printf(
            "round %d: 1 MiB downloads x16: FastDFS %.0f files/s (%.0f MiB/s), HTTP %.0f files/s (%.0f MiB/s), HTTP/FastDFS %.2f%n",
            round, tcp, tcp, http, http, http / tcp);
      }
      double httpUp = httpUpload(node, uploadMiB);
      double wsUp = wsUpload(node, uploadMiB);
      System.out.printf(
          "upload %d MiB: HTTP raw %.0f MiB/s, WebSocket %.0f MiB/s, WS/HTTP %.2f; heap used now %d MiB (max %d MiB)%n",
          uploadMiB,
          httpUp,
          wsUp,
          wsUp / httpUp,
          (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20,
          Runtime.getRuntime().maxMemory() >> 20);
    }
    System.exit(0);
  }

  interface Unused {
    Object x(Socket s, String u);
  }

  static double download(
      int conns, int seconds, List<String> urls, Unused u, HttpNode node, boolean fdfs)
      throws Exception {
    AtomicLong files = new AtomicLong();
    long end = System.currentTimeMillis() + seconds * 1000L;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < conns; c++) {
      int offset = c;
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[256 * 1024];
                OutputStream sink = OutputStream.nullOutputStream();
                try {
                  if (fdfs) {
                    try (StorageSession s =
                        StorageSession.open(
                            new ServerAddress("127.0.0.1", node.server.storagePort()),
                            FdfsClientOptions.of(
                                List.of(
                                    new ServerAddress("127.0.0.1", node.server.trackerPort()))))) {
                      for (int i = offset; System.currentTimeMillis() < end; i++) {
                        String url = urls.get(i % urls.size());
                        s.download("group1", url.substring(8), 0, 0, sink);
                        files.incrementAndGet();
                      }
                    }
                  } else {
                    try (Socket s = new Socket("127.0.0.1", node.storageHttp)) {
                      s.setTcpNoDelay(true);
                      OutputStream out = s.getOutputStream();
                      InputStream in = s.getInputStream();
                      for (int i = offset; System.currentTimeMillis() < end; i++) {
                        out.write(
                            ("GET " + urls.get(i % urls.size()) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        long len = readHead(in);
                        while (len > 0) {
                          int n = in.read(buf, 0, (int) Math.min(buf.length, len));
                          if (n < 0) {
                            throw new IllegalStateException("eof");
                          }
                          len -= n;
                        }
                        files.incrementAndGet();
                      }
                    }
                  }
                } catch (Exception e) {
                  e.printStackTrace();
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return files.get() / (double) seconds;
  }

  /** Reads a response head; returns Content-Length. */
  static long readHead(InputStream in) throws Exception {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      sb.append((char) c);
      if (sb.length() >= 4 && sb.lastIndexOf("\r\n\r\n") == sb.length() - 4) {
        break;
      }
    }
    for (String line : sb.toString().split("\r\n")) {
      if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
        return Long.parseLong(line.substring(15).trim());
      }
    }
    throw new IllegalStateException("no content-length in " + sb);
  }

  static double httpUpload(HttpNode node, int mib) throws Exception {
    byte[] chunk = HttpNode.random(1 << 20, 99);
    long t0 = System.nanoTime();
    try (Socket s = new Socket("127.0.0.1", node.storageHttp)) {
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /group1/upload?ext=bin HTTP/1.1\r\nHost: x\r\nContent-Length: "
                  + ((long) mib << 20)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < mib; i++) {
        out.write(chunk);
      }
      out.flush();
      InputStream in = s.getInputStream();
      long len = readHead(in);
      String body = new String(in.readNBytes((int) len), StandardCharsets.UTF_8);
      if (!body.contains("fileId")) {
        throw new IllegalStateException(body);
      }
    }
    return mib / ((System.nanoTime() - t0) / 1e9);
  }

  static double wsUpload(HttpNode node, int mib) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      var client =
          vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(256 * 1024));
      Buffer chunk = Buffer.buffer(HttpNode.random(256 * 1024, 98));
      long t0 = System.nanoTime();
      WebSocket ws =
          client
              .connect(node.storageHttp, "127.0.0.1", "/group1/ws-upload")
              .await(10, TimeUnit.SECONDS);
      Promise<String> reply = Promise.promise();
      ws.textMessageHandler(reply::tryComplete);
      ws.writeTextMessage(
          new JsonObject().put("size", (long) mib << 20).put("ext", "bin").encode());
      long frames = ((long) mib << 20) / chunk.length();
      long[] sent = {0};
      // respects the socket's back-pressure so the client's heap stays flat too
      Runnable[] pump = new Runnable[1];
      pump[0] =
          () -> {
            while (sent[0] < frames && !ws.writeQueueFull()) {
              ws.writeBinaryMessage(chunk);
              sent[0]++;
            }
            if (sent[0] < frames) {
              ws.drainHandler(v -> pump[0].run());
            }
          };
      vertx.runOnContext(v -> pump[0].run());
      String r = reply.future().await(600, TimeUnit.SECONDS);
      if (!r.contains("fileId")) {
        throw new IllegalStateException(r);
      }
      return mib / ((System.nanoTime() - t0) / 1e9);
    } finally {
      vertx.close();
    }
  }
}
