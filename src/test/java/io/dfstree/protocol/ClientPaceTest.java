package io.dfstree.protocol;

import static io.dfstree.protocol.ClientPace.Phase.IDLE;
import static io.dfstree.protocol.ClientPace.Phase.READING;
import static io.dfstree.protocol.ClientPace.Phase.SERVING;
import static io.dfstree.protocol.ClientPace.Verdict.IDLE_TOO_LONG;
import static io.dfstree.protocol.ClientPace.Verdict.OK;
import static io.dfstree.protocol.ClientPace.Verdict.TOO_SLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pace rules, one window at a time (windows of 1 s, 100 bytes minimum, 5 s idle). */
class ClientPaceTest {
  static final ClientLimits LIMITS = new ClientLimits(10, 5000, 1000, 100, 0);

  @Test
  void aTrickleInsideARequestTripsAfterOneWholeWindow() {
    ClientPace p = new ClientPace(LIMITS);
    p.received(10);
    assertEquals(OK, p.tick(READING), "the request began inside this window: not a whole window");
    p.received(1); // 1 byte/s: still "progress", but far too little
    assertEquals(TOO_SLOW, p.tick(READING));
  }

  @Test
  void aFastClientIsFine() {
    ClientPace p = new ClientPace(LIMITS);
    for (int i = 0; i < 100; i++) {
      p.received(100);
      assertEquals(OK, p.tick(READING));
    }
  }

  @Test
  void windowsTheServerHeldBackDoNotCount() {
    ClientPace p = new ClientPace(LIMITS);
    p.tick(READING);
    p.heldBack(); // socket paused for a slow disk during this window
    assertEquals(OK, p.tick(READING));
    assertEquals(OK, p.tick(SERVING), "working on the request");
    assertEquals(OK, p.tick(READING), "the window before was ours");
    assertEquals(TOO_SLOW, p.tick(READING));
  }

  @Test
  void idleBetweenRequestsUntilTheIdleTimeout() {
    ClientPace p = new ClientPace(LIMITS);
    for (int i = 0; i < 4; i++) {
      assertEquals(OK, p.tick(IDLE));
    }
    assertEquals(IDLE_TOO_LONG, p.tick(IDLE), "5 windows of 1 s");
    ClientPace q = new ClientPace(LIMITS);
    for (int i = 0; i < 20; i++) {
      q.received(30); // a request every second, however small, is not idleness
      assertEquals(OK, q.tick(IDLE));
    }
  }
}
