package io.dfstree.tracker;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a dead storage within a second instead of a heartbeat timeout, two ways:
 *
 * <ul>
 *   <li>the storage's Hazelcast member leaves the cluster (heartbeats name their member id);
 *   <li>an idle TCP connection this tracker holds to each storage's port closes and a new one is
 *       refused or times out — what a killed process or a dead host looks like. A connection the
 *       storage closes on purpose (an idle timeout) is simply reopened.
 * </ul>
 *
 * Either one turns the storage OFFLINE in the {@link GroupMap} at once ({@link GroupMap#down}), so
 * the next client asking where to upload is sent to a live member. A stalled process (SIGSTOP)
 * keeps its sockets; the heartbeat timeout still covers that case.
 *
 * <p>All map updates run on the tracker verticle's context.
 */
final class MemberWatch {
  private static final Logger LOG = LoggerFactory.getLogger(MemberWatch.class);

  /** A connect that takes longer than this counts as a dead host. */
  static final int CONNECT_TIMEOUT_MS = 1000;

  /** Retry interval while a storage cannot be reached. */
  static final long RETRY_MS = 1000;

  /**
   * A storage that closes our connection at once three times in a row does not want it
   * (allowHosts).
   */
  static final long QUICK_CLOSE_MS = 2000;

  static final int QUICK_CLOSES_TO_BACK_OFF = 3;
  static final long BACK_OFF_MS = 30_000;

  private final Vertx vertx;
  private final Context context;
  private final GroupMap map;
  private final Consumer<List<StateChange>> changes;
  private final LongSupplier clockMs;
  private final NetClient client;
  private final Map<Integer, Probe> probes = new HashMap<>();
  private HazelcastInstance hazelcast;
  private UUID listener;
  private boolean closed;

  MemberWatch(
      Vertx vertx,
      Context context,
      GroupMap map,
      Consumer<List<StateChange>> changes,
      LongSupplier clockMs) {
    this.vertx = vertx;
    this.context = context;
    this.map = map;
    this.changes = changes;
    this.clockMs = clockMs;
    this.client =
        vertx.createNetClient(
            new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS).setTcpKeepAlive(true));
  }

  /** Listens for Hazelcast members leaving, when this Vert.x is clustered over Hazelcast. */
  void start() {
    if (vertx instanceof VertxInternal internal
        && internal.clusterManager() instanceof HazelcastClusterManager hz) {
      hazelcast = hz.getHazelcastInstance();
      listener =
          hazelcast
              .getCluster()
              .addMembershipListener(
                  new MembershipListener() {
                    @Override
                    public void memberAdded(MembershipEvent event) {
                      // a storage announces itself with its first heartbeat; one whose member
                      // left in a split and merged back is heard again at once, not only after
                      // a heartbeat timeout (GroupMap.down ignores its beats until then)
                      String nodeId = vertxNodeId(event.getMember());
                      context.runOnContext(x -> map.memberBack(nodeId));
                    }

                    @Override
                    public void memberRemoved(MembershipEvent event) {
                      String nodeId = vertxNodeId(event.getMember());
                      LOG.info("cluster member {} left", nodeId);
                      context.runOnContext(
                          x -> changes.accept(map.memberLeft(nodeId, clockMs.getAsLong())));
                    }
                  });
    }
  }

  /**
   * The Vert.x node id of a Hazelcast member: what a storage's heartbeat names ({@code
   * ClusterManager.getNodeId()}). Vert.x 5's Hazelcast cluster manager gives each node a random id
   * of its own and publishes it as the member attribute {@code __vertx.nodeId}; it is not the
   * member's UUID, which this watch compared before (so a member leaving turned nothing OFFLINE and
   * only the port probe or the heartbeat timeout did). A member without the attribute (not a Vert.x
   * node, or an older one) is named by its UUID.
   */
  static String vertxNodeId(com.hazelcast.cluster.Member member) {
    String id = member.getAttribute(VERTX_NODE_ID);
    return id != null ? id : member.getUuid().toString();
  }

  /** The member attribute in which Vert.x's Hazelcast cluster manager publishes its node id. */
  static final String VERTX_NODE_ID = "__vertx.nodeId";

  /**
   * A heartbeat of {@code e} was applied: make sure its port is watched (at its current address).
   */
  void heard(StorageEntry e) {
    if (closed || e == null) {
      return;
    }
    Probe p = probes.get(e.id());
    if (p != null && p.host.equals(e.host()) && p.port == e.port()) {
      return;
    }
    if (p != null) {
      p.stop();
    }
    p = new Probe(e.id(), e.host(), e.port());
    probes.put(e.id(), p);
    p.connect();
  }

  void close() {
    closed = true;
    probes.values().forEach(Probe::stop);
    probes.clear();
    if (hazelcast != null && listener != null) {
      try {
        hazelcast.getCluster().removeMembershipListener(listener);
      } catch (RuntimeException shuttingDown) {
        // Hazelcast already stopped with the Vert.x instance
      }
    }
    client.close();
  }

  /** One idle connection to one storage's port. */
  private final class Probe {
    final int id;
    final String host;
    final int port;
    NetSocket socket;
    boolean everConnected;
    boolean unreachable;
    long connectedAtMs;
    int quickCloses;
    long timer = -1;
    boolean stopped;

    Probe(int id, String host, int port) {
      this.id = id;
      this.host = host;
      this.port = port;
    }

    void connect() {
      if (stopped) {
        return;
      }
      client
          .connect(port, host)
          .onComplete(
              ar -> {
                if (stopped) {
                  if (ar.succeeded()) {
                    ar.result().close();
                  }
                  return;
                }
                if (ar.failed()) {
                  if (everConnected && !unreachable) {
                    // it answered before and now refuses or times out: the process or its host is
                    // gone
                    unreachable = true;
                    LOG.info(
                        "storage {} at {}:{} stopped answering: {}",
                        id,
                        host,
                        port,
                        ar.cause().getMessage());
                    changes.accept(map.down(id, clockMs.getAsLong()));
                  }
                  retry(everConnected ? RETRY_MS : 2 * RETRY_MS);
                  return;
                }
                NetSocket s = ar.result();
                socket = s;
                everConnected = true;
                connectedAtMs = clockMs.getAsLong();
                if (unreachable) {
                  unreachable = false;
                  map.markReachable(id);
                }
                s.handler(ignored -> {});
                s.exceptionHandler(ignored -> {}); // a reset closes the channel as well
                // Not closeHandler: a peer that closes before this callback runs (a storage killed
                // right after accepting) never reaches a closeHandler set now, and the probe would
                // wait for the heartbeat timeout. The channel's close future also fires for a
                // close that already happened.
                ((NetSocketInternal) s)
                    .channelHandlerContext()
                    .channel()
                    .closeFuture()
                    .addListener(f -> context.runOnContext(v -> onClosed(s)));
              });
    }

    private void onClosed(NetSocket closedSocket) {
      if (socket != closedSocket) {
        return; // an older connection, already replaced
      }
      socket = null;
      if (stopped) {
        return;
      }
      quickCloses = clockMs.getAsLong() - connectedAtMs < QUICK_CLOSE_MS ? quickCloses + 1 : 0;
      if (quickCloses >= QUICK_CLOSES_TO_BACK_OFF) {
        quickCloses = 0;
        LOG.info(
            "storage {} at {}:{} closed our connection {} times at once: next try in {} s",
            id,
            host,
            port,
            QUICK_CLOSES_TO_BACK_OFF,
            BACK_OFF_MS / 1000);
        retry(BACK_OFF_MS);
      } else {
        connect(); // at once: a refusal now means the process is gone
      }
    }

    private void retry(long delayMs) {
      timer =
          vertx.setTimer(
              delayMs,
              t -> {
                timer = -1;
                connect();
              });
    }

    void stop() {
      stopped = true;
      if (timer >= 0) {
        vertx.cancelTimer(timer);
      }
      if (socket != null) {
        socket.close();
      }
    }
  }
}
