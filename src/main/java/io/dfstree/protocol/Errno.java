package io.dfstree.protocol;

/**
 * The Linux errno values FastDFS carries in the response status byte (fastdfs-protocol.md §1.4).
 */
public final class Errno {
  private Errno() {}

  public static final int OK = 0;
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EIO = 5;
  public static final int ENOMEM = 12;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int ENOSPC = 28;

  /**
   * Binlog read (121) from an offset the storage no longer holds (trimmed): catch up from a
   * snapshot.
   */
  public static final int ERANGE = 34;

  public static final int ENAMETOOLONG = 36;
  public static final int EOPNOTSUPP = 95;
  public static final int ECONNREFUSED = 111;
  public static final int ETIMEDOUT = 110;
  public static final int EALREADY = 114;

  /** The symbolic name, for logs and CLI messages ("ENOENT"), or "errno N" when unknown. */
  public static String name(int errno) {
    return switch (errno) {
      case OK -> "OK";
      case EPERM -> "EPERM";
      case ENOENT -> "ENOENT";
      case EIO -> "EIO";
      case ENOMEM -> "ENOMEM";
      case EACCES -> "EACCES";
      case EBUSY -> "EBUSY";
      case EEXIST -> "EEXIST";
      case EISDIR -> "EISDIR";
      case EINVAL -> "EINVAL";
      case ENOSPC -> "ENOSPC";
      case ERANGE -> "ERANGE";
      case ENAMETOOLONG -> "ENAMETOOLONG";
      case EOPNOTSUPP -> "EOPNOTSUPP";
      case ETIMEDOUT -> "ETIMEDOUT";
      case ECONNREFUSED -> "ECONNREFUSED";
      case EALREADY -> "EALREADY";
      default -> "errno " + errno;
    };
  }

  /** A short human explanation, as strerror would give. */
  public static String describe(int errno) {
    return switch (errno) {
      case OK -> "success";
      case EPERM -> "operation not permitted";
      case ENOENT -> "no such file, group or storage";
      case EIO -> "input/output error";
      case ENOMEM -> "out of memory";
      case EACCES -> "permission denied";
      case EBUSY -> "resource busy";
      case EEXIST -> "file exists";
      case EISDIR -> "is a directory";
      case EINVAL -> "invalid argument";
      case ENOSPC -> "no space left on device";
      case ENAMETOOLONG -> "name too long";
      case EOPNOTSUPP -> "operation not supported";
      case ETIMEDOUT -> "timed out";
      case ECONNREFUSED -> "connection refused";
      case EALREADY -> "already done";
      default -> "error";
    };
  }
}
