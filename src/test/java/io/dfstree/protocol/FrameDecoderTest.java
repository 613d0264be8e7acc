package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The framing state machine fed from byte fixtures in odd batches, in the style of Netty's
 * BinaryMemcacheDecoderTest. The {@link Script} listener plays a tiny storage: command 11 is an
 * upload (15-byte prefix, then a streamed body), 12 a small request read whole, anything else is
 * rejected and its body discarded.
 */
class FrameDecoderTest {
  static final byte UPLOAD = 11;
  static final byte SMALL = 12;
  static final byte UNKNOWN = 99;

  /** Records every callback and answers each header as the script says. */
  static final class Script implements FrameDecoder.Listener {
    final List<String> events = new ArrayList<>();
    final List<PacketHeader> headers = new ArrayList<>();
    final List<Buffer> fixedParts = new ArrayList<>();
    final List<Buffer> chunks = new ArrayList<>();
    final List<ByteArrayOutputStream> bodies = new ArrayList<>();
    FrameDecoder decoder;
    PacketHeader current;
    boolean autoNext; // call nextRequest() from inside the last callback of a request
    boolean pauseOnChunk; // pause after every body chunk
    boolean deferHeader; // onHeader does not decide; the test does later

    @Override
    public void onHeader(PacketHeader h) {
      events.add("header " + h.commandCode() + " " + h.bodyLength());
      headers.add(h);
      current = h;
      if (deferHeader) {
        return;
      }
      switch (h.command()) {
        case UPLOAD -> decoder.expectFixed(15);
        case SMALL -> decoder.expectFixed((int) h.bodyLength());
        default -> decoder.discard(h.bodyLength());
      }
    }

    @Override
    public void onFixed(Buffer part) {
      events.add("fixed " + part.length());
      fixedParts.add(part.copy());
      if (current.command() == UPLOAD && fixedParts.size() > 0 && part.length() == 15) {
        bodies.add(new ByteArrayOutputStream());
        decoder.streamBody(current.bodyLength() - 15);
      } else if (autoNext) {
        decoder.nextRequest();
      }
    }

    @Override
    public void onBodyChunk(Buffer chunk) {
      assertTrue(chunk.length() > 0, "empty chunks are never delivered");
      chunks.add(chunk);
      bodies.get(bodies.size() - 1).writeBytes(chunk.getBytes());
      if (pauseOnChunk) {
        decoder.pause();
      }
    }

    @Override
    public void onBodyEnd() {
      events.add("end " + bodies.get(bodies.size() - 1).size());
      if (autoNext) {
        decoder.nextRequest();
      }
    }

    @Override
    public void onDiscarded() {
      events.add("discarded");
      if (autoNext) {
        decoder.nextRequest();
      }
    }
  }

  static Script script() {
    Script s = new Script();
    s.decoder = new FrameDecoder(s);
    return s;
  }

