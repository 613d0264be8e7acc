package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.StorageRequest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The membership proof without sockets: what passes, what is refused, what cannot be replayed. */
class PeerAuthTest {
  static final byte[] SECRET = "0123456789abcdef-secret".getBytes(StandardCharsets.UTF_8);

  @Test
  void aMemberWithTheSecretPasses() {
    PeerAuth server = new PeerAuth(SECRET, 1);
    PeerAuth.Session s = server.session();
    assertFalse(s.isMember());
    Buffer nonce = s.challenge();
    assertEquals(PeerAuth.NONCE_LEN, nonce.length());
    s.verify(new PeerAuth(SECRET, 7).prove(nonce.getBytes()));
    assertTrue(s.isMember());
    assertEquals(7, s.member());
  }

  @Test
  void aWrongSecretAWrongIdAReplayAndNoChallengeAreRefused() {
    PeerAuth server = new PeerAuth(SECRET, 1);
    PeerAuth.Session s = server.session();
    Buffer nonce = s.challenge();
    FdfsException e =
        assertThrows(
            FdfsException.class,
            () ->
                s.verify(
                    new PeerAuth("another-secret-0123".getBytes(StandardCharsets.UTF_8), 7)
                        .prove(nonce.getBytes())));
    assertEquals(Errno.EACCES, e.errno());
    assertFalse(s.isMember());

    // a proof for one id does not pass for another
    Buffer n2 = s.challenge();
    StorageRequest.PeerAuthProve proof = new PeerAuth(SECRET, 7).prove(n2.getBytes());
    assertThrows(
        FdfsException.class, () -> s.verify(new StorageRequest.PeerAuthProve(8, proof.mac())));

    // a good proof recorded on one connection is worth nothing on another (fresh nonce)
    PeerAuth.Session first = server.session();
    StorageRequest.PeerAuthProve good = new PeerAuth(SECRET, 7).prove(first.challenge().getBytes());
    first.verify(good);
    PeerAuth.Session second = server.session();
    second.challenge();
    assertThrows(FdfsException.class, () -> second.verify(good));
    // nor on the same connection twice: the nonce is spent
    assertThrows(FdfsException.class, () -> first.verify(good));
    // nor without a challenge
    assertThrows(FdfsException.class, () -> server.session().verify(good));
  }

  @Test
  void onlyPeerCommandsAreMemberOnly() {
    assertTrue(PeerAuth.memberOnly(Command.REPLICA_UPLOAD));
    assertTrue(PeerAuth.memberOnly(Command.BINLOG_FETCH));
    assertTrue(PeerAuth.memberOnly(Command.PEER_DOWNLOAD));
    assertFalse(PeerAuth.memberOnly(Command.UPLOAD_FILE));
    assertFalse(PeerAuth.memberOnly(Command.DOWNLOAD_FILE));
    assertFalse(PeerAuth.memberOnly(Command.PEER_AUTH_CHALLENGE));
  }

  @Test
  void withoutAConfiguredSecretTheFirstMemberGeneratesOneTheOthersShare() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      PeerAuth a = PeerAuth.load(vertx, "", 1).await();
      PeerAuth b = PeerAuth.load(vertx, "", 2).await();
      PeerAuth.Session s = a.session();
      s.verify(b.prove(s.challenge().getBytes()));
      assertTrue(s.isMember(), "b proves itself to a with the generated secret");
      Vertx other = Vertx.vertx();
      try {
        PeerAuth outsider = PeerAuth.load(other, "", 3).await();
        PeerAuth.Session s2 = a.session();
        assertThrows(
            FdfsException.class,
            () -> s2.verify(outsider.prove(s2.challenge().getBytes())),
            "another process generated its own secret");
      } finally {
        other.close().await();
      }
    } finally {
      vertx.close().await();
    }
  }
}
