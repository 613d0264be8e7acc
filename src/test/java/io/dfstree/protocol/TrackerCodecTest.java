package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.TrackerReply.Address;
import io.dfstree.protocol.TrackerReply.FetchTarget;
import io.dfstree.protocol.TrackerReply.FetchTargets;
import io.dfstree.protocol.TrackerReply.GroupStats;
import io.dfstree.protocol.TrackerReply.Leader;
import io.dfstree.protocol.TrackerReply.Parameters;
import io.dfstree.protocol.TrackerReply.StorageId;
import io.dfstree.protocol.TrackerReply.StorageIds;
import io.dfstree.protocol.TrackerReply.StorageStats;
import io.dfstree.protocol.TrackerReply.StoreTarget;
import io.dfstree.protocol.TrackerReply.StoreTargets;
import io.dfstree.protocol.TrackerRequest.*;
import io.vertx.core.buffer.Buffer;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The tracker messages through {@link TrackerCodec}, read back the way the tracker reads them (a
 * {@link FrameDecoder} through {@link WholeFrames}), as Netty tests its codecs: every request and
 * reply round-trips, in any split of the bytes, two in one buffer, and every malformed length is
 * refused with EINVAL.
 */
class TrackerCodecTest {
  static final String NAME = "M00/00/2A/wKgBZmZ0aW5kAAAAAAAAAExGZmU123.txt";

  static List<TrackerRequest> requests() {
    return List.of(
        new QueryStore(null, false),
        new QueryStore(null, true),
        new QueryStore("group1", false),
        new QueryStore("group1", true),
        new QueryFetch("group1", NAME, false),
        new QueryFetch("g2", NAME, true),
        new QueryUpdate("group1", NAME),
        new ListGroups(),
        new ListOneGroup("group1"),
        new ListStorages("group1", ""),
        new ListStorages("group1", "100001"),
        new DeleteStorage("group1", "127.0.0.1"),
        new GetLeader(),
        new FetchStorageIds(0, null),
        new FetchStorageIds(3, true),
        new FetchStorageIds(0, false),
        new GetParameters(),
        new ActiveTest(),
        new Quit());
  }

  static GroupStat group(String name, boolean legacy) {
    return legacy
        ? new GroupStat(name, 100, 50, -1, 0, 2, 23000, 8888, 2, -1, -1, 1, 2, 256, 0, true)
        : new GroupStat(name, 100, 50, 7, 0, 2, 23000, -1, -1, 2, 1, 1, 2, 256, -1, false);
  }

  static StorageStat storage(String id, boolean legacy) {
    long[] counters = new long[StorageStat.COUNTERS];
    Arrays.setAll(counters, i -> 1000 + i);
    return new StorageStat(
        7,
        legacy ? -1 : 6,
        id,
        "127.0.0.1",
        legacy ? "store.example" : "",
        "100002",
        legacy ? "6.0.7" : "6.13.1",
        1_700_000_000L,
        1_700_000_100L,
        204800,
        102400,
        legacy ? -1 : 2048,
        7,
        2,
        256,
        1,
        23000,
        legacy ? 8888 : -1,
        5,
        6,
        9,
        counters,
        1_700_000_200L,
        1_700_000_300L,
        1234,
        5000,
        false,
        legacy);
  }

  /** A reply and the request command it answers. */
  record ReplySample(byte command, TrackerReply reply) {}

