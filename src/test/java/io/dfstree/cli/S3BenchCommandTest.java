package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bench-s3} against the embedded node's S3 endpoint: every phase runs and is checked. */
class S3BenchCommandTest {
  static final String ACCESS_KEY = "DFSTBENCHACCESSKEY01";
  static final String SECRET_KEY = "bench/secret/KEY+0123456789abcdefghijkl";
  static SingleNodeServer server;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    port = TestPorts.free();
    server =
        SingleNodeServer.start(
            c ->
                c.getJsonObject("s3")
                    .put("port", port)
                    .put("accessKey", ACCESS_KEY)
                    .put("secretKey", SECRET_KEY));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  /** bench-s3 of 12 objects of 3K over 3 connections, signed with {@code secret}. */
  static CliRun bench(String secret, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "bench-s3",
                "--endpoint",
                "http://127.0.0.1:" + port,
                "--access-key",
                ACCESS_KEY,
                "--secret-key",
                secret,
                "-n",
                "12",
                "-s",
                "3K",
                "-c",
                "3"));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  @Test
  void putsGetsAndDeletesEveryObjectAndPrintsTheTable() {
    String self = Long.toString(ProcessHandle.current().pid());
    CliRun run = bench(SECRET_KEY, "--warmup", "3", "--server-pid", self);
    assertEquals(0, run.exitCode(), run.out() + run.err());
    String out = run.out();
    assertTrue(out.contains("bench-s3: 12 objects of 3072 bytes, 3 connections"), out);
    assertTrue(out.contains("srv us/op"), "the server CPU column with --server-pid: " + out);
    for (String op : new String[] {"put", "get", "delete"}) {
      Matcher m = Pattern.compile("(?m)^" + op + " +(\\d+) +(\\d+) ").matcher(out);
      assertTrue(m.find(), op + " row in " + out);
      assertEquals("12", m.group(1), op + " count");
      assertEquals("0", m.group(2), op + " errors");
    }
    assertTrue(!out.contains("first "), "no errors: " + out);
  }

  @Test
  void aWrongSecretFailsEveryRequestWithTheServersAnswer() {
    CliRun run = bench("not-the-secret");
    assertEquals(1, run.exitCode(), run.out());
    assertTrue(run.err().contains("cannot create bucket bench: HTTP 403"), run.err());
  }
}
