package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** allow_hosts: exact addresses and CIDR blocks; literal addresses only, so no name lookups here. */
class AllowListTest {
  @Test
  void emptyOrMissingListAllowsEveryone() {
    assertTrue(AllowList.permits(List.of(), "203.0.113.9"));
    assertTrue(AllowList.permits(null, "203.0.113.9"));
  }

  @Test
  void starAllowsEveryone() {
    assertTrue(AllowList.permits(List.of("*"), "203.0.113.9"));
  }

  @Test
  void exactAddressMatchesOnlyItself() {
    List<String> rules = List.of("10.1.2.3");
    assertTrue(AllowList.permits(rules, "10.1.2.3"));
    assertFalse(AllowList.permits(rules, "10.1.2.4"));
  }

  @Test
  void ruleWhitespaceIsIgnored() {
    assertTrue(AllowList.permits(List.of(" 10.1.2.3 "), "10.1.2.3"));
  }

  @Test
  void slash8MatchesTheFirstOctet() {
    List<String> rules = List.of("10.0.0.0/8");
    assertTrue(AllowList.permits(rules, "10.255.1.2"));
    assertFalse(AllowList.permits(rules, "11.0.0.1"));
  }

  @Test
  void slash24MatchesTheFirstThreeOctets() {
    List<String> rules = List.of("192.168.7.0/24");
    assertTrue(AllowList.permits(rules, "192.168.7.200"));
    assertFalse(AllowList.permits(rules, "192.168.8.1"));
  }

  @Test
  void slash32IsAnExactMatch() {
    List<String> rules = List.of("192.168.7.9/32");
    assertTrue(AllowList.permits(rules, "192.168.7.9"));
    assertFalse(AllowList.permits(rules, "192.168.7.8"));
  }

  @Test
  void nonOctetPrefixMasksPartOfAByte() {
    List<String> rules = List.of("172.16.0.0/12");
    assertTrue(AllowList.permits(rules, "172.31.255.255"));
    assertFalse(AllowList.permits(rules, "172.32.0.0"));
  }

  @Test
  void anyMatchingRuleAdmits() {
    List<String> rules = List.of("10.0.0.0/8", "192.168.1.5");
    assertTrue(AllowList.permits(rules, "192.168.1.5"));
    assertFalse(AllowList.permits(rules, "192.168.1.6"));
  }

  @Test
  void garbagePrefixLengthMatchesNothing() {
    assertFalse(AllowList.permits(List.of("10.0.0.0/x"), "10.0.0.1"));
    assertFalse(AllowList.permits(List.of("10.0.0.0/"), "10.0.0.1"));
  }

  @Test
  void negativePrefixLengthMatchesNothing() {
    assertFalse(AllowList.permits(List.of("10.0.0.0/-8"), "192.168.1.1"));
  }

  @Test
  void prefixLongerThanTheAddressMatchesNothing() {
    assertFalse(AllowList.permits(List.of("10.0.0.0/33"), "10.0.0.0"));
  }

  @Test
  void ipv6RuleDoesNotMatchAnIpv4Client() {
    assertFalse(AllowList.permits(List.of("::/0"), "10.0.0.1"));
  }

  @Test
  void ipv6ExactRuleMatches() {
    assertTrue(AllowList.permits(List.of("::1"), "0:0:0:0:0:0:0:1"));
  }
}
