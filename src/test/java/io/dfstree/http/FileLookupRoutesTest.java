package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What the console's file lookup reads from a file id alone, before asking any storage. */
class FileLookupRoutesTest {
  @Test
  void aNormalNameSaysWhereWhenWhoSizeAndCrc() {
    String remote =
        FileName.generate(1, 0x0A, 0xFF, 100002, 1_796_000_000, 307_323, 0x18A40FF7, false, "jpg");
    JsonObject o = FileLookupRoutes.describe(FileId.parseRemote("group7", remote));
    assertEquals("group7/" + remote, o.getString("fileId"));
    assertEquals("group7", o.getString("group"));
    assertEquals("M01", o.getString("storePath"));
    assertEquals("0A/FF", o.getString("directory"));
    assertEquals("jpg", o.getString("ext"));
    assertEquals(100002, o.getInteger("sourceStorageId"));
    assertEquals(1_796_000_000L, o.getLong("created"));
    assertEquals("2026-11-30T00:53:20Z", o.getString("createdIso"));
    assertEquals(307_323L, o.getLong("size"));
    assertEquals("18A40FF7", o.getString("crc32"));
    assertFalse(o.getBoolean("appender"));
    assertFalse(o.containsKey("sourceIp"), "names with a storage id carry no IP");
  }

  @Test
  void anAppenderNameDoesNotClaimASizeOrCrc() {
    String remote = FileName.generate(0, 0, 0, 100001, 1_796_000_000, 0, 0, true, "log");
    JsonObject o = FileLookupRoutes.describe(FileId.parseRemote("group1", remote));
    assertTrue(o.getBoolean("appender"));
    assertTrue(
        o.containsKey("size") && o.getValue("size") == null,
        "appender content changes: no size from the name");
    assertNull(o.getValue("crc32"));
  }
}
