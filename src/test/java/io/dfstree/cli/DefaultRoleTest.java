package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** No command means all-in-one, also when the user only gives server options. */
class DefaultRoleTest {
  @Test
  void optionsWithoutARoleRunAllInOne() {
    assertArrayEquals(new String[] {"all-in-one"}, Main.withDefaultRole(new String[0]));
    assertArrayEquals(new String[] {"all-in-one", "--set", "tracker.port=1"},
        Main.withDefaultRole(new String[] {"--set", "tracker.port=1"}));
    assertArrayEquals(new String[] {"all-in-one", "--conf", "x.yaml"}, Main.withDefaultRole(new String[] {"--conf", "x.yaml"}));
  }

  @Test
  void commandsHelpAndVersionAreLeftAlone() {
    for (String[] args : new String[][] {{"--help"}, {"-h"}, {"-V"}, {"--version"}, {"storage", "--set", "a=b"},
        {"upload", "f"}}) {
      assertArrayEquals(args, Main.withDefaultRole(args));
    }
  }
}