  static byte[] pattern(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  static byte[] header(long bodyLength, byte command, byte status) {
    return new PacketHeader(bodyLength, command, status).toBytes();
  }

  /** An upload: header, 15-byte prefix, {@code content}. */
  static byte[] upload(byte[] content) {
    byte[] prefix = pattern(15, 7);
    return concat(header(15 + content.length, UPLOAD, (byte) 0), prefix, content);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static void feedInBatches(FrameDecoder d, byte[] bytes, int batch) {
    for (int i = 0; i < bytes.length; i += batch) {
      d.feed(Buffer.buffer().appendBytes(bytes, i, Math.min(batch, bytes.length - i)));
    }
  }

  // ---- header ------------------------------------------------------------------------------

  @Test
  void headerFedOneByteAtATimeIsDeliveredOnlyAfterTheTenthByte() {
    Script s = script();
    s.deferHeader = true;
    byte[] h = header(0x0102030405060708L, (byte) 0xFE, (byte) 0x80);
    for (int i = 0; i < 9; i++) {
      s.decoder.feed(Buffer.buffer().appendByte(h[i]));
      assertTrue(s.headers.isEmpty(), "no header after " + (i + 1) + " bytes");
      assertEquals(FrameDecoder.State.HEADER, s.decoder.state());
    }
    s.decoder.feed(Buffer.buffer().appendByte(h[9]));
    assertEquals(1, s.headers.size());
    PacketHeader got = s.headers.get(0);
    assertEquals(0x0102030405060708L, got.bodyLength());
    assertEquals(254, got.commandCode());
    assertEquals(128, got.statusCode());
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
  }

  @Test
  void decoderWaitsInAwaitReplyWhenTheListenerDecidesNothing() {
    Script s = script();
    s.deferHeader = true;
    s.decoder.feed(Buffer.buffer(concat(header(3, SMALL, (byte) 0), new byte[] {1, 2, 3})));
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
    assertEquals(3, s.decoder.buffered());
    assertTrue(s.fixedParts.isEmpty());
  }

  // ---- body read past the decoder (a connection's owned chunks) -------------------------------

  @Test
  void bodyBytesReadPastTheDecoderAreDeliveredAsChunksThenTheEnd() {
    Script s = script();
    byte[] content = pattern(1000, 5);
    byte[] req = upload(content);
    s.decoder.feed(Buffer.buffer().appendBytes(req, 0, 25 + 100)); // header, prefix, 100 bytes
    assertEquals(900, s.decoder.bodyWanted(), "the rest of the body, nothing buffered");
    s.decoder.bodyRead(Buffer.buffer().appendBytes(req, 125, 400));
    assertEquals(500, s.decoder.bodyWanted());
    s.decoder.bodyRead(Buffer.buffer().appendBytes(req, 525, 500));
    assertEquals(0, s.decoder.bodyWanted());
    assertEquals(List.of("header 11 1015", "fixed 15", "end 1000"), s.events);
    assertArrayEquals(content, s.bodies.get(0).toByteArray());
    assertEquals(3, s.chunks.size());
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
  }

  @Test
  void noBodyIsWantedPastTheDecoderWhileItHoldsBytesOrIsPausedOrExpectsNoBody() {
    Script s = script();
    s.deferHeader = true;
    byte[] req = upload(pattern(1000, 5));
    s.decoder.feed(Buffer.buffer().appendBytes(req, 0, 300));
    assertEquals(0, s.decoder.bodyWanted(), "not streaming a body yet");
    s.pauseOnChunk = true;
    s.decoder.expectFixed(15); // the script streams the body: 275 bytes, then it pauses
    assertEquals(0, s.decoder.bodyWanted(), "paused");
    s.decoder.feed(Buffer.buffer().appendBytes(req, 300, 100));
    assertEquals(0, s.decoder.bodyWanted(), "paused, and bytes are buffered");
    s.pauseOnChunk = false;
    s.decoder.resume();
    assertEquals(625, s.decoder.bodyWanted(), "the buffered part delivered first");
    assertThrows(
        IllegalStateException.class,
        () -> s.decoder.bodyRead(Buffer.buffer(new byte[626])),
        "never more than the body");
    s.decoder.bodyRead(Buffer.buffer().appendBytes(req, 400, 625));
    assertEquals(List.of("header 11 1015", "fixed 15", "end 1000"), s.events);
  }

  // ---- fixed parts and bodies --------------------------------------------------------------

  @Test
  void headerPrefixAndBodyInOneBufferAreAllDelivered() {
    Script s = script();
    byte[] content = pattern(100, 3);
    s.decoder.feed(Buffer.buffer(upload(content)));
    assertEquals(List.of("header 11 115", "fixed 15", "end 100"), s.events);
    assertArrayEquals(pattern(15, 7), s.fixedParts.get(0).getBytes());
    assertArrayEquals(content, s.bodies.get(0).toByteArray());
    assertEquals(1, s.chunks.size(), "one network read gives one chunk");
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
    assertEquals(0, s.decoder.buffered());
  }

  @Test
  void fixedPartSplitAcrossFeedsIsDeliveredWhole() {
    Script s = script();
    byte[] body = pattern(40, 9);
    byte[] req = concat(header(40, SMALL, (byte) 0), body);
    s.decoder.feed(Buffer.buffer().appendBytes(req, 0, 13));
    s.decoder.feed(Buffer.buffer().appendBytes(req, 13, 20));
    assertTrue(s.fixedParts.isEmpty());
    assertEquals(FrameDecoder.State.FIXED, s.decoder.state());
    s.decoder.feed(Buffer.buffer().appendBytes(req, 33, req.length - 33));
    assertEquals(1, s.fixedParts.size());
    assertArrayEquals(body, s.fixedParts.get(0).getBytes());
  }

  @Test
  void fixedPartIsACopyUnaffectedByLaterChangesToTheFedBuffer() {
    List<Buffer> parts = new ArrayList<>();
    FrameDecoder[] d = new FrameDecoder[1];
    d[0] =
        new FrameDecoder(
            new FrameDecoder.Listener() {
              @Override
              public void onHeader(PacketHeader h) {
                d[0].expectFixed((int) h.bodyLength());
              }

              @Override
              public void onFixed(Buffer part) {
                parts.add(part);
              }

              @Override
              public void onBodyChunk(Buffer chunk) {
                fail();
              }

              @Override
              public void onBodyEnd() {
                fail();
              }
            });
    Buffer fed = Buffer.buffer(concat(header(4, SMALL, (byte) 0), new byte[] {1, 2, 3, 4}));
    d[0].feed(fed);
    fed.setByte(10, (byte) 77);
    assertEquals(1, parts.get(0).getByte(0));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 7, 9, 10, 11, 13, 16, 25, 64, 127, 1000})
  void bodyChunksInOddBatchesSumToTheExactLengthAndNeverIncludeTheNextHeader(int batch) {
    Script s = script();
    byte[] first = pattern(257, 1);
    byte[] second = pattern(33, 2);
    byte[] stream = concat(upload(first), upload(second));
    feedInBatches(s.decoder, stream, batch);
    assertEquals(List.of("header 11 272", "fixed 15", "end 257"), s.events);
    assertArrayEquals(first, s.bodies.get(0).toByteArray());
    int delivered = s.chunks.stream().mapToInt(Buffer::length).sum();
    assertEquals(257, delivered);
    assertEquals(
        stream.length - upload(first).length, s.decoder.buffered(), "second request waits");

    s.decoder.nextRequest();
    assertEquals(
        List.of("header 11 272", "fixed 15", "end 257", "header 11 48", "fixed 15", "end 33"),
        s.events);
    assertArrayEquals(second, s.bodies.get(1).toByteArray());
    assertEquals(0, s.decoder.buffered());
  }

  @Test
  void chunksKeepTheirBytesAfterLaterFeeds() {
    Script s = script();
    byte[] content = pattern(50, 5);
    byte[] req = upload(content);
    feedInBatches(s.decoder, req, 7);
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    for (Buffer c : s.chunks) {
      again.writeBytes(c.getBytes());
    }
    assertArrayEquals(content, again.toByteArray());
  }

  @Test
  void twoCompleteRequestsInOneBufferDeliverTheSecondOnlyAfterNextRequest() {
    Script s = script();
    byte[] a = concat(header(3, SMALL, (byte) 0), new byte[] {1, 2, 3});
    byte[] b = concat(header(2, SMALL, (byte) 5), new byte[] {4, 5});
    s.decoder.feed(Buffer.buffer(concat(a, b)));
    assertEquals(List.of("header 12 3", "fixed 3"), s.events);
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
    assertEquals(b.length, s.decoder.buffered());

    s.decoder.nextRequest();
    assertEquals(List.of("header 12 3", "fixed 3", "header 12 2", "fixed 2"), s.events);
    assertEquals(5, s.headers.get(1).statusCode());
    assertArrayEquals(new byte[] {4, 5}, s.fixedParts.get(1).getBytes());
    assertEquals(0, s.decoder.buffered());
  }

  @Test
  void bytesFedWhileAwaitingTheReplyAreQueuedNotDelivered() {
    Script s = script();
    s.decoder.feed(Buffer.buffer(concat(header(1, SMALL, (byte) 0), new byte[] {1})));
    s.decoder.feed(Buffer.buffer(header(0, SMALL, (byte) 0)));
    s.decoder.feed(Buffer.buffer(new byte[] {9, 9}));
    assertEquals(12, s.decoder.buffered());
    assertEquals(1, s.headers.size());
  }

  // ---- re-entrancy ---------------------------------------------------------------------------

  @Test
  void nextRequestCalledInsideCallbacksDeliversEveryQueuedRequestInOrder() {
    Script s = script();
    s.autoNext = true;
    byte[] stream =
        concat(
            upload(pattern(20, 1)),
            concat(header(4, UNKNOWN, (byte) 0), pattern(4, 2)),
            concat(header(2, SMALL, (byte) 0), new byte[] {7, 8}),
            upload(pattern(3, 4)));
    s.decoder.feed(Buffer.buffer(stream));
    assertEquals(
        List.of(
            "header 11 35",
            "fixed 15",
            "end 20",
            "header 99 4",
            "discarded",
            "header 12 2",
            "fixed 2",
            "header 11 18",
            "fixed 15",
            "end 3"),
        s.events);
    assertEquals(FrameDecoder.State.HEADER, s.decoder.state());
    assertEquals(0, s.decoder.buffered());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 10, 17})
  void reentrantNextRequestWorksWithOddBatches(int batch) {
    Script s = script();
    s.autoNext = true;
    byte[] stream =
        concat(
            upload(pattern(30, 1)),
            concat(header(5, UNKNOWN, (byte) 0), pattern(5, 2)),
            upload(pattern(11, 3)));
    feedInBatches(s.decoder, stream, batch);
    assertEquals(
        List.of(
            "header 11 45",
            "fixed 15",
            "end 30",
            "header 99 5",
            "discarded",
            "header 11 26",
            "fixed 15",
            "end 11"),
        s.events);
    assertArrayEquals(pattern(30, 1), s.bodies.get(0).toByteArray());
    assertArrayEquals(pattern(11, 3), s.bodies.get(1).toByteArray());
  }

