package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedMembersTest {
  @Test
  void acrossMachinesAMemberWithoutPortIsItsHostAtTheFirstPort() {
    // NemesisIT's list: five hosts, no ports. Left alone, Hazelcast makes ~50 addresses of it and
    // its split-brain search waits 5 s on each one nobody listens on, one after another.
    assertEquals(
        List.of("10.0.0.1:5701", "10.0.0.2:5701", "10.0.0.11:5701", "10.0.0.12:5701"),
        SeedMembers.resolve(List.of("10.0.0.1,10.0.0.2,10.0.0.11,10.0.0.12"), "10.0.0.12", 5701));
    assertEquals(
        List.of("tracker1:5801", "storage1:5801"),
        SeedMembers.resolve(List.of("tracker1", "storage1"), "storage1", 5801));
  }

  @Test
  void onOneMachineTheProcessesShareTheHostSoItsPortRangeIsProbed() {
    assertEquals(
        List.of("127.0.0.1"), SeedMembers.resolve(List.of("127.0.0.1"), "127.0.0.1", 5701));
    assertEquals(
        List.of("127.0.0.1", "127.0.0.1:5702"),
        SeedMembers.resolve(List.of("127.0.0.1", "127.0.0.1:5702"), "127.0.0.1", 5701));
  }

  @Test
  void explicitPortsPatternsAndIpv6AreKept() {
    assertEquals(
        List.of("10.0.0.1:5702", "10.0.0.2:5701", "10.0.1.*", "10.0.2.1-5", "[fd00::3]:5701"),
        SeedMembers.resolve(
            List.of("10.0.0.1:5702 10.0.0.2", "10.0.1.*;10.0.2.1-5", "fd00::3"), "10.0.0.9", 5701));
    assertTrue(SeedMembers.hasPort("[fd00::1]:5701"));
    assertFalse(SeedMembers.hasPort("fd00::1"));
    assertFalse(SeedMembers.hasPort("host.example"));
  }
}
