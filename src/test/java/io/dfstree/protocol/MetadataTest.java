package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Metadata wire encoding (fastdfs-protocol.md §4): byte fixtures in, entries out, and back. */
class MetadataTest {
  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static List<String> pairs(List<Metadata.Entry> entries) {
    return entries.stream().map(e -> e.nameString() + "=" + e.valueString()).toList();
  }

  @Test
  void decodesRecordsSeparatedBy01AndFieldsBy02() {
    assertEquals(
        List.of("w=10", "h=20"), pairs(Metadata.decode(bytes("w\u000210\u0001h\u000220"))));
  }

  @Test
  void emptyInputDecodesToNoEntries() {
    assertTrue(Metadata.decode(new byte[0]).isEmpty());
  }

  @Test
  void recordWithoutFieldSeparatorIsDropped() {
    assertEquals(List.of("b=2"), pairs(Metadata.decode(bytes("junk\u0001b\u00022"))));
  }

  @Test
  void emptyRecordsAreDropped() {
    assertEquals(List.of("a=1"), pairs(Metadata.decode(bytes("\u0001a\u00021\u0001"))));
  }

  @Test
  void valueMayBeEmpty() {
    assertEquals(List.of("a="), pairs(Metadata.decode(bytes("a\u0002"))));
  }

  @Test
  void valueKeepsLaterFieldSeparators() {
    List<Metadata.Entry> e = Metadata.decode(bytes("a\u0002x\u0002y"));
    assertArrayEquals(bytes("x\u0002y"), e.get(0).value());
  }

  @Test
  void nameIsCutTo64Bytes() {
    String name = "n".repeat(70);
    Metadata.Entry e = Metadata.decode(bytes(name + "\u0002v")).get(0);
    assertEquals(64, e.name().length);
    assertArrayEquals(bytes("v"), e.value());
  }

  @Test
  void valueIsCutTo256Bytes() {
    Metadata.Entry e =
        Metadata.decode(bytes("k\u0002" + "v".repeat(300) + "\u0001z\u00021")).get(0);
    assertEquals(256, e.value().length);
  }

  @Test
  void cuttingALongValueDoesNotSwallowTheNextRecord() {
    List<Metadata.Entry> e = Metadata.decode(bytes("k\u0002" + "v".repeat(300) + "\u0001z\u00021"));
    assertEquals("z=1", pairs(e).get(1));
  }

  @Test
  void bytesAreKeptRawNotInterpretedAsText() {
    byte[] raw = {'n', 0x02, (byte) 0xFF, (byte) 0xC3};
    assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xC3}, Metadata.decode(raw).get(0).value());
  }

  @Test
  void encodeHasNoTrailingSeparator() {
    assertArrayEquals(
        bytes("a\u00021\u0001b\u00022"),
        Metadata.encode(List.of(Metadata.Entry.of("a", "1"), Metadata.Entry.of("b", "2"))));
  }

  @Test
  void encodeOfNothingIsEmpty() {
    assertEquals(0, Metadata.encode(List.of()).length);
  }

  @Test
  void encodeThenDecodeRoundTrips() {
    List<Metadata.Entry> in =
        List.of(Metadata.Entry.of("width", "1024"), Metadata.Entry.of("author", "zoë"));
    assertEquals(pairs(in), pairs(Metadata.decode(Metadata.encode(in))));
  }

  @Test
  void sortedOrdersByUnsignedBytes() {
    Metadata.Entry high = new Metadata.Entry(new byte[] {(byte) 0xC3}, bytes("1"));
    Metadata.Entry upper = Metadata.Entry.of("Z", "2");
    Metadata.Entry lower = Metadata.Entry.of("a", "3");
    List<Metadata.Entry> s = Metadata.sorted(List.of(high, lower, upper));
    assertSame(upper, s.get(0));
    assertSame(lower, s.get(1));
    assertSame(high, s.get(2), "0xC3 sorts after ASCII, as strcmp does");
  }

  @Test
  void sortedDoesNotModifyItsInput() {
    List<Metadata.Entry> in =
        new java.util.ArrayList<>(
            List.of(Metadata.Entry.of("b", "1"), Metadata.Entry.of("a", "2")));
    Metadata.sorted(in);
    assertEquals("b", in.get(0).nameString());
  }

  @Test
  void mergeReplacesExistingNamesAndAddsNewOnes() {
    List<Metadata.Entry> merged =
        Metadata.merge(
            List.of(Metadata.Entry.of("h", "1"), Metadata.Entry.of("w", "2")),
            List.of(Metadata.Entry.of("w", "9"), Metadata.Entry.of("a", "5")));
    assertEquals(List.of("a=5", "h=1", "w=9"), pairs(merged));
  }

  @Test
  void mergeReplacesAnExistingNameByTheFirstIncomingDuplicateAndKeepsTheRest() {
    // upstream merges the two sorted lists: the first "w" pairs with the stored one, the second is
    // added
    List<Metadata.Entry> merged =
        Metadata.merge(
            List.of(Metadata.Entry.of("w", "1")),
            List.of(Metadata.Entry.of("w", "first"), Metadata.Entry.of("w", "second")));
    assertEquals(List.of("w=first", "w=second"), pairs(merged));
  }

  @Test
  void mergeDoesNotDeduplicateNewNamesWithinOneRequest() {
    List<Metadata.Entry> merged =
        Metadata.merge(
            List.of(Metadata.Entry.of("x", "0")),
            List.of(Metadata.Entry.of("a", "1"), Metadata.Entry.of("a", "2")));
    assertEquals(List.of("a=1", "a=2", "x=0"), pairs(merged));
  }

  @Test
  void mergeResultIsSorted() {
    List<Metadata.Entry> merged =
        Metadata.merge(
            List.of(Metadata.Entry.of("m", "1")),
            List.of(Metadata.Entry.of("z", "1"), Metadata.Entry.of("b", "1")));
    assertEquals(List.of("b=1", "m=1", "z=1"), pairs(merged));
  }

  @Test
  void mergeIntoNothingIsTheSortedIncomingList() {
    assertEquals(
        List.of("a=1", "b=2"),
        pairs(
            Metadata.merge(
                List.of(), List.of(Metadata.Entry.of("b", "2"), Metadata.Entry.of("a", "1")))));
  }
}