  @Test
  void feedFromInsideACallbackIsDeliveredByTheOuterLoop() {
    List<String> events = new ArrayList<>();
    FrameDecoder[] d = new FrameDecoder[1];
    d[0] =
        new FrameDecoder(
            new FrameDecoder.Listener() {
              @Override
              public void onHeader(PacketHeader h) {
                events.add("header " + h.bodyLength());
                if (h.bodyLength() == 1) {
                  d[0].feed(Buffer.buffer(new byte[] {42}));
                }
                d[0].expectFixed((int) h.bodyLength());
              }

              @Override
              public void onFixed(Buffer part) {
                events.add("fixed " + part.getByte(0));
              }

              @Override
              public void onBodyChunk(Buffer chunk) {
                fail();
              }

              @Override
              public void onBodyEnd() {
                fail();
              }
            });
    d[0].feed(Buffer.buffer(header(1, SMALL, (byte) 0)));
    assertEquals(List.of("header 1", "fixed 42"), events);
  }

  // ---- pause / resume ------------------------------------------------------------------------

  @Test
  void pauseBeforeFeedingQueuesEverythingAndResumeDeliversIt() {
    Script s = script();
    s.decoder.pause();
    byte[] req = upload(pattern(10, 1));
    s.decoder.feed(Buffer.buffer(req));
    assertTrue(s.events.isEmpty());
    assertTrue(s.decoder.paused());
    assertEquals(req.length, s.decoder.buffered());
    s.decoder.resume();
    assertFalse(s.decoder.paused());
    assertEquals(List.of("header 11 25", "fixed 15", "end 10"), s.events);
    assertEquals(0, s.decoder.buffered());
  }

