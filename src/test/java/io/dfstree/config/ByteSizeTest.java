package io.dfstree.config;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The one size reader shared by the configuration and the command line. */
class ByteSizeTest {

  @Test
  void parseSizeUnderstandsUnits() {
    assertEquals(1L << 30, ByteSize.parse("1G"));
    assertEquals(512L << 20, ByteSize.parse("512M"));
    assertEquals(64L << 10, ByteSize.parse("64K"));
    assertEquals(2L << 40, ByteSize.parse("2T"));
  }

  @Test
  void parseSizeAcceptsPlainBytesLowerCaseAndByteSuffix() {
    assertEquals(1073741824L, ByteSize.parse("1073741824"));
    assertEquals(64L << 10, ByteSize.parse(" 64kb "));
    assertEquals(100, ByteSize.parse("100B"));
    assertEquals(3L << 29, ByteSize.parse("1.5G"));
  }

  @Test
  void binaryUnitSpellingsAllMeanPowersOf1024() {
    assertEquals(4096, ByteSize.parse("4K"));
    assertEquals(4096, ByteSize.parse("4k"));
    assertEquals(4096, ByteSize.parse("4KB"));
    assertEquals(4096, ByteSize.parse("4KiB"));
    assertEquals(4096, ByteSize.parse("4 KiB"));
    assertEquals(1 << 20, ByteSize.parse("1MiB"));
    assertEquals(1 << 20, ByteSize.parse("1mib"));
    assertEquals(2L << 30, ByteSize.parse("2g"));
    assertEquals(512, ByteSize.parse("0.5K"));
    assertEquals(0, ByteSize.parse("0"));
  }

  @Test
  void parseSizeRejectsGarbage() {
    assertThrows(NumberFormatException.class, () -> ByteSize.parse("lots"));
    assertThrows(NumberFormatException.class, () -> ByteSize.parse("G"));
  }

  @Test
  void negativeOtherUnitsAndMisplacedSuffixesAreRejected() {
    for (String bad :
        new String[] {
          "-1K", "-1", "", " ", "1P", "1KK", "1iB", "1 K B", "K1", "1e3", "1,5G", "0x10"
        }) {
      NumberFormatException e =
          assertThrows(NumberFormatException.class, () -> ByteSize.parse(bad), bad);
      assertTrue(e.getMessage().contains("not a size"), e.getMessage());
    }
    assertThrows(NumberFormatException.class, () -> ByteSize.parse(null));
  }

  @Test
  void sizesPastLongMaxAreRejected() {
    assertEquals(Long.MAX_VALUE, ByteSize.parse(String.valueOf(Long.MAX_VALUE)));
    NumberFormatException e =
        assertThrows(NumberFormatException.class, () -> ByteSize.parse("8388608T"));
    assertTrue(e.getMessage().contains("too large"), e.getMessage());
    assertThrows(NumberFormatException.class, () -> ByteSize.parse("99999999999999999999"));
  }
}
