package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bench-s3} end to end against the embedded node's S3, with tiny counts, so the command the
 * S3 speed line is measured with cannot rot. Not a timed test: it checks the command runs every
 * phase without errors and prints its table, not how fast.
 */
class S3BenchCommandTest {
  static final String ACCESS_KEY = "DFSTBENCHACCESSKEY01";
  static final String SECRET_KEY = "bench/secret/KEY+0123456789abcdefghij";

  @Test
  void putsGetsAndDeletesEveryObjectWithoutErrors() throws Exception {
    int port = TestPorts.free();
    try (SingleNodeServer server =
        SingleNodeServer.start(
            c ->
                c.getJsonObject("s3")
                    .put("port", port)
                    .put("accessKey", ACCESS_KEY)
                    .put("secretKey", SECRET_KEY))) {
      CliRun r =
          CliRun.of(
              "bench-s3",
              "--endpoint",
              "http://127.0.0.1:" + port,
              "--access-key",
              ACCESS_KEY,
              "--secret-key",
              SECRET_KEY,
              "-n",
              "20",
              "-s",
              "64K",
              "-c",
              "4",
              "--warmup",
              "4",
              "--server-pid",
              Long.toString(ProcessHandle.current().pid()));
      String out = r.out();
      assertEquals(0, r.exitCode(), out + r.err());
      assertTrue(out.contains("bench-s3: 20 objects of 65536 bytes, 4 connections"), out);
      for (String op : new String[] {"put", "get", "delete"}) {
        // op, count, errors, ops/s > 0
        Matcher row =
            Pattern.compile("(?m)^" + op + " +20 +0 +([0-9.]+) ").matcher(out.replace("\r", ""));
        assertTrue(row.find(), op + " row in\n" + out);
        assertTrue(Double.parseDouble(row.group(1)) > 0, op + " ops/s in\n" + out);
      }
      // a failed operation (a GET whose bytes differ included) would print its first error
      assertTrue(!out.contains("first "), out);
    }
  }
}