  @Test
  void pauseInsideABodyChunkStopsFurtherChunksUntilResume() {
    Script s = script();
    s.pauseOnChunk = true;
    byte[] content = pattern(30, 1);
    byte[] req = upload(content);
    s.decoder.feed(Buffer.buffer().appendBytes(req, 0, 35)); // header + prefix + 10 content bytes
    assertEquals(1, s.chunks.size());
    assertEquals(10, s.chunks.get(0).length());
    s.decoder.feed(Buffer.buffer().appendBytes(req, 35, 8));
    s.decoder.feed(Buffer.buffer().appendBytes(req, 43, req.length - 43));
    assertEquals(1, s.chunks.size(), "paused: nothing more delivered");
    assertEquals(20, s.decoder.buffered());
    assertEquals(FrameDecoder.State.BODY, s.decoder.state());

    s.pauseOnChunk = false;
    s.decoder.resume();
    assertArrayEquals(content, s.bodies.get(0).toByteArray());
    assertEquals(List.of("header 11 45", "fixed 15", "end 30"), s.events);
  }

  @Test
  void resumeWithoutPauseDeliversNothingNew() {
    Script s = script();
    s.decoder.feed(
        Buffer.buffer(
            concat(header(1, SMALL, (byte) 0), new byte[] {1}, header(0, SMALL, (byte) 0))));
    s.decoder.resume();
    assertEquals(1, s.headers.size(), "resume is not nextRequest");
    assertEquals(10, s.decoder.buffered());
  }

