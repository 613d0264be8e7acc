package io.dfstree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} and {@code 127.0.0.1}, made with {@code openssl}
 * as an operator would make one (PEM certificate and unencrypted key), valid for two days: the one
 * TLS fixture of the in-JVM and system tests.
 */
public final class TestCertificates {
  /** The PEM files written. */
  public record Pem(Path cert, Path key) {}

  private TestCertificates() {}

  /** Writes {@code cert.pem} and {@code key.pem} into {@code dir} (created if missing). */
  public static Pem selfSigned(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Pem pem = new Pem(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    Process p =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout",
                pem.key().toString(),
                "-out",
                pem.cert().toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("openssl could not make a test certificate: " + out);
    }
    return pem;
  }
}
