package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.StorageStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The member state machine on its own: a clock and peer views in, a state out. */
class MembershipTest {
  static final long DISCOVERY = 3000;
  static final long MAX_WAIT = 60_000;
  static final long PEER_TIMEOUT = 10_000;

  static Membership.Peer alive(int id, boolean caughtUp) {
    return new Membership.Peer(id, true, caughtUp, 0);
  }

  @Test
  void withoutADiscoveryWindowAStorageIsActiveAtOnce() {
    Membership m = new Membership(0, 0, MAX_WAIT, PEER_TIMEOUT);
    assertEquals(StorageStatus.ACTIVE, m.status());
    assertTrue(m.decided());
  }

  @Test
  void aloneAfterTheWindowItBecomesActive() {
    Membership m = new Membership(1000, DISCOVERY, MAX_WAIT, PEER_TIMEOUT);
    assertEquals(StorageStatus.WAIT_SYNC, m.tick(2000, List.of()).status());
    assertFalse(m.decided());
    Membership.Step s = m.tick(4000, List.of());
    assertEquals(StorageStatus.ACTIVE, s.status());
    assertTrue(s.decidedNow());
  }

  @Test
  void withPeersItSyncsUntilCaughtUpWithEveryOne() {
    Membership m = new Membership(0, DISCOVERY, MAX_WAIT, PEER_TIMEOUT);
    assertEquals(
        StorageStatus.SYNCING,
        m.tick(DISCOVERY, List.of(alive(2, false), alive(3, false))).status());
    assertEquals(
        StorageStatus.SYNCING,
        m.tick(DISCOVERY + 100, List.of(alive(2, true), alive(3, false))).status());
    Membership.Step s = m.tick(DISCOVERY + 200, List.of(alive(2, true), alive(3, true)));
    assertEquals(StorageStatus.ACTIVE, s.status());
    assertTrue(s.activeNow());
    assertFalse(
        m.tick(DISCOVERY + 300, List.of(alive(2, true), alive(3, true))).activeNow(), "only once");
  }

  @Test
  void aFileArrivingEndsTheWaitButNotTheDecision() {
    Membership m = new Membership(0, DISCOVERY, MAX_WAIT, PEER_TIMEOUT);
    m.fileArrived();
    assertEquals(StorageStatus.SYNCING, m.status());
    assertFalse(m.decided());
    m.fileArrived();
    assertEquals(StorageStatus.SYNCING, m.status());
  }

  @Test
  void expectedPeersAreWaitedForUpToTheLimit() {
    Membership m = new Membership(0, DISCOVERY, MAX_WAIT, PEER_TIMEOUT);
    m.expect(7);
    assertEquals(
        StorageStatus.WAIT_SYNC, m.tick(DISCOVERY + 1, List.of()).status(), "7 not heard yet");
    assertFalse(m.decided());
    Membership.Step late = m.tick(DISCOVERY + MAX_WAIT, List.of());
    assertTrue(late.gaveUpOnExpected());
    assertEquals(StorageStatus.ACTIVE, late.status(), "nobody alive: alone");
  }

  @Test
  void anExpectedPeerHeardInTimeIsSyncedFrom() {
    Membership m = new Membership(0, DISCOVERY, MAX_WAIT, PEER_TIMEOUT);
    m.expect(7);
    Membership.Step s = m.tick(DISCOVERY + 5, List.of(alive(7, false)));
    assertFalse(s.gaveUpOnExpected());
    assertEquals(StorageStatus.SYNCING, s.status());
    assertEquals(StorageStatus.ACTIVE, m.tick(DISCOVERY + 10, List.of(alive(7, true))).status());
  }

  @Test
  void aPeerDownLongerThanThePeerTimeoutIsNotWaitedFor() {
    Membership m = new Membership(0, DISCOVERY, MAX_WAIT, PEER_TIMEOUT);
    long t = DISCOVERY;
    assertEquals(
        StorageStatus.SYNCING, m.tick(t, List.of(alive(2, true), alive(3, false))).status());
    Membership.Peer refusing = new Membership.Peer(3, false, false, t + 1);
    assertEquals(
        StorageStatus.SYNCING,
        m.tick(t + PEER_TIMEOUT, List.of(alive(2, true), refusing)).status(),
        "refusing, but not for long yet");
    assertEquals(
        StorageStatus.ACTIVE,
        m.tick(t + PEER_TIMEOUT + 2, List.of(alive(2, true), refusing)).status());
    Membership again = new Membership(0, DISCOVERY, MAX_WAIT, PEER_TIMEOUT);
    again.tick(t, List.of(alive(2, true), alive(3, false)));
    Membership.Peer refusingButHeard = new Membership.Peer(3, true, false, t + 1);
    assertEquals(
        StorageStatus.SYNCING,
        again.tick(t + 10 * PEER_TIMEOUT, List.of(alive(2, true), refusingButHeard)).status(),
        "a peer still heard from may hold newer files");
  }
}