  @Test
  void nextRequestWhilePausedWaitsForResume() {
    Script s = script();
    s.decoder.feed(
        Buffer.buffer(
            concat(
                header(1, SMALL, (byte) 0),
                new byte[] {1},
                header(1, SMALL, (byte) 0),
                new byte[] {2})));
    s.decoder.pause();
    s.decoder.nextRequest();
    assertEquals(1, s.headers.size());
    assertEquals(FrameDecoder.State.HEADER, s.decoder.state());
    s.decoder.resume();
    assertEquals(2, s.headers.size());
    assertEquals(2, s.fixedParts.get(1).getByte(0));
  }

  // ---- discard -------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 10, 11, 23, 500})
  void discardSkipsExactlyTheDeclaredBytesThenTheNextHeaderParses(int batch) {
    Script s = script();
    byte[] rejected = concat(header(37, UNKNOWN, (byte) 0), pattern(37, 1));
    byte[] next = concat(header(3, SMALL, (byte) 0), new byte[] {5, 6, 7});
    feedInBatches(s.decoder, concat(rejected, next), batch);
    assertEquals(List.of("header 99 37", "discarded"), s.events);
    assertEquals(next.length, s.decoder.buffered());
    s.decoder.nextRequest();
    assertEquals(List.of("header 99 37", "discarded", "header 12 3", "fixed 3"), s.events);
    assertArrayEquals(new byte[] {5, 6, 7}, s.fixedParts.get(0).getBytes());
  }

  @Test
  void discardInProgressReportsStateDiscard() {
    Script s = script();
    s.decoder.feed(Buffer.buffer(concat(header(100, UNKNOWN, (byte) 0), pattern(40, 1))));
    assertEquals(FrameDecoder.State.DISCARD, s.decoder.state());
    assertEquals(0, s.decoder.buffered(), "discarded bytes are not kept");
    assertEquals(List.of("header 99 100"), s.events);
  }

  // ---- zero lengths --------------------------------------------------------------------------

  @Test
  void zeroLengthFixedPartIsDeliveredImmediatelyAsAnEmptyBuffer() {
    Script s = script();
    s.decoder.feed(Buffer.buffer(header(0, SMALL, (byte) 0)));
    assertEquals(List.of("header 12 0", "fixed 0"), s.events);
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
  }

  @Test
  void zeroLengthBodyEndsImmediatelyWithoutChunks() {
    Script s = script();
    s.decoder.feed(Buffer.buffer(upload(new byte[0])));
    assertEquals(List.of("header 11 15", "fixed 15", "end 0"), s.events);
    assertTrue(s.chunks.isEmpty());
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
  }

  @Test
  void zeroLengthDiscardCompletesImmediately() {
    Script s = script();
    s.decoder.feed(Buffer.buffer(header(0, UNKNOWN, (byte) 0)));
    assertEquals(List.of("header 99 0", "discarded"), s.events);
    assertEquals(FrameDecoder.State.AWAIT_REPLY, s.decoder.state());
  }

  @Test
  void zeroLengthPartsFollowedByMoreRequestsInOneBufferWithReentrantNextRequest() {
    Script s = script();
    s.autoNext = true;
    byte[] stream =
        concat(
            header(0, SMALL, (byte) 0),
            upload(new byte[0]),
            header(0, UNKNOWN, (byte) 0),
            concat(header(1, SMALL, (byte) 0), new byte[] {3}));
    s.decoder.feed(Buffer.buffer(stream));
    assertEquals(
        List.of(
            "header 12 0",
            "fixed 0",
            "header 11 15",
            "fixed 15",
            "end 0",
            "header 99 0",
            "discarded",
            "header 12 1",
            "fixed 1"),
        s.events);
    assertEquals(0, s.decoder.buffered());
  }

  // ---- decisions taken later (async work) ----------------------------------------------------

