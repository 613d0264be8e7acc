package io.dfstree.fileid;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Base64;
import java.util.zip.CRC32;
import org.csource.fastdfs.FileInfo;
import org.csource.fastdfs.StorageClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The remote file name, bit for bit (fastdfs-protocol.md §5), cross-checked with the official Java
 * client.
 */
class FileNameTest {
  static final String WORKED = "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809.conf";
  static final int ID = 100001;
  static final int TIME = 1585823425;

  static byte[] payloadBytes(String remoteName) {
    return Base64.getUrlDecoder().decode(remoteName.substring(10, 37));
  }

  static long sizeFieldOf(String remoteName) {
    byte[] p = payloadBytes(remoteName);
    long v = 0;
    for (int i = 8; i < 16; i++) {
      v = (v << 8) | (p[i] & 0xFF);
    }
    return v;
  }

  // ---- the worked example (§5.9) -------------------------------------------------------------

  @Test
  void workedExampleDecodesToTheSourceIpOfTheTranscript() {
    FileName.Decoded d = FileName.decode(WORKED);
    assertEquals("172.16.4.253", d.sourceIp());
    assertEquals(0, d.sourceId());
  }

  @Test
  void workedExampleDecodesTimestampSizeAndCrc() {
    FileName.Decoded d = FileName.decode(WORKED);
    assertEquals(TIME, d.createTime());
    assertEquals(0x8068AE0D00001C89L, d.sizeField());
    assertEquals(7305, d.fileSize());
    assertEquals(3422365647L, d.crc32Unsigned());
  }

  @Test
  void workedExampleIsANormalFile() {
    FileName.Decoded d = FileName.decode(WORKED);
    assertFalse(d.appender());
    assertFalse(d.slave());
    assertFalse(d.trunk());
    assertTrue(d.nameDescribesContent());
  }

  @Test
  void workedExamplePayloadReencodesToTheSameText() {
    FileName.Decoded d = FileName.decode(WORKED);
    byte[] p = payloadBytes(WORKED);
    int ipAsWritten =
        (p[0] & 0xFF) | (p[1] & 0xFF) << 8 | (p[2] & 0xFF) << 16 | (p[3] & 0xFF) << 24;
    assertEquals(
        "rBAE_V6FvsGAaK4NAAAcicv9J88",
        FileName.payload(ipAsWritten, d.createTime(), d.sizeField(), d.crc32()));
  }

  // ---- generated names -----------------------------------------------------------------------

  @Test
  void storageIdIsWrittenLittleEndian() {
    byte[] p = payloadBytes("M00/00/00/" + FileName.payload(ID, TIME, 1, 2) + "1234567");
    assertArrayEquals(
        new byte[] {(byte) 0xA1, (byte) 0x86, 0x01, 0x00}, java.util.Arrays.copyOf(p, 4));
  }

  @Test
  void storageIdDecodesBackAsSourceId() {
    FileName.Decoded d = FileName.decode(FileName.generate(0, 1, 2, ID, TIME, 10, 3, false, "jpg"));
    assertEquals(ID, d.sourceId());
    assertEquals("", d.sourceIp());
  }

  @Test
  void largestStorageIdDecodesAsAnId() {
    FileName.Decoded d =
        FileName.decode(FileName.generate(0, 0, 0, 0xFFFFFF, TIME, 10, 3, false, ""));
    assertEquals(0xFFFFFF, d.sourceId());
  }

  @Test
  void generatedNameHasTheFixedLayout() {
    String name = FileName.generate(0x0A, 0xAB, 0x0F, ID, TIME, 12345, 0x1234, false, "jpg");
    assertEquals(44, name.length());
    assertEquals("M0A/AB/0F/", name.substring(0, 10));
    assertTrue(name.substring(10, 37).matches("[A-Za-z0-9_-]{27}"), name);
    assertTrue(name.substring(37).matches("[0-9]{3}\\.jpg"), name);
    assertFalse(name.contains("="));
  }

