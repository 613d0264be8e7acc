package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostFilterTest {
  @Test
  void emptyListAllowsEveryone() {
    assertTrue(new HostFilter(List.of()).allows("10.1.2.3"));
  }

  @Test
  void exactAddressesAndCidrBlocks() {
    HostFilter f = new HostFilter(List.of("127.0.0.1", "10.0.0.0/8", "192.168.1.128/25"));
    assertTrue(f.allows("127.0.0.1"));
    assertFalse(f.allows("127.0.0.2"));
    assertTrue(f.allows("10.255.0.1"));
    assertFalse(f.allows("11.0.0.1"));
    assertTrue(f.allows("192.168.1.200"));
    assertFalse(f.allows("192.168.1.127"));
    assertFalse(f.allows("::1"));
    assertFalse(f.allows("not-an-ip"));
  }

  @Test
  void hostNamesAndBadPrefixesAreRejectedAtStart() {
    assertThrows(IllegalArgumentException.class, () -> new HostFilter(List.of("example.com")));
    assertThrows(IllegalArgumentException.class, () -> new HostFilter(List.of("10.0.0.0/33")));
  }

  @Test
  void aStarAllowsEveryone() {
    HostFilter f = new HostFilter(java.util.List.of("10.0.0.0/8", "*"));
    org.junit.jupiter.api.Assertions.assertTrue(f.allows("192.168.1.1"));
  }
}
