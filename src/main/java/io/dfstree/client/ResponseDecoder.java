package io.dfstree.client;

import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import java.net.ProtocolException;

/**
 * Checks response headers ({@link PacketHeader}, the servers' own header code) and turns the
 * storage answers {@link StorageCodec} decodes into the client's records; a malformed answer is a
 * {@link ProtocolException}. Tracker answers are decoded by {@code TrackerCodec} in {@link
 * TrackerSession}.
 *
 * <p>It lays out no bytes of its own (requests go straight through {@link StorageCodec} in {@link
 * StorageSession}); it stays because the blocking client's public API speaks {@link StoredFile},
 * {@link StoredFileInfo} and {@link ProtocolException}, not the protocol's records and {@link
 * FdfsException} EINVAL, and because a response header must also be checked for being a response.
 */
public final class ResponseDecoder {
  private ResponseDecoder() {}

  /** A decoded response header: how many body bytes follow and the status (0 = success). */
  public record ResponseHeader(long bodyLength, int status) {}

  /**
   * Decodes a 10-byte response header. The status is returned, not thrown, so the caller can still
   * skip a (non-standard) error body and keep the connection in step.
   *
   * @throws ProtocolException when the bytes are not a FastDFS response at all
   */
  public static ResponseHeader header(byte[] header) throws ProtocolException {
    PacketHeader h = PacketHeader.decode(header);
    long length = h.bodyLength();
    int command = h.commandCode();
    int status = h.statusCode();
    if (h.command() != Command.RESP) {
      throw new ProtocolException("response command " + command + " is not " + Command.RESP);
    }
    if (length < 0) {
      throw new ProtocolException("negative body length " + length);
    }
    return new ResponseHeader(length, status);
  }

  /** Throws the {@link FdfsException} a non-zero status stands for. */
  public static void checkStatus(ResponseHeader header, String context) {
    if (header.status() != Errno.OK) {
      throw new FdfsException(header.status(), context);
    }
  }

  /** Upload, slave upload and regenerate answers: group then remote name ({@link StorageCodec}). */
  public static StoredFile storedFile(byte[] body) throws ProtocolException {
    try {
      StorageReply.StoredFile f =
          StorageCodec.decodeStoredFile(io.vertx.core.buffer.Buffer.buffer(body));
      return new StoredFile(f.group(), f.remoteName());
    } catch (FdfsException e) {
      throw new ProtocolException(e.getMessage());
    }
  }

  /** Query file info answer (22): 40 or 70 bytes ({@link StorageCodec}). */
  public static StoredFileInfo fileInfo(byte[] body) throws ProtocolException {
    try {
      StorageReply.FileInfo i =
          StorageCodec.decodeFileInfo(io.vertx.core.buffer.Buffer.buffer(body));
      return new StoredFileInfo(i.size(), i.mtimeSeconds(), i.crc32(), i.sourceIp());
    } catch (FdfsException e) {
      throw new ProtocolException(e.getMessage());
    }
  }
}
