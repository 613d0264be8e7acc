package io.dfstree.fileid;

import io.dfstree.protocol.FdfsException;

/**
 * A validated reference to a stored file: group plus remote name ({@code M00/AB/CD/name}). Every
 * name that comes from outside passes through {@link #parseRemote} before it may name a path, so no
 * client string ever reaches the filesystem unchecked: the name is a fixed logic path of upper-case
 * hex and one final component drawn from {@code [A-Za-z0-9_.-]}.
 *
 * @param decoded what the name's payload says (source, time, size, CRC32, kind), decoded once when
 *     the name is parsed: a request used to decode it again at every step that read it, three to
 *     five base64 decodes per download (benchmark/PROFILE.md, session 31)
 */
public record FileId(
    String group,
    String remoteName,
    int storePathIndex,
    int high,
    int low,
    String baseName,
    FileName.Decoded decoded) {
  public static final int MAX_REMOTE_NAME = 127;

  /**
   * Slave names can be shorter than the 44 of a normal name: the master up to its extension dot (at
   * least the 37-char path and payload), a prefix of at least one character, no extension.
   */
  public static final int MIN_REMOTE_NAME = FileName.LOGIC_PATH_LEN + FileName.PAYLOAD_CHARS + 1;

  /** {@code group/M00/AB/CD/name} as the client APIs spell a file id. */
  @Override
  public String toString() {
    return group + "/" + remoteName;
  }

  public static FileId parse(String fileId) {
    int slash = fileId.indexOf('/');
    if (slash <= 0) {
      throw FdfsException.invalid("file id must be group/M00/..: " + shorten(fileId));
    }
    return parseRemote(fileId.substring(0, slash), fileId.substring(slash + 1));
  }

  public static FileId parseRemote(String group, String remote) {
    checkGroupName(group);
    if (remote.length() < MIN_REMOTE_NAME || remote.length() > MAX_REMOTE_NAME) {
      throw FdfsException.invalid(
          "file name length " + remote.length() + " out of range " + MIN_REMOTE_NAME + "..127");
    }
    if (remote.charAt(0) != 'M'
        || remote.charAt(3) != '/'
        || remote.charAt(6) != '/'
        || remote.charAt(9) != '/') {
      throw FdfsException.invalid("file name must start with Mxx/HH/HH/: " + shorten(remote));
    }
    int path = hex2(remote, 1);
    int high = hex2(remote, 4);
    int low = hex2(remote, 7);
    String base = remote.substring(FileName.LOGIC_PATH_LEN);
    for (int i = 0; i < base.length(); i++) {
      char c = base.charAt(i);
      if (!isNameChar(c)) {
        throw FdfsException.invalid(
            "illegal character 0x" + Integer.toHexString(c) + " in file name");
      }
    }
    if (base.endsWith("-m")) {
      throw FdfsException.invalid("file name may not end in -m (metadata suffix)");
    }
    // rejects a payload that is not base64url
    return new FileId(group, remote, path, high, low, base, FileName.decode(remote));
  }

  public static void checkGroupName(String group) {
    if (group.isEmpty() || group.length() > 16) {
      throw FdfsException.invalid("group name must be 1..16 characters");
    }
    for (int i = 0; i < group.length(); i++) {
      char c = group.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        throw FdfsException.invalid("group name may only hold letters and digits");
      }
    }
  }

  /** Characters FastDFS accepts in extensions and slave prefixes, and that appear in names. */
  public static boolean isNameChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '-'
        || c == '.';
  }

  /** Extensions and prefixes: [A-Za-z0-9_.-] only, and never "." or ".." alone. */
  public static void checkToken(String what, String value, int max) {
    if (value.length() > max) {
      throw FdfsException.invalid(what + " longer than " + max);
    }
    for (int i = 0; i < value.length(); i++) {
      if (!isNameChar(value.charAt(i))) {
        throw FdfsException.invalid("illegal character in " + what + ": " + shorten(value));
      }
    }
    if (value.equals(".") || value.equals("..")) {
      // a slave prefix ".." would name "<master>..<ext>"-style files that read as path tricks
      throw FdfsException.invalid(what + " may not be " + value);
    }
  }

  private static int hex2(String s, int at) {
    int h = hexDigit(s.charAt(at));
    int l = hexDigit(s.charAt(at + 1));
    if (h < 0 || l < 0) {
      throw FdfsException.invalid("bad hex in file name path: " + shorten(s));
    }
    return h * 16 + l;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  static String shorten(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 60 ? clean.substring(0, 60) + "..." : clean;
  }
}