  @Test
  void decisionTakenAfterPauseIsAppliedOnResume() {
    Script s = script();
    s.deferHeader = true;
    byte[] req = concat(header(3, SMALL, (byte) 0), new byte[] {1, 2, 3});
    s.decoder.feed(Buffer.buffer(req));
    s.decoder.pause();
    s.decoder.expectFixed(3);
    assertTrue(s.fixedParts.isEmpty());
    s.decoder.resume();
    assertArrayEquals(new byte[] {1, 2, 3}, s.fixedParts.get(0).getBytes());
  }

  @Test
  void expectFixedCalledLaterDeliversBytesAlreadyBuffered() {
    Script s = script();
    s.deferHeader = true;
    s.decoder.feed(Buffer.buffer(concat(header(3, SMALL, (byte) 0), new byte[] {1, 2, 3})));
    s.decoder.expectFixed(3); // e.g. after an asynchronous check, without pausing
    assertEquals(
        1, s.fixedParts.size(), "no further network read may be needed to deliver queued bytes");
  }

  @Test
  void streamBodyCalledLaterDeliversBytesAlreadyBuffered() {
    Script s = script();
    s.deferHeader = true;
    s.decoder.feed(Buffer.buffer(concat(header(4, UPLOAD, (byte) 0), new byte[] {1, 2, 3, 4})));
    s.bodies.add(new ByteArrayOutputStream());
    s.decoder.streamBody(4);
    assertArrayEquals(new byte[] {1, 2, 3, 4}, s.bodies.get(0).toByteArray());
    assertEquals(List.of("header 11 4", "end 4"), s.events);
  }

  @Test
  void discardCalledLaterSkipsBytesAlreadyBuffered() {
    Script s = script();
    s.deferHeader = true;
    s.decoder.feed(Buffer.buffer(concat(header(4, UNKNOWN, (byte) 0), new byte[] {1, 2, 3, 4})));
    s.decoder.discard(4);
    assertEquals(List.of("header 99 4", "discarded"), s.events);
    assertEquals(0, s.decoder.buffered());
  }

  // ---- close ---------------------------------------------------------------------------------

  @Test
  void closeDropsQueuedBytesAndIgnoresLaterFeeds() {
    Script s = script();
    byte[] a = concat(header(1, SMALL, (byte) 0), new byte[] {1});
    s.decoder.feed(Buffer.buffer(concat(a, a)));
    s.decoder.close();
    assertEquals(FrameDecoder.State.CLOSED, s.decoder.state());
    assertEquals(0, s.decoder.buffered());
    s.decoder.feed(Buffer.buffer(a));
    assertEquals(0, s.decoder.buffered());
    assertEquals(1, s.headers.size());
  }

  @Test
  void closeInsideACallbackStopsDeliveryOfTheRestOfTheBuffer() {
    List<String> events = new ArrayList<>();
    FrameDecoder[] d = new FrameDecoder[1];
    d[0] =
        new FrameDecoder(
            new FrameDecoder.Listener() {
              @Override
              public void onHeader(PacketHeader h) {
                events.add("header");
                d[0].close();
              }

              @Override
              public void onFixed(Buffer part) {
                events.add("fixed");
              }

              @Override
              public void onBodyChunk(Buffer chunk) {
                events.add("chunk");
              }

              @Override
              public void onBodyEnd() {
                events.add("end");
              }
            });
    d[0].feed(
        Buffer.buffer(
            concat(header(1, SMALL, (byte) 0), new byte[] {1}, header(0, SMALL, (byte) 0))));
    assertEquals(List.of("header"), events);
    assertEquals(FrameDecoder.State.CLOSED, d[0].state());
  }

  @Test
  void closedDecoderStaysClosedWhenNextRequestArrivesLate() {
    Script s = script();
    byte[] a = concat(header(1, SMALL, (byte) 0), new byte[] {1});
    s.decoder.feed(Buffer.buffer(a));
    s.decoder.close();
    s.decoder.nextRequest(); // e.g. a reply's write completing after the connection closed
    s.decoder.feed(Buffer.buffer(a));
    assertEquals(FrameDecoder.State.CLOSED, s.decoder.state());
    assertEquals(1, s.headers.size());
  }
}
