package io.dfstree.tracker;

import io.dfstree.protocol.PacketHeader;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

/**
 * Cuts a tracker byte stream into requests. An explicit two-state machine over a
 * {@link RecordParser}: HEADER reads the fixed 10 bytes, then the parser is switched to
 * {@code fixedSizeMode(bodyLength)} for BODY (tracker bodies are small and bounded by
 * {@code maxRequestBytes}) and back. No sockets: feed it any slicing of the stream.
 */
public final class RequestFramer {
  /** Where the parser is in the current request. */
  public enum State { HEADER, BODY }

  /** What the framer reports. */
  public interface Listener {
    /** A complete request. */
    void onRequest(int command, Buffer body);

    /** A header declared a body length outside 0..maxRequestBytes; the stream is unusable now. */
    void onBadLength(int command, long declaredLength);
  }

  private final RecordParser parser;
  private final int maxRequestBytes;
  private final Listener listener;
  private State state = State.HEADER;
  private int command;
  private boolean stopped;

  public RequestFramer(int maxRequestBytes, Listener listener) {
    this.maxRequestBytes = maxRequestBytes;
    this.listener = listener;
    this.parser = RecordParser.newFixed(PacketHeader.SIZE);
    parser.handler(this::onRecord);
  }

  /** Feeds the next bytes of the stream. */
  public void feed(Buffer bytes) {
    if (!stopped) {
      parser.handle(bytes);
    }
  }

  /** Ignores all further input (after a bad header, or once the connection is closing). */
  public void stop() {
    stopped = true;
  }

  public State state() {
    return state;
  }

  /** Command of the request being read (valid in BODY). */
  public int command() {
    return command;
  }

  private void onRecord(Buffer record) {
    if (stopped) {
      return;
    }
    if (state == State.HEADER) {
      PacketHeader h = PacketHeader.decode(record);
      command = h.commandCode();
      long length = h.bodyLength();
      if (length < 0 || length > maxRequestBytes) {
        stopped = true;
        listener.onBadLength(command, length);
      } else if (length == 0) {
        listener.onRequest(command, Buffer.buffer());
      } else {
        state = State.BODY;
        parser.fixedSizeMode((int) length);
      }
    } else {
      state = State.HEADER;
      parser.fixedSizeMode(PacketHeader.SIZE);
      listener.onRequest(command, record);
    }
  }
}
