package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.TestPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code aws} CLI (Debian's awscli, installed by .ci/run) against the jar as a new user runs
 * it: the key pair is the one the banner prints (generated on the first run), {@code s3 mb, cp, ls,
 * sync, rm} work, a 20 MiB file goes up in parts, and after kill -9 and a restart the same key and
 * every acknowledged object are still there.
 */
class S3AwsCliIT {
  static final Pattern S3_LINE =
      Pattern.compile("s3\\s+(http://\\S+)\\s+access key (\\S+)\\s+secret (\\S+)");

  @TempDir Path tmp;

  record Banner(String url, String accessKey, String secretKey) {}

  static Banner banner(Jar.Server server) {
    Matcher m = S3_LINE.matcher(server.stdout());
    assertTrue(m.find(), "the banner shows the S3 endpoint and keys\n" + server.stdout());
    return new Banner(m.group(1), m.group(2), m.group(3));
  }

  static String aws() {
    return Files.isExecutable(Path.of("/usr/bin/aws")) ? "/usr/bin/aws" : "aws";
  }

  record Out(int exit, String out) {}

  Out aws(Banner b, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(aws(), "--endpoint-url", b.url()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(tmp.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("AWS_"));
    env.put("AWS_ACCESS_KEY_ID", b.accessKey());
    env.put("AWS_SECRET_ACCESS_KEY", b.secretKey());
    env.put("AWS_DEFAULT_REGION", "us-east-1");
    env.put("AWS_CONFIG_FILE", tmp.resolve("no-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", tmp.resolve("no-credentials").toString());
    env.put("AWS_PAGER", "");
    env.put("HOME", tmp.toString());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "aws " + String.join(" ", args) + " finished");
    return new Out(p.exitValue(), out);
  }

  Out ok(Banner b, String... args) throws Exception {
    Out o = aws(b, args);
    assertEquals(0, o.exit(), "aws " + String.join(" ", args) + "\n" + o.out());
    return o;
  }

  @Test
  void awsCliAgainstTheBannersEndpointAndKeysSurvivesKill9() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("work"));
    int s3Port = TestPorts.free();
    String[] args = {
      "--set",
      "tracker.port=" + TestPorts.free(),
      "--set",
      "storage.port=" + TestPorts.free(),
      "--set",
      "s3.port=" + s3Port,
      "--set",
      "storage.subdirCount=4",
      "--set",
      "storage.reservedSpace=1M"
    };
    Jar.Server server = Jar.Server.start(work, List.of("-Xmx512m"), Map.of(), args);
    Banner b;
    try {
      server.awaitStarted(Duration.ofSeconds(90));
      b = banner(server);
      assertEquals("http://127.0.0.1:" + s3Port, b.url());
      assertTrue(
          server.stdout().contains("aws --endpoint-url " + b.url() + " s3 mb s3://demo"),
          server.stdout());
      assertTrue(
          Files.exists(work.resolve("data/store0/s3/credentials")), "the generated pair is kept");

      ok(b, "s3", "mb", "s3://cli");
      Path hello = tmp.resolve("hello.txt");
      Files.writeString(hello, "hello from the aws cli\n");
      ok(b, "s3", "cp", hello.toString(), "s3://cli/docs/hello.txt");
      byte[] big = new byte[20 << 20];
      new Random(7).nextBytes(big);
      Path bigFile = tmp.resolve("big.bin");
      Files.write(bigFile, big);
      ok(
          b,
          "s3",
          "cp",
          bigFile.toString(),
          "s3://cli/big.bin"); // over the CLI's 8 MiB threshold: multipart

      Path dir = Files.createDirectories(tmp.resolve("site/css"));
      Files.writeString(tmp.resolve("site/index.html"), "<h1>hi</h1>");
      Files.writeString(dir.resolve("main.css"), "body{}");
      Files.writeString(tmp.resolve("site/ünïcode näme.txt"), "unicode");
      ok(b, "s3", "sync", tmp.resolve("site").toString(), "s3://cli/site/");

      String ls = ok(b, "s3", "ls", "s3://cli/").out();
      assertTrue(
          ls.contains("PRE docs/") && ls.contains("PRE site/") && ls.contains("big.bin"), ls);
      String rec = ok(b, "s3", "ls", "--recursive", "s3://cli/site/").out();
      assertTrue(rec.contains("site/css/main.css") && rec.contains("site/ünïcode näme.txt"), rec);
      // a second sync has nothing to do
      assertEquals(
          "", ok(b, "s3", "sync", tmp.resolve("site").toString(), "s3://cli/site/").out().trim());

      Path back = tmp.resolve("back.bin");
      ok(b, "s3", "cp", "s3://cli/big.bin", back.toString());
      assertArrayEquals(big, Files.readAllBytes(back));
      Out missing = aws(b, "s3", "cp", "s3://cli/none.txt", tmp.resolve("none").toString());
      assertNotEquals(0, missing.exit());
      assertTrue(
          missing.out().contains("404") || missing.out().contains("Not Found"), missing.out());

      Banner wrong = new Banner(b.url(), b.accessKey(), "wrong" + b.secretKey());
      Out denied = aws(wrong, "s3", "ls", "s3://cli/");
      assertNotEquals(0, denied.exit());
      assertTrue(denied.out().contains("SignatureDoesNotMatch"), denied.out());

      // kill -9 right after acknowledged writes: they and the key pair must survive
      server.kill();
    } finally {
      server.close();
    }
    Jar.Server again = Jar.Server.start(work, List.of("-Xmx512m"), Map.of(), args);
    try {
      again.awaitStarted(Duration.ofSeconds(90));
      Banner b2 = banner(again);
      assertEquals(b, b2, "the same endpoint and key pair after a restart");
      String rec = ok(b2, "s3", "ls", "--recursive", "s3://cli/").out();
      for (String k :
          List.of("docs/hello.txt", "big.bin", "site/index.html", "site/css/main.css")) {
        assertTrue(rec.contains(k), k + " survived kill -9\n" + rec);
      }
      Path back = tmp.resolve("after.txt");
      ok(b2, "s3", "cp", "s3://cli/docs/hello.txt", back.toString());
      assertEquals("hello from the aws cli\n", Files.readString(back));

      ok(b2, "s3", "rm", "--recursive", "s3://cli/");
      assertEquals("", ok(b2, "s3", "ls", "--recursive", "s3://cli/").out().trim());
      ok(b2, "s3", "rb", "s3://cli");
      assertFalse(ok(b2, "s3", "ls").out().contains("cli"));
    } finally {
      again.close();
      FirstRunIT.deleteTree(work);
    }
  }
}
