package io.dfstree.tracker;

import io.dfstree.protocol.PacketHeader;
import io.vertx.core.buffer.Buffer;

/**
 * What the connection does after a request: write {@code bytes} (a complete header + body, one
 * write, or null for nothing) and then close the connection or keep reading.
 */
public record Reply(Buffer bytes, boolean close) {
  public static Reply ok(Buffer body) {
    return new Reply(PacketHeader.response(body), false);
  }

  public static Reply empty() {
    return ok(Buffer.buffer());
  }

  public static Reply error(int errno) {
    return new Reply(PacketHeader.status(errno), false);
  }

  /** Answer with an error, then close: the rest of the stream cannot be trusted. */
  public static Reply errorAndClose(int errno) {
    return new Reply(PacketHeader.status(errno), true);
  }

  public static Reply closeSilently() {
    return new Reply(null, true);
  }

  /** The status byte of the reply (0 for success or no reply). */
  public int status() {
    return bytes == null ? 0 : PacketHeader.decode(bytes).statusCode();
  }
}
