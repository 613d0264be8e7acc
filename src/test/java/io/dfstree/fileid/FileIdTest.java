package io.dfstree.fileid;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every name from outside passes FileId before it may name a path: what it accepts and what it
 * refuses.
 */
class FileIdTest {
  static final String NAME = "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809.conf";
  static final String PAYLOAD = "rBAE_V6FvsGAaK4NAAAcicv9J88";

  static void assertInvalid(String group, String remote) {
    FdfsException e = assertThrows(FdfsException.class, () -> FileId.parseRemote(group, remote));
    assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
  }

  static void assertInvalidId(String fileId) {
    FdfsException e = assertThrows(FdfsException.class, () -> FileId.parse(fileId));
    assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
  }

  @Test
  void parseSplitsGroupAndRemoteNameAtTheFirstSlash() {
    FileId id = FileId.parse("group1/" + NAME);
    assertEquals("group1", id.group());
    assertEquals(NAME, id.remoteName());
    assertEquals("group1/" + NAME, id.toString());
  }

  @Test
  void parseRemoteReadsPathIndexAndDirectoriesAsHex() {
    FileId id = FileId.parseRemote("g", "M1F/A0/0B/" + PAYLOAD + "09.conf");
    assertEquals(0x1F, id.storePathIndex());
    assertEquals(0xA0, id.high());
    assertEquals(0x0B, id.low());
    assertEquals(PAYLOAD + "09.conf", id.baseName());
  }

  @Test
  void decodedExposesTheNamePayload() {
    assertEquals(7305, FileId.parse("group1/" + NAME).decoded().fileSize());
  }

  @Test
  void slaveNameUpToTheMaximumLengthIsAccepted() {
    String name = NAME + "x".repeat(FileId.MAX_REMOTE_NAME - NAME.length());
    assertEquals(127, FileId.parseRemote("group1", name).remoteName().length());
  }

  @Test
  void sixteenCharacterAlphanumericGroupIsAccepted() {
    assertEquals("Group16Chars0123", FileId.parseRemote("Group16Chars0123", NAME).group());
  }

  // ---- rejections ----------------------------------------------------------------------------

  @Test
  void fileIdWithoutSlashIsRejected() {
    assertInvalidId("group1");
  }

  @Test
  void absoluteFileIdIsRejected() {
    assertInvalidId("/" + NAME);
  }

  @Test
  void absoluteRemoteNameIsRejected() {
    assertInvalid("group1", "/" + NAME.substring(0, 43));
  }

  @Test
  void dotDotAsDirectoryIsRejected() {
    assertInvalid("group1", "M00/../00/" + PAYLOAD + "09.conf");
  }

  @Test
  void dotDotAsBaseNameIsRejected() {
    assertInvalid("group1", "M00/00/00/../../../../etc/passwd0123456789ab");
  }

  @Test
  void dotDotInsideThePayloadIsRejected() {
    assertInvalid("group1", "M00/00/00/.." + PAYLOAD.substring(2) + "09.conf");
  }

  @Test
  void slashInsideTheBaseNameIsRejected() {
    assertInvalid("group1", NAME + "/x");
  }

  @Test
  void slashInsideTheBaseNameOfANormalLengthNameIsRejected() {
    assertInvalid("group1", "M00/00/00/" + PAYLOAD + "09/conf");
  }

  @Test
  void nulCharacterIsRejected() {
    assertInvalid("group1", NAME.substring(0, 43) + "\0");
  }

  @Test
  void backslashIsRejected() {
    assertInvalid("group1", "M00/00/00/" + PAYLOAD + "\\9.conf");
  }

  @Test
  void nonAsciiCharacterIsRejected() {
    assertInvalid("group1", "M00/00/00/" + PAYLOAD + "é9.conf");
  }

  @Test
  void nameShorterThanPathPayloadAndOneCharIsRejected() {
    assertInvalid("group1", NAME.substring(0, 37));
  }

