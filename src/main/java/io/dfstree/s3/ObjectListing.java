package io.dfstree.s3;

import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * ListObjects(V2) over a namespace scan: prefix, delimiter (common prefixes, each counted once
 * against max-keys and skipped over in one step), max-keys and an opaque continuation token.
 */
final class ObjectListing {
  /** Scans keys in order: {@code from} exclusive unless {@code inclusive}, null from the start. */
  interface Scanner {
    Future<List<ObjectEntry>> scan(String from, boolean inclusive, int limit);
  }

  record Page(
      List<ObjectEntry> objects,
      List<String> commonPrefixes,
      boolean truncated,
      String nextToken,
      String lastItem) {}

  private static final int BATCH = 1000;

  private ObjectListing() {}

  /**
   * @param token a continuation token of a previous page, or null
   * @param after start after this key (StartAfter / Marker), or null
   */
  static Future<Page> list(
      Scanner scanner, String prefix, String delimiter, String token, String after, int maxKeys) {
    String p = prefix == null ? "" : prefix;
    String d = delimiter == null || delimiter.isEmpty() ? null : delimiter;
    Cursor start;
    if (token != null) {
      start = Cursor.decode(token);
    } else if (after != null && !after.isEmpty() && Utf8.compare(after, p) >= 0) {
      start = new Cursor(after, false);
    } else {
      start = p.isEmpty() ? new Cursor(null, false) : new Cursor(p, true);
    }
    Promise<Page> done = Promise.promise();
    new Run(scanner, p, d, Math.max(0, maxKeys), done).next(start);
    return done.future();
  }

  /** Where the next scan starts: after a key, or at a key inclusive (past a common prefix). */
  record Cursor(String key, boolean inclusive) {
    String encode() {
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(((inclusive ? "I" : "X") + key).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String token) {
      try {
        String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        if (s.isEmpty() || (s.charAt(0) != 'I' && s.charAt(0) != 'X')) {
          throw new IllegalArgumentException();
        }
        return new Cursor(s.substring(1), s.charAt(0) == 'I');
      } catch (IllegalArgumentException e) {
        throw S3Exception.invalidArgument("The continuation token provided is incorrect");
      }
    }
  }

  private static final class Run {
    final Scanner scanner;
    final String prefix;
    final String delimiter;
    final int max;
    final Promise<Page> done;
    final List<ObjectEntry> objects = new ArrayList<>();
    final Set<String> prefixes = new LinkedHashSet<>();
    String lastItem;

    Run(Scanner scanner, String prefix, String delimiter, int max, Promise<Page> done) {
      this.scanner = scanner;
      this.prefix = prefix;
      this.delimiter = delimiter;
      this.max = max;
      this.done = done;
    }

    int count() {
      return objects.size() + prefixes.size();
    }

    void next(Cursor c) {
      scanner
          .scan(c.key(), c.inclusive(), BATCH)
          .onFailure(done::fail)
          .onSuccess(
              batch -> {
                if (batch.isEmpty()) {
                  finish(false, null);
                  return;
                }
                Cursor cursor = c;
                for (ObjectEntry e : batch) {
                  if (!e.key().startsWith(prefix)) {
                    finish(false, null); // keys with the prefix are contiguous: we are past them
                    return;
                  }
                  if (count() == max) {
                    finish(true, cursor); // something follows
                    return;
                  }
                  String rest = e.key().substring(prefix.length());
                  int at = delimiter == null ? -1 : rest.indexOf(delimiter);
                  if (at >= 0) {
                    String cp = prefix + rest.substring(0, at + delimiter.length());
                    prefixes.add(cp);
                    lastItem = cp;
                    // skip every key under this common prefix in one step
                    next(new Cursor(Utf8.successor(cp), true));
                    return;
                  }
                  objects.add(e);
                  lastItem = e.key();
                  cursor = new Cursor(e.key(), false);
                }
                if (max == 0) {
                  finish(true, c);
                  return;
                }
                next(cursor);
              });
    }

    void finish(boolean truncated, Cursor resumeAt) {
      done.complete(
          new Page(
              objects,
              new ArrayList<>(prefixes),
              truncated,
              truncated ? resumeAt.encode() : null,
              lastItem));
    }
  }

  /**
   * String order as UTF-8 bytes (what the namespace sorts by), and the first string after a prefix.
   */
  static final class Utf8 {
    private Utf8() {}

    static int compare(String a, String b) {
      int i = 0;
      int j = 0;
      while (i < a.length() && j < b.length()) {
        int ca = a.codePointAt(i);
        int cb = b.codePointAt(j);
        if (ca != cb) {
          return Integer.compare(ca, cb); // code point order is UTF-8 byte order
        }
        i += Character.charCount(ca);
        j += Character.charCount(cb);
      }
      return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * The least string greater than every string that starts with {@code p}: its last code point +
     * 1.
     */
    static String successor(String p) {
      int last = p.codePointBefore(p.length());
      String head = p.substring(0, p.length() - Character.charCount(last));
      int next = last + 1;
      if (next >= Character.MIN_SURROGATE && next <= Character.MAX_SURROGATE) {
        next = Character.MAX_SURROGATE + 1;
      }
      return head + new String(Character.toChars(next));
    }
  }
}
