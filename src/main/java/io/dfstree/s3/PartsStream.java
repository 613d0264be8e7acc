package io.dfstree.s3;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.streams.ReadStream;
import java.util.Iterator;
import java.util.List;

/**
 * Ranges of several stored files read as one stream, in order: a multipart object served without
 * its parts ever being copied into one file, or any object as the source of a copy. Back-pressure
 * goes to the file being read.
 */
final class PartsStream implements ReadStream<Buffer> {
  /** {@code length} bytes of a file from {@code offset} (relative to the file's own start). */
  record Segment(String fileId, long offset, long length) {}

  private final Vertx vertx;
  private final ObjectBytes bytes;
  private final Iterator<Segment> segments;
  private ReadStream<Buffer> current;
  private boolean paused;
  private boolean started;
  private boolean failed;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  PartsStream(Vertx vertx, ObjectBytes bytes, List<Segment> segments) {
    this.vertx = vertx;
    this.bytes = bytes;
    this.segments = segments.iterator();
  }

  /** The segments covering {@code [start, start + length)} of parts laid end to end. */
  static List<Segment> covering(List<NamespaceStore.Part> parts, long start, long length) {
    List<Segment> out = new java.util.ArrayList<>();
    long at = 0;
    long end = start + length;
    for (NamespaceStore.Part p : parts) {
      long pEnd = at + p.size();
      if (pEnd > start && at < end) {
        long from = Math.max(start, at) - at;
        long to = Math.min(end, pEnd) - at;
        out.add(new Segment(p.fileId(), from, to - from));
      }
      at = pEnd;
    }
    return out;
  }

  private void next() {
    if (failed) {
      return;
    }
    if (!segments.hasNext()) {
      Handler<Void> h = endHandler;
      if (h != null) {
        h.handle(null);
      }
      return;
    }
    Segment s = segments.next();
    if (s.length() == 0) {
      next();
      return;
    }
    // a file of this group is read from disk, one of another group through the cluster
    bytes
        .read(s.fileId(), s.offset(), s.length())
        .onFailure(this::fail)
        .onSuccess(
            f -> {
              current = f;
              f.exceptionHandler(this::fail);
              f.endHandler(
                  v -> {
                    current = null;
                    close(f);
                    next();
                  });
              f.handler(
                  b -> {
                    Handler<Buffer> h = handler;
                    if (h != null) {
                      h.handle(b);
                    }
                  });
              if (!paused) {
                f.resume();
              }
            });
  }

  /** A local file is closed here; a download from another group closes its connection itself. */
  private static void close(ReadStream<Buffer> s) {
    if (s instanceof AsyncFile f) {
      f.close();
    }
  }

  private void fail(Throwable t) {
    if (failed) {
      return;
    }
    failed = true;
    if (current != null) {
      close(current);
    }
    Handler<Throwable> h = exceptionHandler;
    if (h != null) {
      h.handle(t);
    }
  }

  @Override
  public PartsStream handler(Handler<Buffer> h) {
    handler = h;
    if (h != null && !started) {
      started = true;
      next();
    }
    return this;
  }

  @Override
  public PartsStream exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public PartsStream endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }

  @Override
  public PartsStream pause() {
    paused = true;
    if (current != null) {
      current.pause();
    }
    return this;
  }

  @Override
  public PartsStream resume() {
    paused = false;
    if (current != null) {
      current.resume();
    }
    return this;
  }

  @Override
  public PartsStream fetch(long amount) {
    if (current != null) {
      current.fetch(amount);
    }
    return this;
  }
}
