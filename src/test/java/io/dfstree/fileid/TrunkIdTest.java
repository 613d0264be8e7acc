package io.dfstree.fileid;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import org.junit.jupiter.api.Test;

/** Trunk (packed) file names: 60 characters, trunk flag, volume/offset/slot in the name (§5.7). */
class TrunkIdTest {
  static TrunkId sample() {
    // source 192.168.1.104 as FileName writes it: the 4 bytes in natural order, read as one int
    return new TrunkId(
        3,
        0xC0A80168,
        1_718_000_000,
        TrunkId.randomSizeHigh(),
        4096,
        0xCAFEBABE,
        0x0102,
        123_456_768,
        4128,
        "419.jpg");
  }

  @Test
  void encodesToSixtyCharactersAndParsesBack() {
    TrunkId id = sample();
    String name = id.remoteName();
    assertEquals(FileName.TRUNK_NAME_LEN, name.length());
    assertTrue(name.startsWith("M03/01/02/"), name);
    assertTrue(name.endsWith("419.jpg"), name);
    assertEquals(id, TrunkId.parse(name));
    assertTrue(TrunkId.isTrunkName(name));
  }

  @Test
  void clientsReadSizeTimeCrcAndSourceFromThePayloadAsForANormalName() {
    TrunkId id = sample();
    FileName.Decoded d = FileName.decode(id.remoteName());
    assertTrue(d.trunk());
    assertFalse(d.slave(), "a 60-character trunk name is not a slave name");
    assertFalse(d.appender());
    assertEquals(4096, d.fileSize());
    assertEquals(1_718_000_000, d.createTime());
    assertEquals(0xCAFEBABEL, d.crc32Unsigned());
    assertEquals("192.168.1.104", d.sourceIp());
    assertTrue(d.nameDescribesContent());
  }

  @Test
  void slavesOfATrunkMasterFollowFastdfsAndNoneReadsAsATrunkName() {
    String master = sample().remoteName(); // ends "419.jpg": stem of 56 characters
    String stem = master.substring(0, 56);
    // fdfs_gen_slave_filename: the master up to the dot in its last 7 characters, prefix, .ext
    assertEquals(stem + "_150x150.jpg", FileName.newSlaveName(master, "_150x150", "jpg"));
    assertEquals(stem + "_s", FileName.newSlaveName(master, "_s", ""));
    for (String prefix : new String[] {"_s", "_150x150", "_raw1"}) {
      String slave = FileName.newSlaveName(master, prefix, "");
      assertFalse(TrunkId.isTrunkName(slave), slave);
      assertTrue(FileName.decode(slave).slave(), slave);
      assertTrue(FileName.decode(slave).trunk(), "the slave keeps its master's payload: " + slave);
    }
    // 60 characters and the trunk flag: a trunk name to FastDFS (fdfs_is_trunk_file), refused
    assertTrue(TrunkId.isTrunkName(FileName.slaveName(master, "_raw", "")));
    FdfsException e =
        assertThrows(FdfsException.class, () -> FileName.newSlaveName(master, "_raw", ""));
    assertEquals(Errno.EINVAL, e.errno());
    assertThrows(FdfsException.class, () -> FileName.newSlaveName(master, "_a", "g"));
    // the same 60-character length from a normal master carries no trunk flag: a slave
    String normal = "M00/00/00/rBAE_V6FvsGAaK4NAAAcicv9J8809.conf";
    String longSlave = FileName.newSlaveName(normal, "_0123456789abcde", "conf");
    assertEquals(FileName.TRUNK_NAME_LEN, longSlave.length());
    assertFalse(TrunkId.isTrunkName(longSlave));
    assertTrue(FileName.decode(longSlave).slave());
  }

  @Test
  void fileIdAcceptsTrunkNames() {
    FileId f = FileId.parse("group1/" + sample().remoteName());
    assertEquals(3, f.storePathIndex());
    assertEquals(1, f.high());
    assertEquals(2, f.low());
    assertTrue(f.decoded().trunk());
  }

