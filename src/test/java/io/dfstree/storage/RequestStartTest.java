package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.PacketHeader;
import org.junit.jupiter.api.Test;

/** What the storage connection does after a header, decided without a socket. */
class RequestStartTest {
  static final long LIMIT = 1 << 20;

  static RequestStart of(long len, byte command, boolean allowed) {
    return RequestStart.of(new PacketHeader(len, command, (byte) 0), allowed, LIMIT);
  }

  @Test
  void aNegativeLengthOrAMemberCommandFromAnOutsiderIsRefusedAndClosed() {
    assertEquals(
        Errno.EINVAL,
        assertInstanceOf(RequestStart.Refuse.class, of(-1, Command.UPLOAD_FILE, true)).errno());
    assertEquals(
        Errno.EACCES,
        assertInstanceOf(RequestStart.Refuse.class, of(9, Command.REPLICA_UPLOAD, false)).errno());
  }

  @Test
  void aSmallRequestIsReadWholeUpToTheLimitAndRefusedBeyondIt() {
    RequestStart.Read r =
        assertInstanceOf(RequestStart.Read.class, of(60, Command.DELETE_FILE, true));
    assertEquals(ConnectionExchange.Part.WHOLE, r.part());
    assertEquals(60, r.bytes());
    assertEquals(
        Errno.EINVAL,
        assertInstanceOf(RequestStart.Refuse.class, of(LIMIT + 1, Command.DELETE_FILE, true))
            .errno());
  }

  @Test
  void aStreamedRequestReadsItsPrefixFirstAndAShortBodyIsSkipped() {
    RequestStart.Read r =
        assertInstanceOf(RequestStart.Read.class, of(15 + 100, Command.UPLOAD_FILE, true));
    assertEquals(ConnectionExchange.Part.PREFIX, r.part());
    assertEquals(15, r.bytes());
    RequestStart.Fail f =
        assertInstanceOf(RequestStart.Fail.class, of(14, Command.UPLOAD_FILE, true));
    assertEquals(Errno.EINVAL, f.error().errno());
    assertEquals(14, f.unread(), "the short body is skipped so the next header is read in step");
  }

  @Test
  void unknownCommandsAndBodiesOnActiveTestAreSkippedActiveTestAndQuitNeedNoRead() {
    RequestStart.Fail unknown = assertInstanceOf(RequestStart.Fail.class, of(5, (byte) 77, true));
    assertEquals(5, unknown.unread());
    assertEquals(
        3, assertInstanceOf(RequestStart.Fail.class, of(3, Command.ACTIVE_TEST, true)).unread());
    assertInstanceOf(RequestStart.Empty.class, of(0, Command.ACTIVE_TEST, true));
    assertInstanceOf(RequestStart.Quit.class, of(0, Command.QUIT, true));
  }
}
