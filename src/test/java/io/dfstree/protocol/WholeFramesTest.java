package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tracker's framing: whole requests cut from any slicing of the stream, bad lengths refused.
 */
class WholeFramesTest {
  private final List<String> seen = new ArrayList<>();
  private final WholeFrames framer =
      new WholeFrames(
          64,
          new WholeFrames.Listener() {
            @Override
            public void onFrame(PacketHeader h, Buffer body) {
              seen.add(h.commandCode() + ":" + body.toString());
              framer().next(); // answered at once
            }

            @Override
            public void onBadLength(PacketHeader h) {
              seen.add("bad " + h.commandCode() + " " + h.bodyLength());
            }
          });

  private WholeFrames framer() {
    return framer;
  }

  private static Buffer stream() {
    return PacketHeader.request((byte) 104, Buffer.buffer("group1"))
        .appendBuffer(PacketHeader.request((byte) 111, Buffer.buffer()))
        .appendBuffer(PacketHeader.request((byte) 92, Buffer.buffer("abc")));
  }

  @ParameterizedTest(name = "batches of {0} bytes")
  @ValueSource(ints = {1, 3, 5, 7, 11, 1000})
  void oddBatchSizesYieldTheSameRequests(int batch) {
    Buffer all = stream();
    for (int i = 0; i < all.length(); i += batch) {
      framer.feed(all.getBuffer(i, Math.min(all.length(), i + batch)));
    }
    assertEquals(List.of("104:group1", "111:", "92:abc"), seen);
    assertFalse(framer.readingBody());
  }

  @Test
  void partialBodyWaitsInBodyState() {
    framer.feed(PacketHeader.request((byte) 104, Buffer.buffer("group1")).getBuffer(0, 12));
    assertTrue(framer.readingBody());
    assertEquals(104, framer.header().commandCode());
    assertTrue(seen.isEmpty());
  }

  @Test
  void theNextRequestWaitsForTheAnswer() {
    List<String> held = new ArrayList<>();
    WholeFrames slow =
        new WholeFrames(
            64,
            new WholeFrames.Listener() {
              public void onFrame(PacketHeader h, Buffer body) {
                held.add(String.valueOf(h.commandCode()));
              }

              public void onBadLength(PacketHeader h) {
                held.add("bad");
              }
            });
    slow.feed(stream());
    assertEquals(List.of("104"), held);
    slow.next();
    slow.next();
    assertEquals(List.of("104", "111", "92"), held);
  }

  @Test
  void oversizedOrNegativeLengthStopsTheStream() {
    framer.feed(Buffer.buffer().appendLong(65).appendByte((byte) 92).appendByte((byte) 0));
    framer.feed(PacketHeader.request((byte) 111, Buffer.buffer()));
    assertEquals(List.of("bad 92 65"), seen);
    WholeFrames neg =
        new WholeFrames(
            64,
            new WholeFrames.Listener() {
              public void onFrame(PacketHeader h, Buffer b) {
                seen.add("req");
              }

              public void onBadLength(PacketHeader h) {
                seen.add("neg " + h.bodyLength());
              }
            });
    neg.feed(Buffer.buffer().appendLong(-1).appendByte((byte) 1).appendByte((byte) 0));
    assertEquals("neg -1", seen.get(1));
  }
}
