package io.dfstree.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * Splits a FastDFS byte stream into header, fixed-size parts and streamed body chunks, without ever
 * holding more than one network read in memory. Pure: no sockets, fed by {@link #feed}.
 *
 * <p>States, like Netty's memcache decoder: {@code HEADER} (10 bytes) → the listener decides what
 * comes next from the header: {@link #expectFixed} (a bounded part such as an upload's 15-byte
 * prefix or a whole small request), {@link #streamBody} (file content, emitted as the chunks that
 * arrive), or {@link #discard} (skip a rejected request's body so the next header is read at the
 * right place). After a request is complete the decoder waits in {@code AWAIT_REPLY} until {@link
 * #nextRequest} — requests are strictly one at a time.
 *
 * <p>{@link #pause()} stops delivery (back-pressure or async work); unread bytes stay queued and
 * {@link #resume()} continues with them.
 */
public final class FrameDecoder {

  public enum State {
    HEADER,
    FIXED,
    BODY,
    DISCARD,
    AWAIT_REPLY,
    CLOSED
  }

  /** Callbacks; each one tells the decoder what to expect next. */
  public interface Listener {
    void onHeader(PacketHeader header);

    void onFixed(Buffer part);

    void onBodyChunk(Buffer chunk);

    void onBodyEnd();

    /** A discarded body has been skipped completely. */
    default void onDiscarded() {}
  }

  private final Listener listener;
  private State state = State.HEADER;
  private long expected =
      PacketHeader.SIZE; // bytes wanted in FIXED/HEADER, or left in BODY/DISCARD
  private Buffer pending = Buffer.buffer(); // received, not yet consumed
  private int pendingPos;
  private Buffer gather; // fixed part being assembled across reads
  private boolean paused;
  private boolean delivering;

  public FrameDecoder(Listener listener) {
    this.listener = listener;
  }

  public State state() {
    return state;
  }

  public boolean paused() {
    return paused;
  }

  /**
   * Bytes received but not yet delivered (bounded by one network read while the socket is paused).
   */
  public int buffered() {
    return pending.length() - pendingPos;
  }

  public void feed(Buffer data) {
    if (state == State.CLOSED) {
      return;
    }
    if (pendingPos >= pending.length()) {
      pending = data;
      pendingPos = 0;
    } else {
      Buffer merged = Buffer.buffer(pending.length() - pendingPos + data.length());
      merged.appendBuffer(pending, pendingPos, pending.length() - pendingPos).appendBuffer(data);
      pending = merged;
      pendingPos = 0;
    }
    deliver();
  }

  /**
   * Body bytes the caller may read past the decoder and hand to {@link #bodyRead} now: the rest of
   * the body while streaming it with nothing buffered and not paused, else 0. A connection uses
   * this to deliver the body straight from the network buffers (no copy) — see {@code
   * StorageConnection}.
   */
  public long bodyWanted() {
    return state == State.BODY && !paused && !delivering && pendingPos >= pending.length()
        ? expected
        : 0;
  }

  /**
   * Delivers {@code chunk}, body bytes the caller read past the decoder (at most {@link
   * #bodyWanted}), as the next body chunk, then the body's end if it was the last.
   */
  public void bodyRead(Buffer chunk) {
    long wanted = bodyWanted();
    if (chunk.length() == 0 || chunk.length() > wanted) {
      throw new IllegalStateException(chunk.length() + " body bytes read, " + wanted + " wanted");
    }
    expected -= chunk.length();
    boolean last = expected == 0;
    if (last) {
      state = State.AWAIT_REPLY;
    }
    delivering = true;
    try {
      listener.onBodyChunk(chunk);
      if (last) {
        listener.onBodyEnd();
      }
    } finally {
      delivering = false;
    }
    deliver(); // a callback may have fed bytes (it cannot: we hold none), or moved us on
  }

  /** Next: a part of exactly {@code length} bytes, delivered whole to {@link Listener#onFixed}. */
  public void expectFixed(int length) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.FIXED;
    expected = length;
    gather = null;
    if (length == 0) {
      state = State.AWAIT_REPLY;
      listener.onFixed(Buffer.buffer());
    } else {
      deliver(); // the decision may come after the bytes (async work): do not wait for another read
    }
  }

  /** Next: {@code length} body bytes delivered as they arrive, then {@link Listener#onBodyEnd}. */
  public void streamBody(long length) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.BODY;
    expected = length;
    if (length == 0) {
      state = State.AWAIT_REPLY;
      listener.onBodyEnd();
    } else {
      deliver();
    }
  }

  /**
   * Next: skip {@code length} bytes (the rest of a rejected request), then wait for the next
   * request.
   */
  public void discard(long length) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.DISCARD;
    expected = length;
    if (length == 0) {
      state = State.AWAIT_REPLY;
      listener.onDiscarded();
    } else {
      deliver();
    }
  }

  /** The reply has been written: read the next header. */
  public void nextRequest() {
    if (state == State.CLOSED) {
      return; // a reply finishing after close() must not revive the connection
    }
    state = State.HEADER;
    expected = PacketHeader.SIZE;
    gather = null;
    deliver();
  }

  public void pause() {
    paused = true;
  }

  public void resume() {
    if (paused) {
      paused = false;
      deliver();
    }
  }

  public void close() {
    state = State.CLOSED;
    pending = Buffer.buffer();
    pendingPos = 0;
  }

  private void deliver() {
    if (delivering) {
      return; // a callback fed or resumed us; the outer loop continues
    }
    delivering = true;
    try {
      while (!paused && pendingPos < pending.length()) {
        int available = pending.length() - pendingPos;
        switch (state) {
          case HEADER, FIXED -> {
            int want = (int) expected - (gather == null ? 0 : gather.length());
            int take = Math.min(want, available);
            if (gather == null && take == expected) {
              Buffer part = pending.slice(pendingPos, pendingPos + take).copy();
              pendingPos += take;
              complete(part);
            } else {
              if (gather == null) {
                gather = Buffer.buffer((int) expected);
              }
              gather.appendBuffer(pending, pendingPos, take);
              pendingPos += take;
              if (gather.length() == expected) {
                Buffer part = gather;
                gather = null;
                complete(part);
              }
            }
          }
          case BODY -> {
            int take = (int) Math.min(expected, available);
            // socket buffers are heap copies owned by us: a slice is safe to keep and saves a copy
            Buffer chunk = pending.slice(pendingPos, pendingPos + take);
            pendingPos += take;
            expected -= take;
            boolean last = expected == 0;
            if (last) {
              state = State.AWAIT_REPLY;
            }
            listener.onBodyChunk(chunk);
            if (last) {
              listener.onBodyEnd();
            }
          }
          case DISCARD -> {
            int take = (int) Math.min(expected, available);
            pendingPos += take;
            expected -= take;
            if (expected == 0) {
              state = State.AWAIT_REPLY;
              listener.onDiscarded();
            }
          }
          case AWAIT_REPLY, CLOSED -> {
            return;
          }
        }
      }
    } finally {
      delivering = false;
      if (pendingPos >= pending.length() && pending.length() > 0) {
        pending = Buffer.buffer();
        pendingPos = 0;
      }
    }
  }

  private void complete(Buffer part) {
    if (state == State.HEADER) {
      state = State.AWAIT_REPLY; // the listener moves us on
      listener.onHeader(PacketHeader.decode(part));
    } else {
      state = State.AWAIT_REPLY;
      listener.onFixed(part);
    }
  }
}
