package io.dfstree.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * fastdfs-nginx-module's anti-leech token (fastdfs-protocol.md §9.4): lower-case hex MD5(remote
 * file name without the group + secret + decimal ts). {@code ts = 0} never expires; future
 * timestamps are accepted; otherwise the token is good for {@code ttl} seconds after ts.
 */
public final class DownloadToken {
  public enum Verdict {
    OK,
    MISSING,
    MALFORMED,
    BAD,
    EXPIRED
  }

  private DownloadToken() {}

  public static String sign(String remoteName, String secret, long ts) {
    try {
      byte[] d =
          MessageDigest.getInstance("MD5")
              .digest((remoteName + secret + ts).getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(32);
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks {@code token} and {@code ts} (query parameters, possibly null) at {@code nowSeconds}.
   */
  public static Verdict check(
      String remoteName, String secret, long ttlSeconds, String token, String ts, long nowSeconds) {
    if (token == null || token.isEmpty() || ts == null || ts.isEmpty()) {
      return Verdict.MISSING;
    }
    long t;
    try {
      t = Long.parseLong(ts);
    } catch (NumberFormatException e) {
      return Verdict.MALFORMED;
    }
    if (t < 0) {
      return Verdict.MALFORMED;
    }
    // constant-time compare, and case-sensitive as the module compares
    if (!MessageDigest.isEqual(
        sign(remoteName, secret, t).getBytes(StandardCharsets.US_ASCII),
        token.getBytes(StandardCharsets.US_ASCII))) {
      return Verdict.BAD;
    }
    if (t != 0 && nowSeconds - t > ttlSeconds) {
      return Verdict.EXPIRED;
    }
    return Verdict.OK;
  }
}
