package io.dfstree.s3;

import java.nio.charset.StandardCharsets;

/**
 * What a bucket name and an object key may be. Keys never reach a file system, but they do reach
 * proxies and tools.
 */
final class S3Names {
  static final int MAX_KEY_BYTES = 1024;

  private S3Names() {}

  /**
   * S3's rules: 3..63 of a-z 0-9 . -, starting and ending with a letter or digit, no "..", not an
   * IP address.
   */
  static void checkBucket(String name) {
    boolean ok =
        name.length() >= 3
            && name.length() <= 63
            && name.matches("[a-z0-9][a-z0-9.-]*[a-z0-9]")
            && !name.contains("..")
            && !name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    if (!ok) {
      throw new S3Exception(
          400,
          "InvalidBucketName",
          "The specified bucket is not valid: bucket names are 3 to 63 "
              + "lower-case letters, digits, '.' and '-', starting and ending with a letter or digit");
    }
  }

  /**
   * At most 1024 UTF-8 bytes; no control characters; no "." or ".." path segment — a key that a
   * proxy, a browser or {@code aws s3 sync} to a directory would resolve into another one.
   */
  static void checkKey(String key) {
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new S3Exception(
          400,
          "KeyTooLongError",
          "Your key is too long: at most " + MAX_KEY_BYTES + " bytes of UTF-8");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw S3Exception.invalidArgument(
            "Object key contains a control character (0x" + Integer.toHexString(c) + ")");
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw S3Exception.invalidArgument(
            "Object key has a '"
                + segment
                + "' path segment, which would name another path; "
                + "such keys are refused");
      }
    }
  }

  /** The FastDFS extension for a key: its suffix when it is 1..6 letters or digits, else none. */
  static String extension(String key) {
    int slash = key.lastIndexOf('/');
    int dot = key.lastIndexOf('.');
    if (dot <= slash + 1 || dot == key.length() - 1) {
      return "";
    }
    String ext = key.substring(dot + 1);
    return ext.length() <= 6
            && ext.chars()
                .allMatch(
                    c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        ? ext
        : "";
  }
}
