package io.dfstree.http;

/**
 * The {@code Range} request header (RFC 9110 §14), for one representation of {@code size} bytes.
 * Choices, on purpose:
 *
 * <ul>
 *   <li>a header that is absent, not {@code bytes=}, or malformed is <b>ignored</b> (200, whole
 *       file), as RFC 9110 §14.2 allows — a broken client still gets its file;
 *   <li>several ranges are <b>served as the whole file</b> (200) rather than multipart/byteranges,
 *       unless none of them is satisfiable (416);
 *   <li>one satisfiable range is 206 with {@code Content-Range}; one unsatisfiable range is 416
 *       with {@code Content-Range: bytes *&#47;size}.
 * </ul>
 */
public record RangeHeader(Kind kind, long start, long end) {
  public enum Kind {
    WHOLE,
    PARTIAL,
    UNSATISFIABLE
  }

  private static final RangeHeader WHOLE = new RangeHeader(Kind.WHOLE, -1, -1);
  private static final RangeHeader UNSATISFIABLE = new RangeHeader(Kind.UNSATISFIABLE, -1, -1);

  /** Bytes to send for a PARTIAL answer. */
  public long length() {
    return end - start + 1;
  }

  public String contentRange(long size) {
    return kind == Kind.PARTIAL ? "bytes " + start + "-" + end + "/" + size : "bytes */" + size;
  }

  public static RangeHeader parse(String header, long size) {
    if (header == null) {
      return WHOLE;
    }
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
      return WHOLE;
    }
    String[] specs = h.substring(6).split(",", -1);
    RangeHeader first = null;
    int satisfiable = 0;
    for (String spec : specs) {
      RangeHeader r = one(spec.trim(), size);
      if (r == null) {
        return WHOLE; // malformed: ignore the header altogether
      }
      if (r.kind == Kind.PARTIAL) {
        satisfiable++;
        if (first == null) {
          first = r;
        }
      }
    }
    if (satisfiable == 0) {
      return UNSATISFIABLE;
    }
    return specs.length == 1 ? first : WHOLE;
  }

  /** One {@code a-b}, {@code a-} or {@code -n}; null when malformed. */
  private static RangeHeader one(String spec, long size) {
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    try {
      if (a.isEmpty()) {
        if (b.isEmpty() || !digits(b)) {
          return null;
        }
        long n = Long.parseLong(b);
        if (n == 0 || size == 0) {
          return UNSATISFIABLE;
        }
        return new RangeHeader(Kind.PARTIAL, Math.max(0, size - n), size - 1);
      }
      if (!digits(a) || (!b.isEmpty() && !digits(b))) {
        return null;
      }
      long start = Long.parseLong(a);
      if (!b.isEmpty() && Long.parseLong(b) < start) {
        return null; // RFC: last-pos < first-pos makes the spec invalid
      }
      long end = b.isEmpty() ? size - 1 : Long.parseLong(b);
      if (start >= size) {
        return UNSATISFIABLE;
      }
      return new RangeHeader(Kind.PARTIAL, start, Math.min(end, size - 1));
    } catch (NumberFormatException tooLong) {
      return null;
    }
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
