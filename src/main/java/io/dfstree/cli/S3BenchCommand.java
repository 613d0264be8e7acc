package io.dfstree.cli;

import io.dfstree.s3.SigV4;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
      description = "stop starting operations in a phase after this long")
  double maxSeconds;

  @Option(
      names = "--server-pid",
      split = ",",
      paramLabel = "PID",
      description =
          "server process(es) on this machine: adds each phase's server CPU us/op (from /proc)")
  List<Long> serverPids = new ArrayList<>();

  record Row(
      String op,
      int ok,
      int errors,
      double seconds,
      long bytes,
      Histogram latency,
      String firstError,
      double cpuMicrosPerOp) {
    Row withCpu(double micros) {
      return new Row(op, ok, errors, seconds, bytes, latency, firstError, micros);
    }
  }

  /** {@link #run} between two CPU readings of the servers (see {@link ServerCpuProbe}). */
  private Row measured(
      ServerCpuProbe cpu,
      String name,
      URI uri,
      int n,
      java.util.function.IntFunction<String> keys,
      Op op,
      int expect)
      throws Exception {
    cpu.start();
    Row r = run(name, uri, n, keys, op, expect);
    return r.withCpu(cpu.microsPerOp(r.ok()));
  }

  @Override
  public Integer call() throws Exception {
    URI uri = URI.create(endpoint);
    byte[] content = new byte[(int) load.size];
    new Random(1).nextBytes(content);
    try (Conn c = new Conn(uri)) {
      int status = c.request("PUT", "/" + bucket, null, null).status;
      if (status != 200 && status != 409) {
        System.err.println("error: cannot create bucket " + bucket + ": HTTP " + status);
        return 1;
      }
    }
    if (warmup > 0) {
      run(
          "warmup-put",
          uri,
          warmup,
          i -> "warm-" + i,
          (c, k) -> c.request("PUT", path(k), content, null),
          2);
      run(
          "warmup-del",
          uri,
          warmup,
          i -> "warm-" + i,
          (c, k) -> c.request("DELETE", path(k), null, null),
          2);
    }
    System.out.printf(
        "bench-s3: %d objects of %d bytes, %d connections, %s bucket %s%n",
        load.count, load.size, load.concurrency, endpoint, bucket);
    List<Row> rows = new ArrayList<>();
    ServerCpuProbe cpu = new ServerCpuProbe(serverPids);
    rows.add(
        measured(
            cpu,
            "put",
            uri,
            load.count,
            i -> "obj-" + i,
            (c, k) -> c.request("PUT", path(k), content, null),
            200));
    rows.add(
        measured(
            cpu,
            "get",
            uri,
            load.count,
            i -> "obj-" + i,
            (c, k) -> c.request("GET", path(k), null, content),
            200));
    rows.add(
        measured(
            cpu,
            "delete",
            uri,
            load.count,
            i -> "obj-" + i,
            (c, k) -> c.request("DELETE", path(k), null, null),
            204));
    System.out.printf(
        "%-10s %8s %7s %10s %9s %9s %9s%s%n",
        "operation",
        "count",
        "errors",
        "ops/s",
        "MiB/s",
        "p50 ms",
        "p99 ms",
        cpu.enabled() ? String.format(" %10s", "srv us/op") : "");
    boolean failed = false;
    for (Row r : rows) {
      double ops = r.ok() / r.seconds();
      String mib =
          r.op().equals("delete")
              ? "-"
              : String.format("%.2f", r.bytes() / r.seconds() / (1 << 20));
      System.out.printf(
          "%-10s %8d %7d %10.1f %9s %9.2f %9.2f%s%n",
          r.op(),
          r.ok(),
          r.errors(),
          ops,
          mib,
          r.latency().getValueAtPercentile(50) / 1e3,
          r.latency().getValueAtPercentile(99) / 1e3,
          cpu.enabled() ? String.format(" %10s", ServerCpuProbe.format(r.cpuMicrosPerOp())) : "");
      if (r.errors() > 0) {
        failed = true;
        System.out.println("first " + r.op() + " error: " + r.firstError());
      }
    }
    return failed ? 1 : 0;
  }

  private String path(String key) {
    return "/" + bucket + "/" + key;
  }

  interface Op {
    Conn.Answer apply(Conn c, String key) throws IOException;
  }

  private Row run(
      String name, URI uri, int n, java.util.function.IntFunction<String> keys, Op op, int expect)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    Histogram all = new Histogram(3_600_000_000L, 3);
    long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
    long started = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < load.concurrency; w++) {
      Thread t =
          new Thread(
              () -> {
                Histogram mine = new Histogram(3_600_000_000L, 3);
                Conn c = null;
                try {
                  for (int i; (i = next.getAndIncrement()) < n && System.nanoTime() < deadline; ) {
                    long t0 = System.nanoTime();
                    try {
                      if (c == null) {
                        c = new Conn(uri);
                      }
                      Conn.Answer a = op.apply(c, keys.apply(i));
                      if (a.status == expect || (expect == 200 && a.status == 200)) {
                        ok.incrementAndGet();
                        mine.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                      } else {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, "HTTP " + a.status + " " + a.error);
                      }
                    } catch (IOException e) {
                      errors.incrementAndGet();
                      firstError.compareAndSet(null, e.toString());
                      if (c != null) {
                        c.close();
                        c = null;
                      }
                    }
                  }
                } finally {
                  if (c != null) {
                    c.close();
                  }
                  synchronized (all) {
                    all.add(mine);
                  }
                }
              },
              "bench-s3-" + w);
      t.start();
      workers.add(t);
    }
    for (Thread t : workers) {
      t.join();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    return new Row(
        name,
        ok.get(),
        errors.get(),
        seconds,
        ok.get() * load.size,
        all,
        firstError.get(),
        Double.NaN);
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
      String auth = SigV4.authorization(method, path, null, h, accessKey, secretKey, region);
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
