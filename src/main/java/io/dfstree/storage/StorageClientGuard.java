package io.dfstree.storage;

import io.dfstree.protocol.ClientPace;
import io.dfstree.protocol.ClientWatch;
import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.FrameDecoder;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * What one storage connection may do and hold, kept apart from the protocol handling: the pace
 * checks of {@link ClientWatch} (idle and trickle timeouts), the write-out of a stalled upload, and
 * whether the other side has proved it is a group member ({@link PeerAuth}) before it may use the
 * member-only commands.
 */
final class StorageClientGuard {
  /** Under the connection's name, where these lines always were. */
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(StorageConnection.class);

  private final StorageNode node;
  private final String remote;
  private final ClientWatch watch;
  private final PeerAuth.Session member;

  StorageClientGuard(
      Vertx vertx,
      StorageNode node,
      String remote,
      Supplier<ClientPace.Phase> phase,
      Runnable close) {
    this.node = node;
    this.remote = remote;
    this.watch =
        new ClientWatch(
            vertx,
            node.limits,
            phase,
            reason -> {
              node.clientLog.info("pace", "storage: closing " + remote + ": " + reason);
              close.run();
            });
    PeerAuth auth = node.peerAuth;
    this.member = auth == null ? null : auth.session();
  }

  /** The connection's phase from its decoder: between requests, reading one, or held by us. */
  static ClientPace.Phase phase(FrameDecoder.State state, int buffered, boolean socketPaused) {
    if (socketPaused) {
      return ClientPace.Phase.SERVING;
    }
    return switch (state) {
      case HEADER -> buffered > 0 ? ClientPace.Phase.READING : ClientPace.Phase.IDLE;
      case FIXED, BODY, DISCARD -> ClientPace.Phase.READING;
      default -> ClientPace.Phase.SERVING;
    };
  }

  void received(int bytes) {
    watch.received(bytes);
  }

  void heldBack() {
    watch.heldBack();
  }

  void flushIfStalled(Runnable flush) {
    watch.soon(flush);
  }

  void stop() {
    watch.stop();
  }

  /** False for a member-only command on a connection that has not proved membership. */
  boolean mayUse(byte command) {
    return !PeerAuth.memberOnly(command) || (member != null && member.isMember());
  }

  /**
   * Answers the member handshake ({@link PeerAuth}): a nonce for a challenge, an empty success for
   * a proof that holds. A proof that does not (or any proof before this storage has a secret)
   * throws EACCES, and the caller closes: one guess per connection.
   */
  StorageReply authenticate(StorageRequest req) {
    if (member == null) {
      throw new FdfsException(Errno.EACCES, "this storage has no cluster secret yet");
    }
    if (!(req instanceof StorageRequest.PeerAuthProve proof)) {
      return new StorageReply.Challenge(member.challenge().getBytes());
    }
    try {
      member.verify(proof);
    } catch (FdfsException e) {
      node.clientLog.warn("peer-proof", "storage: " + remote + ": " + e.getMessage());
      throw e;
    }
    return new StorageReply.Empty();
  }

  /**
   * Logs a request that failed: routine misses at debug, anything else once per kind (errno,
   * command) per interval with a count, so a flood of bad packets is not a flood of log lines.
   */
  void logError(int errno, int cmd, Throwable err) {
    String what = err instanceof FdfsException ? err.getMessage() : err.toString();
    if ((errno == Errno.ENOENT || errno == Errno.ERANGE)
        && (cmd == (Command.QUERY_FILE_INFO & 0xFF) || cmd >= (Command.REPLICA_UPLOAD & 0xFF))) {
      // "is it here yet?" from clients polling and from peers catching up: routine, not news
      LOG.debug("storage: {} for cmd {} from {}: {}", Errno.name(errno), cmd, remote, what);
    } else {
      String line =
          "storage: " + Errno.name(errno) + " for cmd " + cmd + " from " + remote + ": " + what;
      node.clientLog.log(
          errno == Errno.ENOENT ? org.slf4j.event.Level.INFO : org.slf4j.event.Level.WARN,
          errno + "/" + cmd,
          line);
    }
  }
}
