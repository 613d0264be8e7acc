package io.dfstree.tracker;

import io.dfstree.api.Addresses;
import io.dfstree.api.Heartbeat;
import io.dfstree.config.TrackerOptions;
import io.dfstree.protocol.HostFilter;
import io.dfstree.protocol.SameLoopListener;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker role: FastDFS tracker protocol on {@code host:port}, a group map fed by storage
 * heartbeats on the event bus, a periodic offline check, and a JSON query address for monitors.
 * Everything runs on this verticle's event loop, which is what makes {@link GroupMap} safe.
 */
public class TrackerVerticle extends VerticleBase {
  /**
   * Event-bus request/reply address: {@code {"op":"groups"}} answers {@link GroupMap#toJson()};
   * {@code store}, {@code fetch} and {@code update} route event-bus clients ({@link
   * EventBusQueries}).
   */
  public static final String QUERY_ADDRESS = Addresses.TRACKER_QUERY;

  static final long OFFLINE_CHECK_MS = 500;
  private static final Logger LOG = LoggerFactory.getLogger(TrackerVerticle.class);

  private TrackerOptions options;
  private GroupMap map;
  private TrackerCommands commands;
  private HostFilter allowed;
  private NetServer server; // without native epoll
  private SameLoopListener listener; // with it
  private final List<TrackerAdapter> adapters;
  private long bodyTimeoutMs;
  private MemberWatch watch;
  private io.dfstree.protocol.ClientLimits limits;
  private final io.dfstree.protocol.ClientWatch.Cap cap = new io.dfstree.protocol.ClientWatch.Cap();
  private static final io.dfstree.protocol.RateLimitedLog LOG_LIMITED =
      new io.dfstree.protocol.RateLimitedLog(
          LOG, io.dfstree.protocol.ClientLimits.DEFAULT_LOG_INTERVAL_MS);

  /** The tracker protocol alone, with no front ends (tests). */
  public TrackerVerticle() {
    this(List.of());
  }

  /** With the front ends the composition root ({@code server.Roles}) gives it, started in order. */
  public TrackerVerticle(List<TrackerAdapter> adapters) {
    this.adapters = List.copyOf(adapters);
  }

  @Override
  public Future<?> start() {
    options = TrackerOptions.from(config());
    bodyTimeoutMs = options.requestBodyTimeoutMs();
    limits = options.limits();
    map = new GroupMap(options.heartbeatTimeoutMs());
    commands = new TrackerCommands(map, options, this::log);
    allowed = new HostFilter(options.allowHosts());

    vertx.eventBus().<JsonObject>consumer(Addresses.HEARTBEAT, m -> onHeartbeat(m.body()));
    vertx
        .eventBus()
        .<JsonObject>consumer(
            Addresses.STORAGE_LEAVING,
            m -> logAll(map.leave(m.body().getInteger("storageId", -1))));
    EventBusQueries queries =
        new EventBusQueries(map, new Routing(map, options), System::currentTimeMillis);
    vertx.eventBus().<JsonObject>consumer(QUERY_ADDRESS, queries::handle);
    vertx.setPeriodic(OFFLINE_CHECK_MS, id -> logAll(map.expire(System.currentTimeMillis())));
    watch = new MemberWatch(vertx, context, map, this::logAll, System::currentTimeMillis);
    watch.start();

    // as the storage listener: answers go out at once, and a request whose header and body come
    // in separate segments (clients without TCP_NODELAY) is acknowledged at once (QuickAck)
    NetServerOptions serverOptions =
        new NetServerOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setTcpNoDelay(true)
            .setTcpQuickAck(true);
    Future<Integer> bound;
    if (SameLoopListener.available(vertx)) {
      // accepted on this verticle's loop, not on Vert.x's acceptor thread and handed over: a
      // client that opens a tracker connection per operation pays no thread hand-off (the
      // official client keeps its tracker connection; see SameLoopListener)
      bound =
          SameLoopListener.listen(context, serverOptions, this::onConnect)
              .map(
                  l -> {
                    listener = l;
                    return l.actualPort();
                  });
    } else {
      server = vertx.createNetServer(serverOptions);
      server.connectHandler(this::onConnect);
      bound = server.listen().map(NetServer::actualPort);
    }
    Future<?> listening =
        bound.onSuccess(
            port ->
                LOG.info(
                    "tracker listening on {}:{} ({} list layout)",
                    options.host(),
                    port,
                    ListLayout.named(options.listLayout()).name().toLowerCase()));
    for (TrackerAdapter a : adapters) {
      listening = listening.compose(x -> a.start(this));
    }
    return listening;
  }

  @Override
  public Future<?> stop() {
    if (watch != null) {
      watch.close();
    }
    Future<?> stopped = Future.succeededFuture();
    for (TrackerAdapter a : adapters) {
      stopped = stopped.transform(x -> a.stop());
    }
    return stopped.transform(
        x ->
            listener != null
                ? listener.close()
                : server == null ? Future.succeededFuture() : server.close());
  }

  /** This tracker's options, for its front ends. */
  public TrackerOptions options() {
    return options;
  }

  /** The Vert.x this tracker runs on, for its front ends. */
  public Vertx vertx() {
    return vertx;
  }

  /** The live group map, for tests (read it on this verticle's context). */
  public GroupMap groupMap() {
    return map;
  }

  /** The port actually bound. */
  public int actualPort() {
    return listener != null ? listener.actualPort() : server.actualPort();
  }

  private void onConnect(NetSocket socket) {
    String ip = socket.remoteAddress().hostAddress();
    if (!allowed.allows(ip)) {
      LOG.info("tracker client {} not in allowHosts, closing", ip);
      socket.close();
      return;
    }
    if (!cap.tryOpen(limits.maxConnections())) {
      LOG_LIMITED.warn(
          "cap",
          "tracker: "
              + limits.maxConnections()
              + " connections open, refusing "
              + ip
              + " with EBUSY");
      io.dfstree.protocol.ClientWatch.refuse(vertx, socket);
      return;
    }
    new TrackerConnection(
            vertx,
            socket,
            commands,
            options.maxRequestBytes(),
            bodyTimeoutMs,
            System::currentTimeMillis)
        .limits(limits, cap::closed)
        .start();
  }

  private void onHeartbeat(JsonObject json) {
    Heartbeat beat;
    try {
      beat = Heartbeat.fromJson(json);
    } catch (RuntimeException e) {
      LOG.info("ignoring malformed heartbeat: {}", e.getMessage());
      return;
    }
    if (beat.group() == null || beat.host() == null) {
      LOG.info("ignoring heartbeat of storage {} without group or host", beat.storageId());
      return;
    }
    logAll(map.apply(beat, System.currentTimeMillis()));
    watch.heard(map.storage(beat.storageId()));
  }

  private void logAll(List<StateChange> changes) {
    changes.forEach(this::log);
  }

  private void log(StateChange c) {
    LOG.info("{}", c);
  }
}
