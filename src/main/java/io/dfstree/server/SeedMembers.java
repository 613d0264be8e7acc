package io.dfstree.server;

import java.util.ArrayList;
import java.util.List;

/**
 * The TCP-IP member list Hazelcast is given ({@code cluster.members}), with the port made explicit
 * where Hazelcast would otherwise probe a range.
 *
 * <p>Hazelcast turns a member listed without a port into ten addresses ({@code port} .. {@code port
 * + 9}, {@code hazelcast.tcp.join.port.try.count}). At start-up it probes them all at once, which
 * costs nothing. But after a partition heals, the master of each half looks for the other half by
 * sending a merge check to those addresses <b>one after another</b>, and waits 5 s on each one
 * nobody listens on (Hazelcast's {@code SPLIT_BRAIN_CONN_TIMEOUT_MILLIS}, not configurable). With
 * five hosts listed that is ~45 dead addresses, a search pass of ~4 minutes, and the halves merge
 * only when the pass reaches the other half's master: NemesisIT saw two storages cut off from the
 * trackers for over four minutes after a 3 s partition (their heartbeats travel over the cluster
 * they were no longer part of).
 *
 * <p>So in a cluster of several machines (the list names any host other than this process's own
 * {@code cluster.host}) a member without a port is {@code host:port}: one process per machine at
 * the first port, as such clusters are laid out. A second process on one machine (at {@code port +
 * 1}) is still found: joining needs only one listed member to answer, and in a split-brain search
 * Hazelcast also tries the addresses of the members it saw leave and the master address a
 * non-master answers with. On one machine (every member is this host, e.g. {@code [127.0.0.1]}) the
 * processes share the host and its port range, so the range is probed as before. Ranges and
 * wildcards ({@code 10.0.0.1-5}, {@code 10.0.0.*}) and members with a port are left as written.
 */
final class SeedMembers {
  private SeedMembers() {}

  /**
   * {@code configured} (entries may hold several members separated by {@code ,}, {@code ;} or
   * space, as Hazelcast reads them) as Hazelcast should get it, for a process bound to {@code
   * ownHost} whose first Hazelcast port is {@code port}.
   */
  static List<String> resolve(List<String> configured, String ownHost, int port) {
    List<String> members = new ArrayList<>();
    for (String entry : configured) {
      for (String m : entry.split("[,; ]")) {
        if (!m.isBlank()) {
          members.add(m.trim());
        }
      }
    }
    boolean oneMachine =
        members.stream().allMatch(m -> hasPort(m) || isPattern(m) || host(m).equals(ownHost));
    if (oneMachine) {
      return members;
    }
    List<String> out = new ArrayList<>();
    for (String m : members) {
      out.add(hasPort(m) || isPattern(m) ? m : withPort(m, port));
    }
    return out;
  }

  /** {@code host:port}, {@code [v6]:port}, or an IPv4/name with {@code :port}. */
  static boolean hasPort(String member) {
    if (member.startsWith("[")) {
      return member.matches("\\[[^]]*]:\\d+");
    }
    int colon = member.indexOf(':');
    return colon > 0
        && colon == member.lastIndexOf(':')
        && member.substring(colon + 1).matches("\\d+");
  }

  /** Hazelcast's address patterns: {@code 10.0.0.*}, {@code 10.0.0.1-5}. */
  private static boolean isPattern(String member) {
    return member.contains("*") || (member.contains("-") && member.matches("[0-9.*-]+"));
  }

  private static String host(String member) {
    return member.startsWith("[") && member.endsWith("]")
        ? member.substring(1, member.length() - 1)
        : member;
  }

  private static String withPort(String member, int port) {
    String h = host(member);
    return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
  }
}