  @Test
  void storageIdSourcesRoundTrip() {
    int le = Integer.reverseBytes(100001); // FileName writes ids little-endian
    TrunkId id = new TrunkId(0, le, 5, TrunkId.randomSizeHigh(), 0, 0, 1, 0, 32, "1234567");
    assertEquals(100001, FileName.decode(id.remoteName()).sourceId());
    assertEquals(id, TrunkId.parse(id.remoteName()));
  }

  @Test
  void refusesNamesThatAreNotTrunkNames() {
    String trunk = sample().remoteName();
    assertInvalid(trunk.substring(0, 59));
    // the directories must be the volume's
    assertInvalid(trunk.substring(0, 4) + "FF" + trunk.substring(6));
    // a normal 44-character name, padded to 60, has no trunk flag
    String normal = FileIdTest.NAME.substring(0, 37) + "AAAAAAAAAAAAAAAA" + "09.conf";
    assertEquals(60, normal.length());
    assertInvalid(normal);
    assertFalse(TrunkId.isTrunkName(normal));
    assertInvalid(trunk.substring(0, 40) + "!" + trunk.substring(41));
    assertInvalid(trunk.substring(0, 55) + "/" + trunk.substring(56));
  }

  /**
   * A request's file id decodes its payload once ({@link FileId#decoded}); the trunk name built
   * from it must be the one parsing the whole name gives, and refuse what parsing refuses.
   */
  @Test
  void theTrunkNameOfAFileIdIsTheParsedOneAndRefusesTheSameNames() {
    for (TrunkId t :
        new TrunkId[] {
          sample(),
          new TrunkId(
              0,
              Integer.reverseBytes(100001),
              5,
              TrunkId.randomSizeHigh(),
              0,
              0,
              1,
              0,
              32,
              "1234567"),
          new TrunkId(
              255,
              -1,
              -1,
              TrunkId.randomSizeHigh(),
              256 * 1024,
              -1,
              0xFFFF,
              1 << 30,
              1 << 20,
              "abc.png")
        }) {
      FileId id = FileId.parseRemote("group1", t.remoteName());
      assertEquals(FileName.decode(t.remoteName()), id.decoded());
      assertEquals(t, TrunkId.of(id));
      assertEquals(TrunkId.parse(t.remoteName()), TrunkId.of(id));
    }
    String trunk = sample().remoteName();
    // the directories must be the volume's
    assertInvalidId(trunk.substring(0, 4) + "FF" + trunk.substring(6));
    // a normal name padded to 60 characters has no trunk flag
    assertInvalidId(FileIdTest.NAME.substring(0, 37) + "AAAAAAAAAAAAAAAA" + "09.conf");
    // a normal 44-character name is not a trunk name at all
    assertInvalidId(FileIdTest.NAME);
  }

  private static void assertInvalidId(String remoteName) {
    FileId id = FileId.parseRemote("group1", remoteName);
    assertThrows(FdfsException.class, () -> TrunkId.parse(remoteName));
    FdfsException e = assertThrows(FdfsException.class, () -> TrunkId.of(id));
    assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
  }

  @Test
  void refusesImpossibleLocations() {
    assertThrows(
        FdfsException.class,
        () -> new TrunkId(0, 1, 1, TrunkId.randomSizeHigh(), 10, 0, 0, 0, 64, "1234567"));
    assertThrows(
        FdfsException.class,
        () -> new TrunkId(0, 1, 1, TrunkId.randomSizeHigh(), 10, 0, 1, -32, 64, "1234567"));
  }

  private static void assertInvalid(String name) {
    FdfsException e = assertThrows(FdfsException.class, () -> TrunkId.parse(name));
    assertEquals(Errno.EINVAL, e.errno(), e.getMessage());
  }
}
