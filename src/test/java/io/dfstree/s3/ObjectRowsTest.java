package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dfstree.s3.NamespaceStore.Part;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text encodings of an object row's structured columns, without a database. */
class ObjectRowsTest {
  @Test
  void metadataRoundTripsInOrderAndEmptyIsNull() {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("zeta", "last \"quoted\" ünïcode");
    meta.put("alpha", "a\nline");
    String text = ObjectRows.encodeMeta(meta);
    assertEquals(List.copyOf(meta.entrySet()), List.copyOf(ObjectRows.decodeMeta(text).entrySet()));
    assertNull(ObjectRows.encodeMeta(Map.of()));
    assertNull(ObjectRows.encodeMeta(null));
    assertEquals(Map.of(), ObjectRows.decodeMeta(null));
    assertEquals(Map.of(), ObjectRows.decodeMeta(""));
  }

  @Test
  void manifestKeepsEveryPartInOrder() {
    List<Part> parts =
        List.of(
            new Part(1, "group1/M00/00/00/a.bin", 5L << 20, "0123456789abcdef0123456789abcdef"),
            new Part(3, "group2/M01/0A/FF/b", 17, "fedcba9876543210fedcba9876543210"));
    String text = ObjectRows.encodeManifest(parts);
    assertEquals(2, text.split("\n").length);
    assertEquals(parts, ObjectRows.decodeManifest(text));
    assertEquals(List.of(), ObjectRows.decodeManifest(null));
    assertEquals(List.of(), ObjectRows.decodeManifest(""));
  }
}
