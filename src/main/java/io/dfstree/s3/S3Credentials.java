package io.dfstree.s3;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;

/**
 * The access key and secret S3 clients sign with: the configured pair, or one generated on the
 * first run and kept (owner-only) in {@code <dataDir>/credentials}, so the banner's pair keeps
 * working after a restart.
 */
public final class S3Credentials {
  public record Pair(String accessKey, String secretKey, boolean generated) {}

  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final String ANY =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private S3Credentials() {}

  /** Blocking. */
  public static Pair resolve(S3Options o, Path dataDir) throws IOException {
    if (!o.accessKey().isEmpty()) {
      return new Pair(o.accessKey(), o.secretKey(), false);
    }
    Path file = dataDir.resolve("credentials");
    if (Files.exists(file)) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      String ak = p.getProperty("accessKey", "");
      String sk = p.getProperty("secretKey", "");
      if (ak.isEmpty() || sk.isEmpty()) {
        throw new IOException(
            file + " lacks accessKey or secretKey; remove it to generate a new pair");
      }
      return new Pair(ak, sk, true);
    }
    SecureRandom rnd = new SecureRandom();
    Pair pair = new Pair("DFST" + random(rnd, UPPER, 16), random(rnd, ANY, 40), true);
    Files.createDirectories(dataDir);
    Path tmp = dataDir.resolve("credentials.tmp");
    try (Writer w =
        Files.newBufferedWriter(
            tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      w.write(
          "# S3 credentials generated on the first run; set s3.accessKey/s3.secretKey to choose your own\n");
      w.write("accessKey=" + pair.accessKey() + "\nsecretKey=" + pair.secretKey() + "\n");
    }
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return pair;
  }

  private static String random(SecureRandom rnd, String alphabet, int n) {
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}
