package io.dfstree.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** FastDFS's {@code allow_hosts}: exact addresses or CIDR blocks; an empty list allows everyone. */
public final class AllowList {
  private AllowList() {}

  public static boolean permits(List<String> rules, String address) {
    if (rules == null || rules.isEmpty()) {
      return true;
    }
    for (String rule : rules) {
      if (rule.equals("*") || matches(rule.trim(), address)) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(String rule, String address) {
    try {
      int slash = rule.indexOf('/');
      byte[] addr = InetAddress.getByName(address).getAddress();
      if (slash < 0) {
        return java.util.Arrays.equals(InetAddress.getByName(rule).getAddress(), addr);
      }
      byte[] net = InetAddress.getByName(rule.substring(0, slash)).getAddress();
      int bits = Integer.parseInt(rule.substring(slash + 1));
      if (net.length != addr.length || bits < 0 || bits > net.length * 8) {
        return false; // a malformed rule admits nobody (a negative length used to admit everyone)
      }
      for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
        int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
        if ((net[i] & mask) != (addr[i] & mask)) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException | NumberFormatException e) {
      return false;
    }
  }
}
