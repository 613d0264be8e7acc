package io.dfstree.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * The 10-byte FastDFS header: i64 body length (header excluded), command byte, status byte.
 * Responses always carry command {@link Command#RESP}.
 */
public record PacketHeader(long bodyLength, byte command, byte status) {
  public static final int SIZE = 10;

  public static PacketHeader decode(Buffer b) {
    return decode(b, 0);
  }

  public static PacketHeader decode(Buffer b, int at) {
    return new PacketHeader(b.getLong(at), b.getByte(at + 8), b.getByte(at + 9));
  }

  public static PacketHeader decode(byte[] b) {
    long len = 0;
    for (int i = 0; i < 8; i++) {
      len = (len << 8) | (b[i] & 0xFF);
    }
    return new PacketHeader(len, b[8], b[9]);
  }

  public int commandCode() {
    return command & 0xFF;
  }

  public int statusCode() {
    return status & 0xFF;
  }

  /** A buffer holding just this header, with room reserved for {@code bodyLength} more bytes. */
  public Buffer toBuffer() {
    int room = (int) Math.min(bodyLength, 64 * 1024);
    return Buffer.buffer(SIZE + room).appendLong(bodyLength).appendByte(command).appendByte(status);
  }

  public byte[] toBytes() {
    byte[] b = new byte[SIZE];
    long v = bodyLength;
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    b[8] = command;
    b[9] = status;
    return b;
  }

  /** A success response carrying {@code body} (header and body in one buffer, one write). */
  public static Buffer response(Buffer body) {
    return Buffer.buffer(SIZE + body.length())
        .appendLong(body.length())
        .appendByte(Command.RESP)
        .appendByte((byte) 0)
        .appendBuffer(body);
  }

  /** The header of a success response whose {@code bodyLength} bytes are streamed after it. */
  public static Buffer responseHeader(long bodyLength) {
    return Buffer.buffer(SIZE).appendLong(bodyLength).appendByte(Command.RESP).appendByte((byte) 0);
  }

  /** An empty response with the given status; FastDFS never sends a body with an error status. */
  public static Buffer status(int errno) {
    return Buffer.buffer(SIZE).appendLong(0).appendByte(Command.RESP).appendByte((byte) errno);
  }

  public static Buffer request(byte command, Buffer body) {
    return Buffer.buffer(SIZE + body.length())
        .appendLong(body.length())
        .appendByte(command)
        .appendByte((byte) 0)
        .appendBuffer(body);
  }
}
