package io.dfstree.storage;

import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageCodec;

/**
 * What a storage connection does with a request once its header is read, decided from the header
 * alone (no sockets, so it is tested without any): refuse it and close, answer it at once, skip its
 * body after an error, or read the fixed part {@link StorageCodec} asks for.
 */
sealed interface RequestStart {
  /**
   * Answer {@code errno} and close: reading on could only misread the stream or help an intruder.
   */
  record Refuse(int errno, String message) implements RequestStart {}

  /** Answer the error and skip the {@code unread} body bytes; the connection stays usable. */
  record Fail(FdfsException error, long unread) implements RequestStart {}

  /** Answer success with an empty body (an active test). */
  record Empty() implements RequestStart {}

  /** Close without an answer (quit). */
  record Quit() implements RequestStart {}

  /** Read {@code bytes} of fixed part next: the whole body, or a streamed request's prefix. */
  record Read(ConnectionExchange.Part part, int bytes) implements RequestStart {}

  /**
   * @param allowed whether this connection may use the command (member-only commands need a proof)
   * @param maxRequestBytes the largest body read whole (storage.maxRequestBytes)
   */
  static RequestStart of(PacketHeader h, boolean allowed, long maxRequestBytes) {
    long len = h.bodyLength();
    if (len < 0) {
      return new Refuse(Errno.EINVAL, "negative body length");
    }
    if (!allowed) {
      return new Refuse(Errno.EACCES, "command " + h.commandCode() + " is for group members only");
    }
    int prefix = StorageCodec.prefixLength(h.command());
    if (prefix == StorageCodec.UNKNOWN) {
      return new Fail(new FdfsException(Errno.EINVAL, "unknown command " + h.commandCode()), len);
    }
    if (prefix == StorageCodec.NO_BODY) {
      if (h.command() == Command.QUIT) {
        return new Quit();
      }
      return len == 0
          ? new Empty()
          : new Fail(new FdfsException(Errno.EINVAL, "active test with a body"), len);
    }
    if (prefix == StorageCodec.WHOLE_BODY) {
      return len > maxRequestBytes
          ? new Refuse(
              Errno.EINVAL,
              "declared length "
                  + len
                  + " over the limit "
                  + maxRequestBytes
                  + " for command "
                  + h.commandCode())
          : new Read(ConnectionExchange.Part.WHOLE, (int) len);
    }
    if (len < prefix) {
      return new Fail(
          FdfsException.invalid(
              "body of "
                  + len
                  + " bytes is shorter than the "
                  + prefix
                  + "-byte prefix of command "
                  + h.commandCode()),
          len);
    }
    return new Read(ConnectionExchange.Part.PREFIX, prefix);
  }
}