  @Test
  void logicPathUsesUpperCaseHex() {
    assertEquals("MFF/FE/0C/", FileName.logicPath(255, 254, 12));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "jpg", "conf", "tar.g", "abcdef"})
  void extensionPartIsAlwaysSevenCharacters(String ext) {
    String part = FileName.extensionPart(ext);
    assertEquals(7, part.length(), part);
    if (ext.isEmpty()) {
      assertTrue(part.matches("[0-9]{7}"), part);
    } else {
      assertEquals("." + ext, part.substring(6 - ext.length()));
      assertTrue(part.substring(0, 6 - ext.length()).matches("[0-9]*"), part);
    }
  }

  @Test
  void nameWithoutExtensionEndsInSevenDigits() {
    String name = FileName.generate(0, 0, 0, ID, TIME, 5, 1, false, "");
    assertTrue(name.substring(37).matches("[0-9]{7}"), name);
    assertEquals("", FileName.extensionOf(name));
  }

  @Test
  void sizeFieldOfASmallFileHasBit63SetBits55To62ClearAndTheSizeBelow() {
    for (int i = 0; i < 200; i++) {
      long s = FileName.sizeField(7305, false);
      assertTrue(s < 0, "bit 63");
      assertEquals(0, s & (0xFFL << 55), "bits 55-62");
      assertEquals(7305, s & 0xFFFFFFFFL);
    }
  }

  @Test
  void sizeFieldJustBelowFourGibKeepsTheRandomHighBits() {
    long size = (1L << 32) - 1;
    long s = FileName.sizeField(size, false);
    assertTrue(s < 0);
    assertEquals(size, s & 0xFFFFFFFFL);
  }

  @Test
  void sizeFieldOfAFourGibFileIsTheSizeItself() {
    assertEquals(1L << 32, FileName.sizeField(1L << 32, false));
    assertEquals(5_000_000_000L, FileName.sizeField(5_000_000_000L, false));
  }

  @Test
  void largeFileSizeDecodesFromTheName() {
    String name = FileName.generate(0, 0, 0, ID, TIME, 5_000_000_000L, 1, false, "iso");
    FileName.Decoded d = FileName.decode(name);
    assertEquals(5_000_000_000L, d.fileSize());
    assertFalse(d.appender());
  }

  @Test
  void sizeFieldRandomBitsVaryBetweenNames() {
    long first = FileName.sizeField(1, false);
    boolean differs = false;
    for (int i = 0; i < 50 && !differs; i++) {
      differs = FileName.sizeField(1, false) != first;
    }
    assertTrue(differs);
  }

  @Test
  void appenderSizeFieldHasTheFlagAndLowBitsZero() {
    long s = FileName.sizeField(999, true);
    assertEquals(FileName.APPENDER_FLAG, s & FileName.APPENDER_FLAG);
    assertEquals(0, s & 0xFFFFFFFFL);
    assertTrue(s < 0, "bit 63 from the random part");
  }

  @Test
  void appenderNameDecodesAsAppenderWithoutSize() {
    FileName.Decoded d = FileName.decode(FileName.generate(0, 0, 0, ID, TIME, 999, 0, true, "log"));
    assertTrue(d.appender());
    assertFalse(d.slave());
    assertFalse(d.trunk());
    assertEquals(0, d.fileSize());
    assertFalse(d.nameDescribesContent());
  }

  @Test
  void crcIsStoredAsGiven() {
    CRC32 crc = new CRC32();
    crc.update(new byte[] {1, 2, 3});
    int value = (int) crc.getValue();
    FileName.Decoded d =
        FileName.decode(FileName.generate(0, 0, 0, ID, TIME, 3, value, false, "bin"));
    assertEquals(crc.getValue(), d.crc32Unsigned());
  }

  // ---- flags by name length (§5.4) -----------------------------------------------------------

  static String withSizeField(long sizeField, String tail) {
    return "M00/00/00/" + FileName.payload(ID, TIME, sizeField, 0) + tail;
  }

  @Test
  void nameLongerThan44WithoutTrunkFlagIsASlave() {
    FileName.Decoded d = FileName.decode(withSizeField(0x8000000000000010L, "1234567_big.jpg"));
    assertTrue(d.slave());
    assertFalse(d.trunk());
    assertFalse(d.nameDescribesContent());
  }

  @Test
  void sixtyCharacterNameWithTrunkFlagIsATrunkFileNotASlave() {
    String tail = "ABCDEFGHIJKLMNOP" + "123.jpg"; // 16 base64 chars of trunk location + ext part
    FileName.Decoded d =
        FileName.decode(withSizeField(0x8000000000000000L | FileName.TRUNK_FLAG | 77, tail));
    assertEquals(60, withSizeField(0, tail).length());
    assertTrue(d.trunk());
    assertFalse(d.slave());
    assertEquals(77, d.fileSize());
  }

  @Test
  void nameLongerThan60IsASlaveEvenWithTrunkFlag() {
    String tail = "ABCDEFGHIJKLMNOP" + "123.jpg" + "_s";
    FileName.Decoded d = FileName.decode(withSizeField(FileName.TRUNK_FLAG | 77, tail));
    assertTrue(d.slave());
  }

  @Test
  void appenderFlagWinsOverSlaveLength() {
    FileName.Decoded d = FileName.decode(withSizeField(FileName.APPENDER_FLAG, "1234567_big"));
    assertTrue(d.appender());
    assertFalse(d.slave());
  }

  @Test
  void fortyFourCharacterNameIsNeverASlave() {
    assertFalse(FileName.decode(withSizeField(1, "1234567")).slave());
  }

  @Test
  void ipEndingInZeroIsReadAsAStorageIdAsUpstreamDoes() {
    // 192.168.1.0 -> bytes C0 A8 01 00 -> little-endian 0x0001A8C0, inside the id range
    int asWritten = 0xC0 | 0xA8 << 8 | 0x01 << 16;
    FileName.Decoded d =
        FileName.decode("M00/00/00/" + FileName.payload(asWritten, TIME, 1, 0) + "1234567");
    assertEquals(0x0001A8C0, d.sourceId());
    assertEquals("", d.sourceIp());
  }

  @Test
  void decodeRejectsTooShortNames() {
    var e =
        assertThrows(
            io.dfstree.protocol.FdfsException.class, () -> FileName.decode("M00/00/00/abc"));
    assertEquals(22, e.errno());
  }

  @Test
  void decodeRejectsNonBase64Payload() {
    var e =
        assertThrows(
            io.dfstree.protocol.FdfsException.class,
            () -> FileName.decode("M00/00/00/rBAE+V6FvsGAaK4NAAAcicv9J8809.conf"));
    assertEquals(22, e.errno());
  }

  // ---- slave names (§5.8) --------------------------------------------------------------------

  @Test
  void slaveNameWithTheMasterExtensionMatchesTheTranscript() {
    assertEquals(
        "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809_big.conf",
        FileName.slaveName(WORKED, "_big", "conf"));
  }

  @Test
  void slaveNameWithAnExplicitOtherExtension() {
    assertEquals(
        "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809_150x150.jpg",
        FileName.slaveName(WORKED, "_150x150", "jpg"));
  }

  @Test
  void slaveNameWithEmptyExtensionHasNoExtensionLikeTheCServer() {
    assertEquals(
        "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809_big", FileName.slaveName(WORKED, "_big", ""));
  }

  @Test
  void slaveNameOfAMasterWithoutExtensionAppendsPrefixAndExtension() {
    String master = "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J881234567";
    assertEquals(master + "_big.jpg", FileName.slaveName(master, "_big", "jpg"));
    assertEquals(master + "_big", FileName.slaveName(master, "_big", ""));
  }

  @Test
  void slaveNameIgnoresDotsBeforeTheLastSevenCharacters() {
    // a '.' inside the payload area can not be base64url, but slaveName must only look at the ext
    // part
    String master = "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J881234567";
    assertEquals(master + "_x.a", FileName.slaveName(master, "_x", "a"));
  }

  @Test
  void slaveNameIsRecognisedAsSlave() {
    assertTrue(FileName.decode(FileName.slaveName(WORKED, "_big", "conf")).slave());
  }

  @Test
  void extensionOfReadsTheTextAfterTheDotInTheLastSevenCharacters() {
    assertEquals("conf", FileName.extensionOf(WORKED));
    assertEquals("abcdef", FileName.extensionOf("M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J88.abcdef"));
  }

  // ---- the official Java client's own decoder ------------------------------------------------

  static FileInfo officialDecode(String remoteName) throws Exception {
    FileInfo info = new StorageClient(null, null).get_file_info("group1", remoteName);
    assertNotNull(info);
    return info;
  }

  @Test
  void officialClientReadsTheGeneratedTimestampSizeAndCrc() throws Exception {
    int crc = 0xCBFD27CF;
    String name = FileName.generate(0, 0x12, 0x34, ID, TIME, 7305, crc, false, "conf");
    FileInfo info = officialDecode(name);
    assertEquals(TIME * 1000L, info.getCreateTimestamp().getTime());
    assertEquals(7305, info.getFileSize());
    assertEquals(crc, (int) info.getCrc32());
  }

  @Test
  void officialClientReadsTheSizeOfAFileOverFourGib() throws Exception {
    FileInfo info =
        officialDecode(FileName.generate(0, 0, 0, ID, TIME, 6_000_000_000L, 1, false, ""));
    assertEquals(6_000_000_000L, info.getFileSize());
  }

  @Test
  void officialClientReadsTheWorkedExampleLikeWeDo() throws Exception {
    FileInfo info = officialDecode(WORKED);
    FileName.Decoded d = FileName.decode(WORKED);
    assertEquals(d.sourceIp(), info.getSourceIpAddr());
    assertEquals(d.fileSize(), info.getFileSize());
    assertEquals(d.crc32(), (int) info.getCrc32());
  }

  @Test
  void officialClientShowsAnIpWrittenAsIdBytesInDottedForm() throws Exception {
    // bytes 0 and 3 both non-zero: 1.27 prints the four bytes dotted (id 0x04030201 is out of the
    // id range)
    int asWritten = 0x01 | 0x02 << 8 | 0x03 << 16 | 0x04 << 24;
    String name =
        "M00/00/00/"
            + FileName.payload(asWritten, TIME, FileName.sizeField(1, false), 0)
            + "1234567";
    assertEquals("1.2.3.4", officialDecode(name).getSourceIpAddr());
    assertEquals("1.2.3.4", FileName.decode(name).sourceIp());
  }

  @Test
  void officialClientTreatsStorageIdBytesAsAnIdAndShowsNoIp() throws Exception {
    // id 100001 -> A1 86 01 00: byte 3 is 0, which 1.27 takes as "storage id" and answers ""
    String name = FileName.generate(0, 0, 0, ID, TIME, 1, 0, false, "");
    assertEquals("", officialDecode(name).getSourceIpAddr());
  }
}
