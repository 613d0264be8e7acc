package io.dfstree.replication;

import io.dfstree.protocol.StorageStatus;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Whether a storage may serve as a full member of its group, as FastDFS names the steps: {@code
 * WAIT_SYNC} (listening for peers, nothing copied yet) → {@code SYNCING} (peers found, or files
 * arriving from them) → {@code ACTIVE} (caught up with every peer that can be reached). Pure: the
 * caller feeds it the clock and what it sees of its peers; no sockets, no timers. Thread-safe
 * (files arrive on any event loop).
 *
 * <p>At start a storage listens for {@code discoveryMs}: a member alone in its group is ACTIVE at
 * once when that is 0, else when the window ends with nobody heard. Members it synced from before
 * ({@link #expect}) or that the trackers list are waited for, at most {@code
 * maxWaitForKnownPeersMs} beyond the window. A peer that refuses connections for longer than {@code
 * peerTimeoutMs} and is not heard from is down: it cannot hold anything newer.
 */
public final class Membership {
  /** What the storage knows of one peer now. */
  public record Peer(int id, boolean alive, boolean caughtUp, long unreachableSinceMs) {}

  /**
   * The outcome of a {@link #tick}: the state, and whether expected peers were given up on this
   * time.
   */
  public record Step(
      StorageStatus status, boolean decidedNow, boolean gaveUpOnExpected, boolean activeNow) {}

  private final long decideAt;
  private final long giveUpWaitingAt;
  private final long peerTimeoutMs;
  private final Set<Integer> expected = new HashSet<>();
  private StorageStatus status;
  private boolean decided;

  public Membership(
      long startMs, long discoveryMs, long maxWaitForKnownPeersMs, long peerTimeoutMs) {
    this.decideAt = startMs + discoveryMs;
    this.giveUpWaitingAt = decideAt + maxWaitForKnownPeersMs;
    this.peerTimeoutMs = peerTimeoutMs;
    this.decided = discoveryMs <= 0;
    this.status = decided ? StorageStatus.ACTIVE : StorageStatus.WAIT_SYNC;
  }

  public synchronized StorageStatus status() {
    return status;
  }

  /**
   * Whether the listening window has closed (the trackers need not be asked about peers any more).
   */
  public synchronized boolean decided() {
    return decided;
  }

  /**
   * A member that must be heard from before deciding (synced from before, or listed by a tracker).
   */
  public synchronized void expect(int peerId) {
    expected.add(peerId);
  }

  public synchronized Set<Integer> expected() {
    return Set.copyOf(expected);
  }

  /** A file arrived from a peer: no longer waiting for one. Returns the state. */
  public synchronized StorageStatus fileArrived() {
    if (status == StorageStatus.WAIT_SYNC) {
      status = StorageStatus.SYNCING;
    }
    return status;
  }

  /**
   * Moves the state on: {@code known} is every peer ever heard of, with whether it is heard now,
   * whether catch-up from it is complete, and since when it refuses connections (0: it does not).
   */
  public synchronized Step tick(long nowMs, Collection<Peer> known) {
    boolean decidedNow = false;
    boolean gaveUp = false;
    if (!decided && nowMs >= decideAt) {
      boolean heardAll = heardAllExpected(known);
      if (heardAll || nowMs >= giveUpWaitingAt) {
        gaveUp = !heardAll;
        decided = true;
        decidedNow = true;
        status =
            known.stream().anyMatch(Peer::alive) ? StorageStatus.SYNCING : StorageStatus.ACTIVE;
      }
    }
    boolean activeNow = false;
    if (decided && status != StorageStatus.ACTIVE) {
      boolean all = true;
      for (Peer p : known) {
        boolean down =
            p.unreachableSinceMs() > 0
                && nowMs - p.unreachableSinceMs() > peerTimeoutMs
                && !p.alive();
        all &= down || p.caughtUp();
      }
      if (all) {
        status = StorageStatus.ACTIVE;
        activeNow = true;
      }
    }
    return new Step(status, decidedNow, gaveUp, activeNow);
  }

  private boolean heardAllExpected(Collection<Peer> known) {
    for (int id : expected) {
      if (known.stream().noneMatch(p -> p.id() == id && p.alive())) {
        return false;
      }
    }
    return true;
  }
}
