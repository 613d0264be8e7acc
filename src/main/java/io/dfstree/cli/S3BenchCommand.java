package io.dfstree.cli;

import io.dfstree.s3.SigV4;
import io.dfstree.s3.SigV4Signer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench-s3}: the S3 counterpart of {@code bench}. PUTs {@code -n} objects of {@code -s}
 * bytes over {@code -c} keep-alive connections, GETs each one back checking every byte, then
 * DELETEs them, printing the same table as {@code bench} so the two can be put side by side.
 * Requests are signed with SigV4 and {@code UNSIGNED-PAYLOAD} (what the SDKs send over TLS).
 */
@Command(
    mixinStandardHelpOptions = true,
    name = "bench-s3",
    defaultValueProvider = S3BenchCommand.LoadDefaults.class,
    description = "Benchmark S3 PUT, verified GET and DELETE (compare with bench).")
final class S3BenchCommand implements java.util.concurrent.Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--endpoint",
      required = true,
      description = "S3 endpoint, e.g. http://127.0.0.1:9000")
  String endpoint;

  @Option(names = "--access-key", required = true, description = "access key (the banner's)")
  String accessKey;

  @Option(names = "--secret-key", required = true, description = "secret key (the banner's)")
  String secretKey;

  @Option(names = "--region", defaultValue = "us-east-1")
  String region;

  @Option(
      names = "--bucket",
      defaultValue = "bench",
      description = "bucket, created if missing (default ${DEFAULT-VALUE})")
  String bucket;

  @Mixin LoadOptions load;

  /** {@code bench-s3}'s defaults: 1000 objects of 1M over 16 connections. */
  static final class LoadDefaults extends LoadOptions.Defaults {
    LoadDefaults() {
      super("1000", "1M", "16");
    }
  }

  @Option(
      names = "--warmup",
      defaultValue = "0",
      description = "PUT and DELETE this many objects first, unmeasured")
  int warmup;

  @Option(
      names = "--max-seconds",
      defaultValue = "120",
      description = "stop starting operations in a phase after this long (0 = no limit)")
  double maxSeconds;

  @Mixin ServerPidOption serverCpu;

  @Override
  public Integer call() throws Exception {
    URI uri = URI.create(endpoint);
    byte[] content = new byte[(int) load.size];
    new Random(1).nextBytes(content);
    try (Conn c = new Conn(uri)) {
      int status = c.request("PUT", "/" + bucket, null, null).status;
      if (status != 200 && status != 409) {
        spec.commandLine()
            .getErr()
            .println("error: cannot create bucket " + bucket + ": HTTP " + status);
        return 1;
      }
    }
    if (warmup > 0) {
      int[] warm = PhaseRunner.upTo(warmup);
      // unmeasured, whatever the answers: only the servers' JIT is wanted
      run("warmup-put", uri, warm, 0, (w, i) -> w.request("PUT", "warm-" + i, content, null, 0));
      run("warmup-del", uri, warm, 0, (w, i) -> w.request("DELETE", "warm-" + i, null, null, 0));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "bench-s3: %d objects of %d bytes, %d connections, %s bucket %s%n",
        load.count, load.size, load.concurrency, endpoint, bucket);
    int[] all = PhaseRunner.upTo(load.count);
    List<PhaseResult> rows = new ArrayList<>();
    ServerCpuProbe cpu = serverCpu.probe();
    rows.add(
        cpu.measure(
            () ->
                run(
                    "put",
                    uri,
                    all,
                    load.size,
                    (w, i) -> w.request("PUT", "obj-" + i, content, null, 200))));
    rows.add(
        cpu.measure(
            () ->
                run(
                    "get",
                    uri,
                    all,
                    load.size,
                    (w, i) -> w.request("GET", "obj-" + i, null, content, 200))));
    rows.add(
        cpu.measure(
            () ->
                run(
                    "delete",
                    uri,
                    all,
                    0,
                    (w, i) -> w.request("DELETE", "obj-" + i, null, null, 204))));
    ResultTable.print(out, rows, cpu);
    out.flush();
    return rows.stream().allMatch(r -> r.errors() == 0) ? 0 : 1;
  }

  /** One phase over {@code indexes}, one {@link Worker} (keep-alive connection) per thread. */
  private PhaseResult run(
      String name, URI uri, int[] indexes, long bytesPerOp, PhaseRunner.Operation<Worker> op) {
    List<Worker> workers = new ArrayList<>();
    for (int w = 0; w < load.concurrency; w++) {
      workers.add(new Worker(uri));
    }
    try {
      return PhaseRunner.run(name, indexes, workers, maxSeconds, bytesPerOp, op);
    } finally {
      workers.forEach(Worker::close);
    }
  }

  /** An answer other than the one expected: its text is the first error the table shows. */
  static final class UnexpectedAnswer extends Exception {
    UnexpectedAnswer(String message) {
      super(message, null, false, false);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }

  /** One thread's keep-alive connection, opened on first use and again after it broke. */
  private final class Worker implements PhaseRunner.Worker {
    private final URI uri;
    private Conn conn;

    Worker(URI uri) {
      this.uri = uri;
    }

    /**
     * {@code method} on object {@code key}; throws unless the status is {@code expect} (0: any).
     * {@code expected}, when given, is the body the answer must carry.
     */
    void request(String method, String key, byte[] body, byte[] expected, int expect)
        throws IOException, UnexpectedAnswer {
      if (conn == null) {
        conn = new Conn(uri);
      }
      Conn.Answer a;
      try {
        a = conn.request(method, "/" + bucket + "/" + key, body, expected);
      } catch (IOException e) {
        close(); // out of step: the next operation reconnects
        throw e;
      }
      if (expect != 0 && a.status != expect) {
        throw new UnexpectedAnswer("HTTP " + a.status + " " + a.error);
      }
    }

    @Override
    public void afterFailure() {
      // a broken connection was closed where it broke; an unexpected answer leaves it in step
    }

    void close() {
      if (conn != null) {
        conn.close();
        conn = null;
      }
    }
  }

  /** One keep-alive HTTP/1.1 connection that signs its requests. */
  private final class Conn implements AutoCloseable {
    record Answer(int status, String error) {}

    private final String host;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[1 << 16];

    Conn(URI uri) throws IOException {
      host = uri.getHost() + ":" + uri.getPort();
      socket = new Socket(uri.getHost(), uri.getPort());
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(60_000);
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
      out = socket.getOutputStream();
    }

    Answer request(String method, String path, byte[] body, byte[] expected) throws IOException {
      SortedMap<String, String> h = new TreeMap<>();
      h.put("host", host);
      h.put("x-amz-date", SigV4.amzDate(Instant.now()));
      h.put("x-amz-content-sha256", SigV4.UNSIGNED_PAYLOAD);
      String auth = SigV4Signer.authorization(method, path, null, h, accessKey, secretKey, region);
      StringBuilder head =
          new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
      h.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("authorization: ")
          .append(auth)
          .append("\r\ncontent-length: ")
          .append(body == null ? 0 : body.length)
          .append("\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      String status = line();
      int code = Integer.parseInt(status.split(" ")[1]);
      long length = 0;
      for (String l; !(l = line()).isEmpty(); ) {
        if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Long.parseLong(l.substring(15).trim());
        }
      }
      boolean same = expected == null || length == expected.length;
      long at = 0;
      StringBuilder error = new StringBuilder();
      while (at < length) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, length - at));
        if (n < 0) {
          throw new IOException("connection closed mid-body");
        }
        if (expected != null && same) {
          same = Arrays.equals(buf, 0, n, expected, (int) at, (int) at + n);
        }
        if (code >= 300 && error.length() < 300) {
          error.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        at += n;
      }
      if (!same) {
        return new Answer(-1, "content differs from what was PUT");
      }
      return new Answer(code, error.toString());
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      for (int b; (b = in.read()) != '\n'; ) {
        if (b < 0) {
          throw new IOException("connection closed");
        }
        if (b != '\r') {
          sb.append((char) b);
        }
      }
      return sb.toString();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}