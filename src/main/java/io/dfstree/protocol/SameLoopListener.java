package io.dfstree.protocol;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.buffer.VertxByteBufAllocator;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TcpServerConfig;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.core.net.impl.tcp.NetSocketImpl;
import io.vertx.core.spi.metrics.TransportMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * A TCP listener that accepts on the event loop that serves its connections: its own listening
 * socket with {@code SO_REUSEPORT}, registered on the calling verticle's event loop, so several
 * listeners (one per verticle instance) share a port and the kernel spreads new connections over
 * them, as nginx's {@code listen ... reuseport} does.
 *
 * <p>Why not Vert.x's {@code NetServer}: Vert.x 5 binds one socket per port in a Vert.x instance
 * (servers on the same port share it, {@code reusePort} or not) on its single acceptor thread,
 * and hands each accepted channel to a worker event loop: a cross-thread register (an eventfd
 * wake-up of the worker) before the request is even read. The official FastDFS client opens a
 * storage connection per operation, so that hand-off is paid on every c=1 operation: 45-50 us of
 * acceptor CPU and ~1.15 context switches per connection (benchmark/PROFILE.md, w1grp). Here the
 * accept, the channel set-up, the request and the close run on one thread with no hand-off.
 *
 * <p>The accepted channel becomes Vert.x's own {@code NetSocketImpl} behind Vert.x's {@code
 * VertxHandler}, exactly as {@code NetServerImpl.NetSocketInitializer.connected} builds it (no TLS,
 * no idle handler, no proxy protocol, no write-handler registration: none is used on these ports),
 * so a connection handler sees the same {@link NetSocket} it gets from a {@code NetServer}, and
 * Vert.x's TCP server metrics (the Micrometer {@code vertx_net_server_*} meters) are fed the same
 * way (they cost 0.3-0.6 us per connection and ~6 ns per read, measured apart: kept). Only on
 * native epoll ({@link #available}); elsewhere callers keep Vert.x's {@code NetServer}.
 */
public final class SameLoopListener {
  private final ContextInternal context;
  private final TransportMetrics<Object> metrics;
  private final Handler<NetSocket> onConnect;
  // every connection it accepted and still open; touched only on the loop
  private final Set<Channel> open = new HashSet<>();
  private volatile Channel server;

  private SameLoopListener(
      ContextInternal context, TransportMetrics<Object> metrics, Handler<NetSocket> onConnect) {
    this.context = context;
    this.metrics = metrics;
    this.onConnect = onConnect;
  }

  /** True when this Vert.x runs on native epoll, the transport these listeners are built on. */
  public static boolean available(Vertx vertx) {
    return vertx.isNativeTransportEnabled() && Epoll.isAvailable();
  }

  /**
   * Fails with the bind's {@link IOException} ("Address already in use") when {@code host:port}
   * is taken. Call once before the listeners of a port bind: with {@code SO_REUSEPORT} a second
   * process of ours on the same port would otherwise join the first one's socket group and take
   * half of its connections silently; this bind (without {@code SO_REUSEPORT}) fails when any
   * socket is bound there, ours included, as Vert.x's one bind did. (Two of ours started at the
   * same instant could both pass it before either binds; a start is not that frequent.)
   */
  public static void requireFree(String host, int port) throws IOException {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as the listeners: TIME_WAIT connections do not block a restart
      probe.bind(new InetSocketAddress(host, port));
    }
  }

  /**
   * Binds {@code options}' host and port on {@code context}'s event loop and hands each accepted
   * connection to {@code onConnect} on that context. Of the options it applies {@code reusePort}
   * (to the listening socket: several listeners on the port; call {@link #requireFree} first),
   * {@code tcpNoDelay} and {@code tcpQuickAck} (to accepted connections, as Vert.x would); the
   * others are not used on our ports. Call on {@code context}.
   */
  public static Future<SameLoopListener> listen(
      Context context, NetServerOptions options, Handler<NetSocket> onConnect) {
    ContextInternal ctx = (ContextInternal) context;
    EventLoop loop = ctx.nettyEventLoop();
    VertxInternal vertx = ctx.owner();
    SocketAddress local = SocketAddress.inetSocketAddress(options.getPort(), options.getHost());
    VertxMetrics vm = vertx.metrics();
    @SuppressWarnings("unchecked")
    TransportMetrics<Object> metrics =
        vm == null
            ? null
            : (TransportMetrics<Object>)
                vm.createTcpServerMetrics(new TcpServerConfig(options), "tcp", local);
    SameLoopListener self = new SameLoopListener(ctx, metrics, onConnect);
    Promise<SameLoopListener> bound = ctx.promise();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(loop, loop) // accept and serve on the one loop: no hand-off
            .channel(EpollServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            // several listeners on one port (one per event loop) need it; one alone binds as
            // exclusively as Vert.x would
            .option(EpollChannelOption.SO_REUSEPORT, options.isReusePort())
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    self.accepted(ch);
                  }
                });
    childOptions(options).forEach(bootstrap::childOption);
    // the configured host is an address (or a name in /etc/hosts): resolved here, at start
    ChannelFuture bind =
        bootstrap.bind(new InetSocketAddress(options.getHost(), options.getPort()));
    self.server = bind.channel();
    bind.addListener(
        f -> {
          if (f.isSuccess()) {
            bound.complete(self);
          } else {
            if (metrics != null) {
              metrics.close();
            }
            bound.fail(f.cause());
          }
        });
    return bound.future();
  }

  /**
   * The options set on each accepted channel, as Vert.x would set them, less what Netty's epoll
   * channel already does when it is created: it turns {@code TCP_NODELAY} on by itself ({@code
   * EpollSocketChannelConfig}, wherever {@code PlatformDependent.canEnableTcpNoDelayByDefault()}),
   * so asking for it again was a second {@code setsockopt} on the event loop for every connection
   * (the official client opens one per operation; benchmark/PROFILE.md, "w1c1"). Each value here
   * is applied with its own system call ({@code ALLOCATOR} excepted).
   */
  @SuppressWarnings("unchecked")
  static java.util.Map<ChannelOption<Object>, Object> childOptions(NetServerOptions options) {
    java.util.Map<ChannelOption<Object>, Object> out = new java.util.LinkedHashMap<>();
    out.put(
        (ChannelOption<Object>) (ChannelOption<?>) ChannelOption.ALLOCATOR,
        VertxByteBufAllocator.POOLED_ALLOCATOR);
    if (options.isTcpNoDelay() != PlatformDependent.canEnableTcpNoDelayByDefault()) {
      out.put(
          (ChannelOption<Object>) (ChannelOption<?>) ChannelOption.TCP_NODELAY,
          options.isTcpNoDelay());
    }
    if (options.isTcpQuickAck()) {
      out.put((ChannelOption<Object>) (ChannelOption<?>) EpollChannelOption.TCP_QUICKACK, true);
    }
    return out;
  }

  /** The port bound (the configured one, or the one the kernel chose for port 0). */
  public int actualPort() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /**
   * Stops accepting and closes every connection still open, as closing a Vert.x {@code NetServer}
   * does; the port is free for a new listener when the future completes.
   */
  public Future<Void> close() {
    Promise<Void> closed = context.promise();
    context
        .nettyEventLoop()
        .execute(
            () -> {
              ChannelFuture f = server.close();
              for (Channel ch : new ArrayList<>(open)) {
                ch.close();
              }
              f.addListener(
                  x -> {
                    if (metrics != null) {
                      metrics.close();
                    }
                    closed.complete();
                  });
            });
    return closed.future();
  }

  /** On the loop, for a channel just accepted and registered there. */
  private void accepted(Channel ch) {
    open.add(ch);
    ch.closeFuture().addListener(f -> open.remove(ch));
    // as NetServerImpl.NetSocketInitializer.connected: the connection is made when the handler
    // joins the pipeline, its close reports `disconnected` to the metrics
    VertxHandler<NetSocketImpl> handler =
        VertxHandler.create(
            chctx -> new NetSocketImpl(context, chctx, null, null, metrics, false));
    handler.addHandler(
        conn -> {
          if (metrics != null) {
            conn.metric(metrics.connected(conn.remoteAddress(), conn.remoteName()));
          }
          context.emit(conn, onConnect);
        });
    ch.pipeline().addLast("handler", handler);
  }
}
