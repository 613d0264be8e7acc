package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** No command means all-in-one, also when the user only gives server options. */
class DefaultRoleTest {
  @Test
  void optionsWithoutARoleRunAllInOne() {
    assertArrayEquals(new String[] {"all-in-one"}, Main.withDefaultRole(new String[0]));
    assertArrayEquals(
        new String[] {"all-in-one", "--set", "tracker.port=1"},
        Main.withDefaultRole(new String[] {"--set", "tracker.port=1"}));
    assertArrayEquals(
        new String[] {"all-in-one", "--conf", "x.yaml"},
        Main.withDefaultRole(new String[] {"--conf", "x.yaml"}));
  }

  @Test
  void commandsHelpAndVersionAreLeftAlone() {
    for (String[] args :
        new String[][] {
          {"--help"}, {"-h"}, {"-V"}, {"--version"}, {"storage", "--set", "a=b"}, {"upload", "f"}
        }) {
      assertArrayEquals(args, Main.withDefaultRole(args));
    }
  }

  @Test
  void errorsWithoutAMessageStillSayWhatHappened() {
    org.junit.jupiter.api.Assertions.assertEquals(
        "bind failed", Main.describe(new RuntimeException("bind failed")));
    String timeout = Main.describe(new java.util.concurrent.TimeoutException());
    org.junit.jupiter.api.Assertions.assertTrue(timeout.contains("TimeoutException"), timeout);
    String wrapped =
        Main.describe(new RuntimeException(new java.io.IOException("Address already in use")));
    org.junit.jupiter.api.Assertions.assertTrue(
        wrapped.contains("Address already in use"), wrapped);
    org.junit.jupiter.api.Assertions.assertFalse(
        Main.describe(new NullPointerException()).equals("null"));
  }
}
