package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link EndWatch}: how a body ended reaches the S3 side even when the reader (an upload to another
 * group) stopped listening after the bytes it counted.
 */
class EndWatchTest {
  /** A stream driven by hand. */
  static final class HandStream implements ReadStream<Buffer> {
    Handler<Buffer> data;
    Handler<Void> end;
    Handler<Throwable> failure;
    boolean paused;

    @Override
    public HandStream exceptionHandler(Handler<Throwable> h) {
      failure = h;
      return this;
    }

    @Override
    public HandStream handler(Handler<Buffer> h) {
      data = h;
      return this;
    }

    @Override
    public HandStream pause() {
      paused = true;
      return this;
    }

    @Override
    public HandStream resume() {
      paused = false;
      return this;
    }

    @Override
    public HandStream fetch(long amount) {
      return this;
    }

    @Override
    public HandStream endHandler(Handler<Void> h) {
      end = h;
      return this;
    }
  }

  @Test
  void passesBytesAndTheEndThroughAndCompletes() {
    HandStream src = new HandStream();
    EndWatch w = new EndWatch(src);
    List<String> seen = new ArrayList<>();
    w.handler(b -> seen.add(b.toString()));
    w.endHandler(v -> seen.add("end"));
    w.exceptionHandler(e -> seen.add("error"));
    w.pause();
    assertTrue(src.paused);
    w.resume();
    assertFalse(src.paused);
    src.data.handle(Buffer.buffer("ab"));
    src.data.handle(Buffer.buffer("cd"));
    assertFalse(w.ended().isComplete());
    src.end.handle(null);
    assertEquals(List.of("ab", "cd", "end"), seen);
    assertTrue(w.ended().succeeded());
  }

  @Test
  void aFailureAfterTheLastByteFailsTheWatchEvenWhenTheReaderIgnoresIt() {
    HandStream src = new HandStream();
    EndWatch w = new EndWatch(src);
    w.handler(b -> {});
    w.endHandler(v -> {});
    w.exceptionHandler(null); // a reader that no longer listens
    S3Exception bad = new S3Exception(400, "BadDigest", "digest differs");
    src.data.handle(Buffer.buffer("payload"));
    src.failure.handle(bad);
    assertTrue(w.ended().failed());
    assertSame(bad, w.ended().cause());
    // a late end (it cannot come after a failure, but must not turn it into a success)
    src.end.handle(null);
    assertTrue(w.ended().failed());
  }
}
