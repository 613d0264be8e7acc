package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RangeHeaderTest {
  @Test
  void parsesTheThreeForms() {
    assertEquals(
        new RangeHeader(RangeHeader.Kind.PARTIAL, 0, 9), RangeHeader.parse("bytes=0-9", 100));
    assertEquals(
        new RangeHeader(RangeHeader.Kind.PARTIAL, 90, 99), RangeHeader.parse("bytes=90-", 100));
    assertEquals(
        new RangeHeader(RangeHeader.Kind.PARTIAL, 95, 99), RangeHeader.parse("bytes=-5", 100));
    assertEquals(
        new RangeHeader(RangeHeader.Kind.PARTIAL, 0, 99), RangeHeader.parse("bytes=-500", 100));
    assertEquals(
        new RangeHeader(RangeHeader.Kind.PARTIAL, 50, 99), RangeHeader.parse("bytes=50-1000", 100));
  }

  @Test
  void unsatisfiable() {
    assertEquals(RangeHeader.Kind.UNSATISFIABLE, RangeHeader.parse("bytes=100-", 100).kind());
    assertEquals(RangeHeader.Kind.UNSATISFIABLE, RangeHeader.parse("bytes=-0", 100).kind());
    assertEquals(RangeHeader.Kind.UNSATISFIABLE, RangeHeader.parse("bytes=0-", 0).kind());
    assertEquals(
        RangeHeader.Kind.UNSATISFIABLE, RangeHeader.parse("bytes=200-300,400-500", 100).kind());
    assertEquals("bytes */100", RangeHeader.parse("bytes=100-", 100).contentRange(100));
  }

  @Test
  void malformedOrMultipleMeanWholeFile() {
    for (String h :
        new String[] {
          "bytes=abc",
          "bytes=5-2",
          "items=0-1",
          "bytes=",
          "bytes=1-2-3",
          "bytes=--1",
          "bytes=99999999999999999999-",
          "bytes=0-1,5-6"
        }) {
      assertEquals(RangeHeader.Kind.WHOLE, RangeHeader.parse(h, 100).kind(), h);
    }
    assertEquals(RangeHeader.Kind.WHOLE, RangeHeader.parse(null, 100).kind());
  }
}
