package io.dfstree.protocol;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code allowHosts} list: exact addresses or CIDR blocks ({@code 10.0.0.0/8}); an empty list
 * allows every client, and so does {@code *} (FastDFS's allow_hosts default). Entries are literal
 * addresses, never resolved through DNS; the list is parsed once, when a server starts.
 */
public final class HostFilter {
  private record Block(byte[] network, int prefix) {
    boolean contains(byte[] addr) {
      if (addr.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (addr[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (addr[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks = new ArrayList<>();

  /**
   * @throws IllegalArgumentException for an entry that is not an IP literal or CIDR block
   */
  public HostFilter(List<String> entries) {
    for (String raw : entries) {
      String entry = raw.trim();
      if (entry.equals("*")) {
        blocks.clear();
        return;
      }
      int slash = entry.indexOf('/');
      byte[] addr = literal(slash < 0 ? entry : entry.substring(0, slash));
      int prefix = slash < 0 ? addr.length * 8 : Integer.parseInt(entry.substring(slash + 1));
      if (prefix < 0 || prefix > addr.length * 8) {
        throw new IllegalArgumentException("bad prefix length in allowHosts entry " + entry);
      }
      blocks.add(new Block(addr, prefix));
    }
  }

  /** Whether a client connecting from {@code ip} (a literal address) may connect. */
  public boolean allows(String ip) {
    if (blocks.isEmpty()) {
      return true;
    }
    byte[] addr;
    try {
      addr = literal(ip);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return blocks.stream().anyMatch(b -> b.contains(addr));
  }

  private static byte[] literal(String s) {
    // only literals: a digit or ':' first keeps InetAddress from doing a DNS lookup
    if (s.isEmpty()
        || !(Character.digit(s.charAt(0), 16) >= 0 || s.charAt(0) == ':')
        || !s.matches("[0-9A-Fa-f:.%]+")) {
      throw new IllegalArgumentException("not an IP address: " + s);
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + s);
    }
  }
}
