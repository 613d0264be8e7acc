package io.dfstree.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.StorageRequest.*;
import io.dfstree.protocol.TrackerCodec;
import io.dfstree.protocol.TrackerRequest;
import io.dfstree.protocol.Wire;
import io.vertx.core.buffer.Buffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every request layout the blocking client sends, byte for byte (fastdfs-protocol.md §2, §3,
 * Appendix A): storage requests through {@link StorageCodec} as {@link StorageSession} sends them,
 * tracker requests through {@link TrackerCodec} as {@link TrackerSession} sends them.
 */
class ClientRequestBytesTest {
  static final String NAME = "M00/00/00/wKgBaF1234AbCdEfGhIjKlMnOpQ419.jpg";
  static final String APPENDER = "M00/00/00/rBAE_V6FvsGEAAAAAAAAAAcicv9J8809.log";

  private static byte[] storage(StorageRequest r) {
    return StorageCodec.encode(r).getBytes();
  }

  private static byte[] tracker(TrackerRequest r) {
    return TrackerCodec.encode(r).getBytes();
  }

  @Test
  void queryStoreWithoutGroupIsCommand101WithEmptyBody() {
    assertArrayEquals(
        Bytes.of().header(0, 101, 0).bytes(), tracker(TrackerSession.queryStoreRequest(null)));
    assertArrayEquals(
        Bytes.of().header(0, 101, 0).bytes(), tracker(TrackerSession.queryStoreRequest("")));
  }

  @Test
  void queryStoreWithGroupIsCommand104WithSixteenByteGroup() {
    assertArrayEquals(
        Bytes.of().header(16, 104, 0).fixed("group1", 16).bytes(),
        tracker(TrackerSession.queryStoreRequest("group1")));
  }

  @Test
  void fetchAndUpdateQueriesCarryGroupThenName() {
    byte[] body = Bytes.of().fixed("group1", 16).text(NAME).bytes();
    assertArrayEquals(
        Bytes.of().header(60, 102, 0).raw(body).bytes(),
        tracker(new TrackerRequest.QueryFetch("group1", NAME, false)));
    assertArrayEquals(
        Bytes.of().header(60, 103, 0).raw(body).bytes(),
        tracker(new TrackerRequest.QueryUpdate("group1", NAME)));
  }

  @Test
  void listCommands() {
    assertArrayEquals(
        Bytes.of().header(0, 91, 0).bytes(), tracker(new TrackerRequest.ListGroups()));
    assertArrayEquals(
        Bytes.of().header(16, 92, 0).fixed("g", 16).bytes(),
        tracker(new TrackerRequest.ListStorages("g", null)));
    assertArrayEquals(
        Bytes.of().header(25, 92, 0).fixed("g", 16).text("127.0.0.1").bytes(),
        tracker(new TrackerRequest.ListStorages("g", "127.0.0.1")));
    assertThrows(
        IllegalArgumentException.class,
        () -> tracker(new TrackerRequest.ListStorages("g", "0123456789abcdef")));
  }

  @Test
  void activeTestAndQuitHaveEmptyBodies() {
    assertArrayEquals(Bytes.of().header(0, 111, 0).bytes(), storage(new ActiveTest()));
    assertArrayEquals(Bytes.of().header(0, 82, 0).bytes(), storage(new Quit()));
  }

  @Test
  void uploadPrefixDeclaresContentInLengthButDoesNotCarryIt() {
    byte[] expected = Bytes.of().header(15 + 1000, 11, 0).u8(2).i64(1000).fixed("jpg", 6).bytes();
    assertArrayEquals(expected, storage(new Upload(false, 2, 1000, "jpg")));
  }

  @Test
  void appenderUploadIsCommand23AndAnyPathIsFF() {
    byte[] expected = Bytes.of().header(15 + 5, 23, 0).u8(0xFF).i64(5).fixed("", 6).bytes();
    assertArrayEquals(expected, storage(new Upload(true, StorageAddress.ANY_PATH, 5, "")));
  }

  @Test
  void slaveUploadPrefix() {
    byte[] expected =
        Bytes.of()
            .header(8 + 8 + 16 + 6 + 44 + 7, 21, 0)
            .i64(44)
            .i64(7)
            .fixed("_big", 16)
            .fixed("png", 6)
            .text(NAME)
            .bytes();
    assertArrayEquals(expected, storage(new UploadSlave(NAME, "_big", "png", 7)));
  }

  @Test
  void downloadCarriesOffsetLengthGroupName() {
    byte[] expected =
        Bytes.of()
            .header(16 + 16 + 44, 14, 0)
            .i64(100)
            .i64(0)
            .fixed("group1", 16)
            .text(NAME)
            .bytes();
    assertArrayEquals(expected, storage(new Download(100, 0, "group1", NAME, false)));
  }

  @Test
  void deleteAndGetMetadata() {
    byte[] body = Bytes.of().fixed("group1", 16).text(NAME).bytes();
    assertArrayEquals(
        Bytes.of().header(60, 12, 0).raw(body).bytes(), storage(new Delete("group1", NAME)));
    assertArrayEquals(
        Bytes.of().header(60, 15, 0).raw(body).bytes(), storage(new GetMetadata("group1", NAME)));
  }

  @Test
  void setMetadataOverwriteAndMerge() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("w", "10");
    meta.put("h", "20");
    byte[] encoded = StorageSession.encodeMetadata(meta);
    assertArrayEquals(new byte[] {'w', 2, '1', '0', 1, 'h', 2, '2', '0'}, encoded);
    byte[] overwrite =
        Bytes.of()
            .header(8 + 8 + 1 + 16 + 44 + 9, 13, 0)
            .i64(44)
            .i64(9)
            .u8('O')
            .fixed("group1", 16)
            .text(NAME)
            .raw(encoded)
            .bytes();
    assertArrayEquals(overwrite, storage(new SetMetadata("group1", NAME, false, encoded)));
    byte[] merge = storage(new SetMetadata("group1", NAME, true, encoded));
    assertEquals('M', merge[10 + 16]);
  }

  @Test
  void queryFileInfoPutsFlagsInTheHeaderStatus() {
    byte[] expected = Bytes.of().header(60, 22, 1).fixed("group1", 16).text(NAME).bytes();
    assertArrayEquals(expected, storage(new QueryFileInfo("group1", NAME, true)));
  }

  @Test
  void appenderCommands() {
    int n = APPENDER.length();
    assertArrayEquals(
        Bytes.of().header(16 + n + 3, 24, 0).i64(n).i64(3).text(APPENDER).bytes(),
        storage(new WriteAppender(APPENDER, false, -1, 3)));
    assertArrayEquals(
        Bytes.of().header(24 + n + 4, 34, 0).i64(n).i64(10).i64(4).text(APPENDER).bytes(),
        storage(new WriteAppender(APPENDER, true, 10, 4)));
    assertArrayEquals(
        Bytes.of().header(16 + n, 36, 0).i64(n).i64(0).text(APPENDER).bytes(),
        storage(new Truncate(APPENDER, 0)));
    assertArrayEquals(
        Bytes.of().header(n, 38, 0).text(APPENDER).bytes(),
        storage(new RegenerateAppenderName(APPENDER)));
  }

  @Test
  void fixedFieldsAreCutAtTheirWidth() {
    assertArrayEquals(
        new byte[] {'a', 'b', 'c'}, Wire.appendFixed(Buffer.buffer(), "abcdef", 3).getBytes());
    assertArrayEquals(new byte[] {'a', 0, 0}, Wire.appendFixed(Buffer.buffer(), "a", 3).getBytes());
  }
}
