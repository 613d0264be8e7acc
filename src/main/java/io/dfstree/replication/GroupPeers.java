package io.dfstree.replication;

import io.dfstree.api.Heartbeat;
import io.dfstree.protocol.StorageStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The other members of this storage's group, as their own heartbeats describe them. A storage needs
 * no tracker to find its peers: heartbeats reach every node on the (clustered) event bus.
 */
final class GroupPeers {
  /** A peer as last heard. */
  record Peer(int id, String host, int port, StorageStatus status, long lastSeenMillis) {}

  private final int selfId;
  private final String group;
  private final long staleAfterMs;
  private final Map<Integer, Peer> peers = new ConcurrentHashMap<>();

  GroupPeers(int selfId, String group, long staleAfterMs) {
    this.selfId = selfId;
    this.group = group;
    this.staleAfterMs = staleAfterMs;
  }

  void heard(Heartbeat hb, long nowMillis) {
    if (hb.storageId() == selfId || !hb.group().equals(group)) {
      return;
    }
    peers.put(
        hb.storageId(),
        new Peer(
            hb.storageId(), hb.host(), hb.port(), StorageStatus.valueOf(hb.status()), nowMillis));
  }

  void left(int id) {
    peers.remove(id);
  }

  /**
   * Every member we know of, heard recently or not: heartbeats on a clustered event bus can stop
   * arriving after kills and rejoins (stale subscriptions), so catch-up must not depend on them.
   */
  List<Peer> known() {
    List<Peer> out = new ArrayList<>(peers.values());
    out.sort(Comparator.comparingInt(Peer::id));
    return out;
  }

  /** Peers heard from recently, in id order. */
  List<Peer> alive(long nowMillis) {
    List<Peer> out = new ArrayList<>();
    for (Peer p : peers.values()) {
      if (nowMillis - p.lastSeenMillis() <= staleAfterMs) {
        out.add(p);
      }
    }
    out.sort(Comparator.comparingInt(Peer::id));
    return out;
  }

  /** Peers that serve (ACTIVE) and are alive: the ones that can take synchronous replicas. */
  List<Peer> active(long nowMillis) {
    return alive(nowMillis).stream().filter(p -> p.status() == StorageStatus.ACTIVE).toList();
  }

  Peer get(int id) {
    return peers.get(id);
  }
}
