package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.StorageStatus;
import io.dfstree.protocol.Wire;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrackerCommandsTest {
  private final GroupMap map = new GroupMap(6000);
  private final List<StateChange> changes = new ArrayList<>();
  private final TrackerCommands commands =
      new TrackerCommands(map, Beats.options(0, 0, 0, 0), changes::add);

  TrackerCommandsTest() {
    map.apply(Beats.active(100001, "group1"), 0);
  }

  static Buffer group(String name) {
    return Wire.appendFixed(Buffer.buffer(), name, 16);
  }

  private Reply run(int cmd, Buffer body) {
    return commands.execute(cmd, body, 1_800_000_000_000L);
  }

  @ParameterizedTest(name = "command {0} with {1} body bytes -> EINVAL")
  @CsvSource({
    "101,1", "106,3", "104,15", "104,17", "107,0", "102,16", "102,37", "103,144", "105,20", "90,0",
    "90,17", "91,1", "92,15", "92,32", "93,16", "93,32", "95,2", "69,3", "69,6", "75,1", "111,1"
  })
  void wrongBodyLengthIsEinvalWithEmptyBody(int cmd, int length) {
    Buffer body = Buffer.buffer(new byte[length]);
    if (length >= 16) {
      body.setBytes(0, "group1".getBytes());
    }
    Reply r = run(cmd, body);
    assertEquals(Errno.EINVAL, r.status());
    assertEquals(10, r.bytes().length(), "never a body with an error status");
    assertEquals(0, r.bytes().getLong(0));
    assertEquals(100, r.bytes().getByte(8));
    assertFalse(r.close());
  }

  @Test
  void badGroupNamesAreEinval() {
    assertEquals(Errno.EINVAL, run(104, group("gr-p1")).status());
    assertEquals(Errno.EINVAL, run(104, group("")).status());
    Buffer holey = group("group1");
    holey.setByte(8, (byte) 'x');
    assertEquals(Errno.EINVAL, run(104, holey).status(), "NUL in the middle");
    assertEquals(Errno.ENOENT, run(104, group("group9")).status());
  }

  @Test
  void unknownCommandIsEinvalAndKeepsTheConnection() {
    Reply r = run(42, Buffer.buffer());
    assertEquals(Errno.EINVAL, r.status());
    assertFalse(r.close());
  }

  @Test
  void quitClosesWithoutReply() {
    Reply r = run(82, Buffer.buffer());
    assertNull(r.bytes());
    assertTrue(r.close());
  }

  @Test
  void successfulQueriesHaveHeaderAndBodyInOneBuffer() {
    Reply r = run(101, Buffer.buffer());
    assertEquals(0, r.status());
    assertEquals(40, r.bytes().getLong(0));
    assertEquals(50, r.bytes().length());
    assertEquals("group1", Wire.readFixed(r.bytes(), 10, 16));
    String name = RoutingTest.file(100001, 1_700_000_000L);
    Reply fetch = run(102, group("group1").appendString(name));
    assertEquals(49, fetch.bytes().length());
    assertEquals(Errno.ENOENT, run(102, group("group2").appendString(name)).status());
  }

  @Test
  void listStoragesFiltersByIdOrHost() {
    map.apply(Beats.active(100002, "group1"), 0);
    assertEquals(10 + 2 * 612, run(92, group("group1")).bytes().length());
    Reply byId = run(92, group("group1").appendString("100002"));
    assertEquals(10 + 612, byId.bytes().length());
    assertEquals("100002", Wire.readFixed(byId.bytes(), 11, 16));
    Reply byHost = run(92, group("group1").appendString("127.0.0.1"));
    assertEquals("100001", Wire.readFixed(byHost.bytes(), 11, 16));
    assertEquals(Errno.ENOENT, run(92, group("group1").appendString("1.2.3.4")).status());
    assertEquals(Errno.ENOENT, run(92, group("nogroup")).status());
  }

  @Test
  void listGroupsMayBeEmpty() {
    TrackerCommands empty =
        new TrackerCommands(new GroupMap(1), Beats.options(0, 0, 0, 0), c -> {});
    Reply r = empty.execute(91, Buffer.buffer(), 0);
    assertEquals(0, r.status());
    assertEquals(10, r.bytes().length());
    assertEquals(10 + 105, run(91, Buffer.buffer()).bytes().length());
    assertEquals(10 + 105, run(90, group("group1")).bytes().length());
  }

  @Test
  void deleteStorageReportsTheChange() {
    assertEquals(Errno.EBUSY, run(93, group("group1").appendString("100001")).status());
    map.leave(100001);
    assertEquals(0, run(93, group("group1").appendString("100001")).status());
    assertEquals(StorageStatus.DELETED, changes.get(0).to());
    assertEquals(Errno.EALREADY, run(93, group("group1").appendString("100001")).status());
    assertEquals(Errno.ENOENT, run(93, group("group1").appendString("9")).status());
  }

  @Test
  void fetchStorageIdsAcceptsFourOrFiveBytes() {
    Reply four = run(69, Buffer.buffer().appendInt(0));
    assertEquals(1, four.bytes().getInt(10));
    Reply five = run(69, Buffer.buffer().appendInt(0).appendByte((byte) 1));
    assertEquals(
        "100001 group1 127.0.0.1:23000\n", five.bytes().getString(18, five.bytes().length()));
    assertEquals(Errno.EINVAL, run(69, Buffer.buffer().appendInt(-1)).status());
  }

  @Test
  void leaderIsThisTracker() {
    assertEquals("127.0.0.1:22122", run(95, Buffer.buffer()).bytes().getString(10, 25));
  }
}
