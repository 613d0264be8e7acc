package io.dfstree.s3;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/**
 * A stream passed through unchanged, whose end or failure is also told to a future. An upload to
 * another group counts the bytes it sent and stops listening once it has sent them all; a {@link
 * BodyStream} reports a failed digest check (Content-MD5, x-amz-content-sha256, a flexible
 * checksum) only after its last byte, so the S3 side must hear how the body ended itself before it
 * records the object.
 */
final class EndWatch implements ReadStream<Buffer> {
  private final ReadStream<Buffer> source;
  private final Promise<Void> ended = Promise.promise();

  EndWatch(ReadStream<Buffer> source) {
    this.source = source;
  }

  /** Completes when the source ends, fails with its failure; never completes if nobody reads. */
  Future<Void> ended() {
    return ended.future();
  }

  @Override
  public EndWatch exceptionHandler(Handler<Throwable> h) {
    source.exceptionHandler(
        err -> {
          ended.tryFail(err);
          if (h != null) {
            h.handle(err);
          }
        });
    return this;
  }

  @Override
  public EndWatch handler(Handler<Buffer> h) {
    source.handler(h);
    return this;
  }

  @Override
  public EndWatch pause() {
    source.pause();
    return this;
  }

  @Override
  public EndWatch resume() {
    source.resume();
    return this;
  }

  @Override
  public EndWatch fetch(long amount) {
    source.fetch(amount);
    return this;
  }

  @Override
  public EndWatch endHandler(Handler<Void> h) {
    source.endHandler(
        v -> {
          ended.tryComplete();
          if (h != null) {
            h.handle(null);
          }
        });
    return this;
  }
}
