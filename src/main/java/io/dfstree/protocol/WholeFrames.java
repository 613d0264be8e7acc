package io.dfstree.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * A {@link FrameDecoder} for ports whose requests are small and read whole (the tracker's): each
 * header's body is gathered and handed over with it, after a check that its declared length is
 * within {@code 0..maxBodyBytes}. Like the decoder, one request at a time: the listener calls
 * {@link #next()} once it has answered. Pure: no sockets, fed by {@link #feed}.
 */
public final class WholeFrames implements FrameDecoder.Listener {
  /** What the reader reports. */
  public interface Listener {
    /** A complete request; call {@link #next()} to read the one after it. */
    void onFrame(PacketHeader header, Buffer body);

    /** A header declared a body length outside 0..maxBodyBytes; the stream is unusable now. */
    void onBadLength(PacketHeader header);
  }

  private final FrameDecoder decoder = new FrameDecoder(this);
  private final int maxBodyBytes;
  private final Listener listener;
  private PacketHeader header;

  public WholeFrames(int maxBodyBytes, Listener listener) {
    this.maxBodyBytes = maxBodyBytes;
    this.listener = listener;
  }

  public void feed(Buffer bytes) {
    decoder.feed(bytes);
  }

  /** The request has been answered: read the next one. */
  public void next() {
    decoder.nextRequest();
  }

  /** Ignores all further input (after a bad header, or once the connection is closing). */
  public void close() {
    decoder.close();
  }

  /** True between a request's header and the last byte of its body. */
  public boolean readingBody() {
    return decoder.state() == FrameDecoder.State.FIXED;
  }

  /** The header of the request being read or answered (null before the first). */
  public PacketHeader header() {
    return header;
  }

  @Override
  public void onHeader(PacketHeader h) {
    header = h;
    if (h.bodyLength() < 0 || h.bodyLength() > maxBodyBytes) {
      decoder.close();
      listener.onBadLength(h);
    } else {
      decoder.expectFixed((int) h.bodyLength());
    }
  }

  @Override
  public void onFixed(Buffer body) {
    listener.onFrame(header, body);
  }

  /** Whole frames have no streamed part. */
  @Override
  public void onBodyChunk(Buffer chunk) {}

  @Override
  public void onBodyEnd() {}
}
