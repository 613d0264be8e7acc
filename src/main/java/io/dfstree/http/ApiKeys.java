package io.dfstree.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/** Write access by API key: {@code Authorization: Bearer <key>} or {@code X-Api-Key: <key>}. */
public final class ApiKeys {
  public enum Verdict {
    OPEN,
    OK,
    MISSING,
    WRONG
  }

  private final List<byte[]> keys;

  public ApiKeys(List<String> keys) {
    this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
  }

  public boolean enabled() {
    return !keys.isEmpty();
  }

  public Verdict check(String authorization, String xApiKey) {
    if (keys.isEmpty()) {
      return Verdict.OPEN;
    }
    String presented = null;
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = authorization.substring(7).trim();
    } else if (xApiKey != null) {
      presented = xApiKey.trim();
    }
    if (presented == null || presented.isEmpty()) {
      return Verdict.MISSING;
    }
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    boolean ok = false;
    for (byte[] k : keys) {
      ok |= MessageDigest.isEqual(k, p);
    }
    return ok ? Verdict.OK : Verdict.WRONG;
  }
}