  @Test
  void slaveNameShorterThan44IsAcceptedAndDecodedAsSlave() {
    FileId id = FileId.parseRemote("group1", NAME.substring(0, 37) + "_s");
    assertTrue(id.decoded().slave());
  }

  @Test
  void nameLongerThan127IsRejected() {
    assertInvalid("group1", NAME + "x".repeat(128 - NAME.length()));
  }

  @Test
  void emptyNameIsRejected() {
    assertInvalid("group1", "");
  }

  @Test
  void badBase64PayloadIsRejected() {
    assertInvalid("group1", "M00/00/00/" + "." + PAYLOAD.substring(1) + "09.conf");
  }

  @Test
  void base64StandardAlphabetPlusIsRejected() {
    assertInvalid("group1", "M00/00/00/" + "+" + PAYLOAD.substring(1) + "09.conf");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Ma0/00/00/", "M00/0a/00/", "M00/00/ff/"})
  void lowerCaseHexIsRejected(String path) {
    assertInvalid("group1", path + PAYLOAD + "09.conf");
  }

  @ParameterizedTest
  @ValueSource(strings = {"MG0/00/00/", "M00/0Z/00/", "M00/00/-1/", "M00/ 1/00/"})
  void nonHexDirectoryIsRejected(String path) {
    assertInvalid("group1", path + PAYLOAD + "09.conf");
  }

  @ParameterizedTest
  @ValueSource(strings = {"N00/00/00/", "M00-00/00/", "M00/00-00/", "M00/00/00-"})
  void logicPathWithWrongLettersOrSeparatorsIsRejected(String path) {
    assertInvalid("group1", path + PAYLOAD + "09.conf");
  }

  @Test
  void nameEndingInMetadataSuffixIsRejected() {
    assertInvalid("group1", NAME + "-m");
  }

  @Test
  void normalLengthNameEndingInMetadataSuffixIsRejected() {
    assertInvalid("group1", "M00/00/00/" + PAYLOAD + "12345-m");
  }

  @Test
  void emptyGroupIsRejected() {
    assertInvalid("", NAME);
  }

  @Test
  void seventeenCharacterGroupIsRejected() {
    assertInvalid("g".repeat(17), NAME);
  }

  @ParameterizedTest
  @ValueSource(strings = {"group-1", "group_1", "group 1", "gr/oup", "..", "gröup", "group1\0"})
  void groupWithNonAlphanumericCharactersIsRejected(String group) {
    assertInvalid(group, NAME);
  }

  @Test
  void badGroupInAFileIdIsRejected() {
    assertInvalidId("group-1/" + NAME);
  }

  // ---- tokens (extensions, prefixes) ---------------------------------------------------------

  @Test
  void tokenOfAllowedCharactersPasses() {
    assertDoesNotThrow(() -> FileId.checkToken("ext", "tar.gz", 6));
    assertDoesNotThrow(() -> FileId.checkToken("prefix", "_150x150-a", 16));
  }

  @Test
  void tokenLongerThanItsFieldIsRejected() {
    FdfsException e =
        assertThrows(FdfsException.class, () -> FileId.checkToken("ext", "abcdefg", 6));
    assertEquals(Errno.EINVAL, e.errno());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a/b", "a\\b", "a b", "a\0", "ä"})
  void tokenWithIllegalCharactersIsRejected(String token) {
    FdfsException e =
        assertThrows(FdfsException.class, () -> FileId.checkToken("prefix", token, 16));
    assertEquals(Errno.EINVAL, e.errno());
  }

  @ParameterizedTest
  @ValueSource(strings = {".", ".."})
  void dotAndDotDotAloneAreRejectedAsPrefixAndExtension(String token) {
    assertEquals(
        Errno.EINVAL,
        assertThrows(FdfsException.class, () -> FileId.checkToken("prefix", token, 16)).errno());
    assertEquals(
        Errno.EINVAL,
        assertThrows(FdfsException.class, () -> FileId.checkToken("extension", token, 6)).errno());
    assertDoesNotThrow(
        () -> FileId.checkToken("prefix", "..a", 16), "dots inside a longer token are fine");
  }
}
