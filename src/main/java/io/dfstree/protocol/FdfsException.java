package io.dfstree.protocol;

/**
 * A failure that maps to a FastDFS status byte. Thrown for a client's mistake (bad length, missing
 * file, ...): the server answers {@link #errno()} and logs one line, no stack trace.
 */
public class FdfsException extends RuntimeException {
  private final int errno;

  public FdfsException(int errno, String message) {
    super(message, null, false, false);
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }

  @Override
  public String toString() {
    return Errno.name(errno) + ": " + getMessage();
  }

  public static FdfsException invalid(String message) {
    return new FdfsException(Errno.EINVAL, message);
  }

  public static FdfsException notFound(String message) {
    return new FdfsException(Errno.ENOENT, message);
  }
}