  static List<ReplySample> replies() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("use_storage_id", "true");
    params.put("storage_sync_file_max_delay", "86400");
    return List.of(
        new ReplySample(
            Command.QUERY_STORE_WITH_GROUP_ONE, new StoreTarget("group1", "192.168.1.5", 23000, 3)),
        new ReplySample(
            Command.QUERY_STORE_WITHOUT_GROUP_ONE,
            new StoreTarget("group1", "127.0.0.1", 23000, 255)),
        new ReplySample(
            Command.QUERY_STORE_WITH_GROUP_ALL,
            new StoreTargets(
                "group1",
                List.of(new Address("127.0.0.1", 23000), new Address("127.0.0.2", 23001)),
                1)),
        new ReplySample(Command.QUERY_FETCH_ONE, new FetchTarget("group1", "10.0.0.7", 23000)),
        new ReplySample(Command.QUERY_UPDATE, new FetchTarget("group1", "10.0.0.7", 23000)),
        new ReplySample(
            Command.QUERY_FETCH_ALL,
            new FetchTargets("group1", 23000, List.of("127.0.0.1", "127.0.0.2"))),
        new ReplySample(
            Command.QUERY_FETCH_ALL, new FetchTargets("group1", 23000, List.of("127.0.0.1"))),
        new ReplySample(
            Command.LIST_ALL_GROUPS,
            new GroupStats(List.of(group("group1", false), group("group2", false)))),
        new ReplySample(Command.LIST_ALL_GROUPS, new GroupStats(List.of(group("group1", true)))),
        new ReplySample(Command.LIST_ALL_GROUPS, new GroupStats(List.of())),
        new ReplySample(Command.LIST_ONE_GROUP, new GroupStats(List.of(group("group1", false)))),
        new ReplySample(
            Command.LIST_STORAGE,
            new StorageStats(List.of(storage("100001", false), storage("100002", false)))),
        new ReplySample(Command.LIST_STORAGE, new StorageStats(List.of(storage("100001", true)))),
        new ReplySample(
            Command.FETCH_STORAGE_IDS,
            new StorageIds(2, List.of(new StorageId("100002", "group1", "127.0.0.2", 23000)))),
        new ReplySample(Command.FETCH_STORAGE_IDS, new StorageIds(0, List.of())),
        new ReplySample(Command.PARAMETER_REQ, new Parameters(params)),
        new ReplySample(Command.GET_LEADER, new Leader("127.0.0.1", 22122)),
        new ReplySample(Command.GET_LEADER, new Leader("::1", 22122)),
        new ReplySample(Command.ACTIVE_TEST, new TrackerReply.Empty()),
        new ReplySample(Command.DELETE_STORAGE, new TrackerReply.Empty()));
  }

  /** Reads frames as the tracker does and decodes them with {@code decode}. */
  static final class Reader implements WholeFrames.Listener {
    final WholeFrames frames = new WholeFrames(64 * 1024, this);
    final List<PacketHeader> headers = new ArrayList<>();
    final List<Buffer> bodies = new ArrayList<>();

    @Override
    public void onFrame(PacketHeader header, Buffer body) {
      headers.add(header);
      bodies.add(body);
      frames.next();
    }

    @Override
    public void onBadLength(PacketHeader header) {
      fail("bad length " + header);
    }

    TrackerRequest request(int i) {
      return TrackerCodec.decode(headers.get(i), bodies.get(i));
    }
  }

  /** Records compare their arrays (a storage record's counters) by content here. */
  static Object comparable(Object o) {
    if (o instanceof long[] a) {
      return Arrays.stream(a).boxed().toList();
    }
    if (o instanceof List<?> l) {
      return l.stream().map(TrackerCodecTest::comparable).toList();
    }
    if (o instanceof Record r) {
      List<Object> parts = new ArrayList<>(List.of(r.getClass().getSimpleName()));
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        try {
          parts.add(comparable(c.getAccessor().invoke(r)));
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
      return parts;
    }
    return o;
  }

  static void assertSameMessage(Object expected, Object actual, String what) {
    assertEquals(comparable(expected), comparable(actual), what);
  }

  @Test
  void everyRequestRoundTrips() {
    for (TrackerRequest r : requests()) {
      Buffer wire = TrackerCodec.encode(r);
      PacketHeader h = PacketHeader.decode(wire);
      assertEquals(r.command(), h.command(), r.toString());
      assertEquals(0, h.status(), r.toString());
      assertEquals(wire.length() - PacketHeader.SIZE, h.bodyLength(), r.toString());
      assertEquals(r, TrackerCodec.decode(h, wire.getBuffer(PacketHeader.SIZE, wire.length())));
    }
  }

  @Test
  void everyReplyRoundTrips() {
    for (ReplySample s : replies()) {
      Buffer packet = TrackerCodec.encodeReply(s.reply());
      PacketHeader h = PacketHeader.decode(packet);
      assertEquals(Command.RESP, h.command());
      assertEquals(packet.length() - PacketHeader.SIZE, h.bodyLength());
      assertSameMessage(
          s.reply(),
          TrackerCodec.decodeReply(s.command(), TrackerCodec.replyBody(s.reply())),
          s.toString());
    }
  }

  @Test
  void answersHaveTheSizesClientsCheckExactly() {
    assertEquals(
        40, TrackerCodec.replyBody(new StoreTarget("group1", "127.0.0.1", 23000, 0)).length());
    assertEquals(
        39, TrackerCodec.replyBody(new FetchTarget("group1", "127.0.0.1", 23000)).length());
    assertEquals(17 + 2 * 23, TrackerCodec.replyBody(replies().get(2).reply()).length());
    assertEquals(39 + 15, TrackerCodec.replyBody(replies().get(5).reply()).length());
    assertEquals(
        2 * GroupStat.MODERN_SIZE, TrackerCodec.replyBody(replies().get(7).reply()).length());
    assertEquals(GroupStat.LEGACY_SIZE, TrackerCodec.replyBody(replies().get(8).reply()).length());
    assertEquals(
        2 * StorageStat.MODERN_SIZE, TrackerCodec.replyBody(replies().get(11).reply()).length());
    assertEquals(
        StorageStat.LEGACY_SIZE, TrackerCodec.replyBody(replies().get(12).reply()).length());
    assertEquals("[::1]:22122", TrackerCodec.replyBody(new Leader("::1", 22122)).toString());
    assertEquals(
        "100002 group1 127.0.0.2:23000\n",
        TrackerCodec.replyBody(replies().get(13).reply())
            .getString(8, TrackerCodec.replyBody(replies().get(13).reply()).length()));
  }

  @Test
  void everyRequestSurvivesAnySplitOfItsBytes() {
    Buffer all = Buffer.buffer();
    requests().forEach(r -> all.appendBuffer(TrackerCodec.encode(r)));
    for (int chunk : new int[] {1, 2, 3, 7, 10, 11, 64}) {
      Reader r = new Reader();
      for (int at = 0; at < all.length(); at += chunk) {
        r.frames.feed(all.getBuffer(at, Math.min(all.length(), at + chunk)));
      }
      assertEquals(requests().size(), r.headers.size(), "split in " + chunk + "-byte reads");
      for (int i = 0; i < requests().size(); i++) {
        assertEquals(requests().get(i), r.request(i));
      }
    }
  }

  @Test
  void everyReplySurvivesAnySplitOfItsBytes() {
    Buffer all = Buffer.buffer();
    replies().forEach(s -> all.appendBuffer(TrackerCodec.encodeReply(s.reply())));
    for (int chunk : new int[] {1, 3, 10, 11, 113}) {
      Reader r = new Reader();
      for (int at = 0; at < all.length(); at += chunk) {
        r.frames.feed(all.getBuffer(at, Math.min(all.length(), at + chunk)));
      }
      assertEquals(replies().size(), r.bodies.size());
      for (int i = 0; i < replies().size(); i++) {
        ReplySample s = replies().get(i);
        assertSameMessage(
            s.reply(),
            TrackerCodec.decodeReply(s.command(), r.bodies.get(i)),
            "split " + chunk + ": " + s);
      }
    }
  }

  @Test
  void twoRequestsInOneBufferAreBothRead() {
    TrackerRequest a = new QueryStore("group1", false);
    TrackerRequest b = new QueryFetch("group1", NAME, false);
    Reader r = new Reader();
    r.frames.feed(TrackerCodec.encode(a).appendBuffer(TrackerCodec.encode(b)));
    assertEquals(2, r.headers.size());
    assertEquals(a, r.request(0));
    assertEquals(b, r.request(1));
  }

  /** A request body of {@code n} bytes: "group1" NUL padded, then text (or zeros for fetch-ids). */
  static Buffer body(byte command, int n) {
    Buffer b = Buffer.buffer();
    if (command == Command.FETCH_STORAGE_IDS) {
      return b.appendBytes(new byte[n]);
    }
    Wire.appendFixed(b, "group1", Math.min(n, 16));
    while (b.length() < n) {
      b.appendByte((byte) 'x');
    }
    return b;
  }

  /** Every body length a command accepts, and every other one refused with EINVAL. */
  @Test
  void everyMalformedRequestLengthIsEinval() {
    Map<Byte, IntPredicate> valid = new LinkedHashMap<>();
    IntPredicate empty = n -> n == 0;
    IntPredicate groupOnly = n -> n == 16;
    IntPredicate fileQuery = n -> n >= 16 + 22 && n <= 16 + 127;
    valid.put(Command.ACTIVE_TEST, empty);
    valid.put(Command.QUERY_STORE_WITHOUT_GROUP_ONE, empty);
    valid.put(Command.QUERY_STORE_WITHOUT_GROUP_ALL, empty);
    valid.put(Command.QUERY_STORE_WITH_GROUP_ONE, groupOnly);
    valid.put(Command.QUERY_STORE_WITH_GROUP_ALL, groupOnly);
    valid.put(Command.QUERY_FETCH_ONE, fileQuery);
    valid.put(Command.QUERY_FETCH_ALL, fileQuery);
    valid.put(Command.QUERY_UPDATE, fileQuery);
    valid.put(Command.LIST_ALL_GROUPS, empty);
    valid.put(Command.LIST_ONE_GROUP, groupOnly);
    valid.put(Command.LIST_STORAGE, n -> n >= 16 && n <= 31);
    valid.put(Command.DELETE_STORAGE, n -> n >= 17 && n <= 31);
    valid.put(Command.GET_LEADER, empty);
    valid.put(Command.PARAMETER_REQ, empty);
    valid.put(Command.FETCH_STORAGE_IDS, n -> n == 4 || n == 5);
    valid.put(Command.QUIT, n -> true);
    valid.forEach(
        (command, ok) -> {
          for (int n = 0; n <= 160; n++) {
            Buffer b = body(command, n);
            PacketHeader h = new PacketHeader(n, command, (byte) 0);
            if (ok.test(n)) {
              assertEquals(
                  command,
                  TrackerCodec.decode(h, b).command(),
                  "command " + command + " with " + n + " bytes");
            } else {
              int len = n;
              assertEinval(
                  () -> TrackerCodec.decode(h, b),
                  "command " + command + " with " + len + " bytes");
            }
          }
        });
  }

  @Test
  void dirtyGroupFieldsNegativeStartAndMissingIdsAreEinval() {
    Buffer dirty = Buffer.buffer().appendBytes(new byte[] {'g', 0, 'x'}).appendBytes(new byte[13]);
    assertEinval(
        () ->
            TrackerCodec.decode(
                new PacketHeader(16, Command.QUERY_STORE_WITH_GROUP_ONE, (byte) 0), dirty),
        "dirty group");
    Buffer negative = Buffer.buffer().appendInt(-1).appendByte((byte) 1);
    assertEinval(
        () ->
            TrackerCodec.decode(new PacketHeader(5, Command.FETCH_STORAGE_IDS, (byte) 0), negative),
        "negative start");
    Buffer noId = Wire.appendFixed(Buffer.buffer(), "group1", 16).appendBytes(new byte[4]);
    assertEinval(
        () -> TrackerCodec.decode(new PacketHeader(20, Command.DELETE_STORAGE, (byte) 0), noId),
        "no storage id");
    assertEinval(
        () -> TrackerCodec.decode(new PacketHeader(0, (byte) 99, (byte) 0), Buffer.buffer()),
        "unknown command");
    // an all-NUL group decodes to "" (the tracker's group-name rule refuses it)
    assertEquals(
        new QueryStore("", false),
        TrackerCodec.decode(
            new PacketHeader(16, Command.QUERY_STORE_WITH_GROUP_ONE, (byte) 0),
            Buffer.buffer(new byte[16])));
    assertThrows(
        IllegalArgumentException.class,
        () -> TrackerCodec.encode(new ListStorages("g", "0123456789abcdef")));
  }

  @Test
  void everyMalformedReplyLengthIsEinval() {
    for (int n = 0; n <= 1300; n++) {
      Buffer b = Buffer.buffer(new byte[n]);
      int len = n;
      if (n != 40 && n != 70) {
        assertEinval(() -> TrackerCodec.decodeStoreTarget(b), "store target of " + len);
      }
      if (n != 39 && n != 69) {
        assertEinval(() -> TrackerCodec.decodeFetchTarget(b), "fetch target of " + len);
      }
      if (n < 40 || (n - 17) % 23 != 0) {
        assertEinval(() -> TrackerCodec.decodeStoreTargets(b), "store targets of " + len);
      }
      if (n < 39 || (n - 39) % 15 != 0) {
        assertEinval(() -> TrackerCodec.decodeFetchTargets(b), "fetch targets of " + len);
      }
      if (n % 113 != 0 && n % 105 != 0) {
        assertEinval(() -> TrackerCodec.decodeGroupStats(b), "group stats of " + len);
      }
      if (n % 487 != 0 && n % 517 != 0 && n % 612 != 0) {
        assertEinval(() -> TrackerCodec.decodeStorageStats(b), "storage stats of " + len);
      }
      if (n < 8) {
        assertEinval(() -> TrackerCodec.decodeStorageIds(b), "storage ids of " + len);
      }
      if (n > 0) {
        assertEinval(
            () -> TrackerCodec.decodeReply(Command.ACTIVE_TEST, b), "active test answer of " + len);
      }
    }
    // storage ids whose count does not match their lines; a leader without a port
    Buffer ids =
        Buffer.buffer().appendInt(2).appendInt(2).appendString("100001 group1 127.0.0.1:23000\n");
    assertEinval(() -> TrackerCodec.decodeStorageIds(ids), "count 2, one line");
    assertEinval(
        () -> TrackerCodec.decodeLeader(Buffer.buffer("127.0.0.1")), "leader without port");
    assertEinval(
        () -> TrackerCodec.decodeParameters(Buffer.buffer("no equals sign\n")), "parameter line");
  }

  private static void assertEinval(org.junit.jupiter.api.function.Executable e, String what) {
    FdfsException x = assertThrows(FdfsException.class, e, what);
    assertEquals(Errno.EINVAL, x.errno(), what);
  }
}
