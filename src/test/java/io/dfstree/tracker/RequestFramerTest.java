package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.PacketHeader;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestFramerTest {
  private final List<String> seen = new ArrayList<>();
  private final RequestFramer framer = new RequestFramer(64, new RequestFramer.Listener() {
    @Override
    public void onRequest(int command, Buffer body) {
      seen.add(command + ":" + body.toString());
    }

    @Override
    public void onBadLength(int command, long declaredLength) {
      seen.add("bad " + command + " " + declaredLength);
    }
  });

  private static Buffer stream() {
    return PacketHeader.request((byte) 104, Buffer.buffer("group1")).appendBuffer(
        PacketHeader.request((byte) 111, Buffer.buffer())).appendBuffer(
        PacketHeader.request((byte) 92, Buffer.buffer("abc")));
  }

  @ParameterizedTest(name = "batches of {0} bytes")
  @ValueSource(ints = {1, 3, 5, 7, 11, 1000})
  void oddBatchSizesYieldTheSameRequests(int batch) {
    Buffer all = stream();
    for (int i = 0; i < all.length(); i += batch) {
      framer.feed(all.getBuffer(i, Math.min(all.length(), i + batch)));
    }
    assertEquals(List.of("104:group1", "111:", "92:abc"), seen);
    assertEquals(RequestFramer.State.HEADER, framer.state());
  }

  @Test
  void partialBodyWaitsInBodyState() {
    framer.feed(PacketHeader.request((byte) 104, Buffer.buffer("group1")).getBuffer(0, 12));
    assertEquals(RequestFramer.State.BODY, framer.state());
    assertEquals(104, framer.command());
    assertTrue(seen.isEmpty());
  }

  @Test
  void oversizedOrNegativeLengthStopsTheStream() {
    framer.feed(Buffer.buffer().appendLong(65).appendByte((byte) 92).appendByte((byte) 0));
    framer.feed(PacketHeader.request((byte) 111, Buffer.buffer()));
    assertEquals(List.of("bad 92 65"), seen);
    RequestFramer neg = new RequestFramer(64, new RequestFramer.Listener() {
      public void onRequest(int c, Buffer b) {
        seen.add("req");
      }

      public void onBadLength(int c, long l) {
        seen.add("neg " + l);
      }
    });
    neg.feed(Buffer.buffer().appendLong(-1).appendByte((byte) 1).appendByte((byte) 0));
    assertEquals("neg -1", seen.get(1));
  }
}
