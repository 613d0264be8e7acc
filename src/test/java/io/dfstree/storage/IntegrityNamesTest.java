package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.fileid.FileName;
import org.junit.jupiter.api.Test;

/**
 * Which names say what their bytes must be, so a download may check them against size and CRC32.
 */
class IntegrityNamesTest {
  static final String MASTER =
      FileName.generate(0, 2, 3, 100001, 1_700_000_000, 10, 0x1234, false, "jpg");

  @Test
  void aNormalNameIsChecked() {
    assertTrue(Integrity.checkable(MASTER));
    assertTrue(
        Integrity.checkable(
            FileName.generate(0, 2, 3, 100001, 1_700_000_000, 10, 0x1234, false, "")));
  }

  @Test
  void aSlaveWithoutExtensionAsLongAsANormalNameIsNot() {
    String slave = FileName.slaveName(MASTER, "_raw", "");
    assertTrue(slave.length() == FileName.NORMAL_NAME_LEN, slave);
    assertFalse(Integrity.checkable(slave), slave);
    assertFalse(Integrity.checkable(FileName.slaveName(MASTER, "_150x150", "jpg")));
  }

  @Test
  void anAppenderIsNot() {
    assertFalse(
        Integrity.checkable(
            FileName.generate(0, 2, 3, 100001, 1_700_000_000, 10, 0x1234, true, "log")));
  }
}
