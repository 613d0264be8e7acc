package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dfstree.ListeningSockets;
import io.dfstree.TestPorts;
import io.dfstree.server.Launcher;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listeners that accept on the event loop that serves the connection: each instance binds its own
 * socket on a shared port, and its connect handler runs inside the accept, on its own loop — not
 * on Vert.x's acceptor thread, and with no hand-off between threads.
 */
class SameLoopListenerTest {
  private static final String HOST = "127.0.0.1";
  private static final int INSTANCES = 2;

  private Vertx vertx;
  private int port;

  /** What a connect handler saw: the thread it ran on, and whether that was the accept's thread. */
  private record Seen(String thread, boolean onItsListenersLoop, boolean insideTheAccept) {}

  /** An echo listener; with {@code vertx} true, Vert.x's own NetServer (reusePort asked for). */
  private static final class Echo extends VerticleBase {
    final int port;
    final boolean vertxServer;
    final Queue<Seen> seen;
    final Map<String, AtomicInteger> perLoop;
    SameLoopListener listener;

    Echo(int port, boolean vertxServer, Queue<Seen> seen, Map<String, AtomicInteger> perLoop) {
      this.port = port;
      this.vertxServer = vertxServer;
      this.seen = seen;
      this.perLoop = perLoop;
    }

    @Override
    public Future<?> start() {
      NetServerOptions options =
          new NetServerOptions().setHost(HOST).setPort(port).setTcpNoDelay(true).setReusePort(true);
      if (vertxServer) {
        return vertx.createNetServer(options).connectHandler(this::serve).listen();
      }
      return SameLoopListener.listen(context, options, this::serve).onSuccess(l -> listener = l);
    }

    @Override
    public Future<?> stop() {
      return listener == null ? Future.succeededFuture() : listener.close();
    }

    private void serve(NetSocket socket) {
      boolean inside = false;
      for (StackTraceElement e : Thread.currentThread().getStackTrace()) {
        // Netty's accept: the server channel's read hands the new channel to this acceptor
        inside |= e.getClassName().endsWith("ServerBootstrap$ServerBootstrapAcceptor");
      }
      seen.add(
          new Seen(
              Thread.currentThread().getName(),
              ((ContextInternal) context).nettyEventLoop().inEventLoop(),
              inside));
      perLoop.computeIfAbsent(Thread.currentThread().getName(), k -> new AtomicInteger()).incrementAndGet();
      socket.handler(socket::write);
    }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Launcher.createVertx(new JsonObject(), false).await(10, TimeUnit.SECONDS);
    assumeTrue(SameLoopListener.available(vertx), "native epoll");
    port = TestPorts.free();
  }

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void eachInstanceBindsItsOwnSocketAndServesWhatItAcceptsOnTheSameThread() throws Exception {
    Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> perLoop = new ConcurrentHashMap<>();
    deploy(false, seen, perLoop);
    assertEquals(INSTANCES, ListeningSockets.on(port), "listening sockets on the port");
    for (int i = 0; i < 40; i++) {
      echoOnce();
    }
    assertEquals(40, seen.size());
    for (Seen s : seen) {
      assertTrue(s.onItsListenersLoop() && s.insideTheAccept(), "handed off: " + s);
    }
    // the kernel spreads connections over the sockets (a hash of the addresses; 40 all on one of
    // two has a chance of 2^-39)
    assertEquals(INSTANCES, perLoop.size(), "connections per loop " + perLoop);
  }

  /** Why we bind ourselves: Vert.x shares one socket per port, accepted on its acceptor thread. */
  @Test
  void vertxsNetServerBindsOneSocketAndHandsEachConnectionToAnotherThread() throws Exception {
    Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    deploy(true, seen, new ConcurrentHashMap<>());
    assertEquals(1, ListeningSockets.on(port), "listening sockets on the port");
    echoOnce();
    Seen s = seen.remove();
    assertTrue(s.onItsListenersLoop(), s.toString());
    assertFalse(s.insideTheAccept(), "Vert.x 5 accepts on its acceptor thread: " + s);
  }

  @Test
  void closingStopsAcceptingClosesItsConnectionsAndFreesThePort() throws Exception {
    Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    String id = deploy(false, seen, new ConcurrentHashMap<>());
    assertThrows(IOException.class, () -> SameLoopListener.requireFree(HOST, port));
    try (Socket held = new Socket(HOST, port)) {
      held.getOutputStream().write(7);
      assertEquals(7, held.getInputStream().read());
      vertx.undeploy(id).await(10, TimeUnit.SECONDS);
      held.setSoTimeout(10_000);
      assertEquals(-1, held.getInputStream().read(), "the open connection is closed");
    }
    assertEquals(0, ListeningSockets.on(port));
    SameLoopListener.requireFree(HOST, port); // and a storage restarted on it binds again
    deploy(false, seen, new ConcurrentHashMap<>());
    echoOnce();
  }

  /** Vert.x's TCP server meters (Micrometer) still count the connections these listeners take. */
  @Test
  void theNetServerMetersCountItsConnections() throws Exception {
    deploy(false, new ConcurrentLinkedQueue<>(), new ConcurrentHashMap<>());
    try (Socket held = new Socket(HOST, port)) {
      held.getOutputStream().write(7);
      assertEquals(7, held.getInputStream().read());
      assertEquals(1.0, activeConnections(), "vertx_net_server_active_connections");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (activeConnections() != 0.0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0.0, activeConnections(), "after the client closed");
  }

  /**
   * Netty's epoll channel turns TCP_NODELAY on when it is created; the listener asked for it again
   * as a child option, one more setsockopt per connection on the event loop (w1c1). It now applies
   * only what differs from that default, and the kernel state is still what was asked for.
   */
  @Test
  void acceptedConnectionsGetTcpNoDelayAsAskedWithoutSettingNettysDefaultAgain() throws Exception {
    assumeTrue(io.netty.util.internal.PlatformDependent.canEnableTcpNoDelayByDefault());
    NetServerOptions on = new NetServerOptions().setTcpNoDelay(true);
    assertFalse(
        SameLoopListener.childOptions(on).containsKey(io.netty.channel.ChannelOption.TCP_NODELAY),
        "TCP_NODELAY set again on every accepted channel: " + SameLoopListener.childOptions(on));
    NetServerOptions off = new NetServerOptions().setTcpNoDelay(false);
    assertEquals(
        Boolean.FALSE,
        SameLoopListener.childOptions(off).get(io.netty.channel.ChannelOption.TCP_NODELAY));
    assertEquals(true, noDelayOfAnAcceptedConnection(true));
    assertEquals(false, noDelayOfAnAcceptedConnection(false));
  }

  /** TCP_NODELAY of a connection accepted by a listener with {@code noDelay}, from the kernel. */
  private boolean noDelayOfAnAcceptedConnection(boolean noDelay) throws Exception {
    int p = TestPorts.free();
    java.util.concurrent.CompletableFuture<Boolean> seen =
        new java.util.concurrent.CompletableFuture<>();
    String id =
        vertx
            .deployVerticle(
                new VerticleBase() {
                  SameLoopListener listener;

                  @Override
                  public Future<?> start() {
                    NetServerOptions options =
                        new NetServerOptions().setHost(HOST).setPort(p).setTcpNoDelay(noDelay);
                    return SameLoopListener.listen(
                            context,
                            options,
                            socket ->
                                seen.complete(
                                    ((io.vertx.core.internal.net.NetSocketInternal) socket)
                                        .channelHandlerContext()
                                        .channel()
                                        .config()
                                        .getOption(io.netty.channel.ChannelOption.TCP_NODELAY)))
                        .onSuccess(l -> listener = l);
                  }

                  @Override
                  public Future<?> stop() {
                    return listener.close();
                  }
                })
            .await(10, TimeUnit.SECONDS);
    try (Socket s = new Socket(HOST, p)) {
      return seen.get(10, TimeUnit.SECONDS);
    } finally {
      vertx.undeploy(id).await(10, TimeUnit.SECONDS);
    }
  }

  private double activeConnections() {
    double sum = 0;
    for (Gauge g :
        Launcher.meterRegistry(vertx).find("vertx.net.server.active.connections").gauges()) {
      sum += g.value();
    }
    return sum;
  }

  private String deploy(boolean vertxServer, Queue<Seen> seen, Map<String, AtomicInteger> perLoop)
      throws Exception {
    return vertx
        .deployVerticle(
            () -> new Echo(port, vertxServer, seen, perLoop),
            new DeploymentOptions().setInstances(INSTANCES))
        .await(10, TimeUnit.SECONDS);
  }

  private void echoOnce() throws IOException {
    try (Socket s = new Socket(HOST, port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(42);
      InputStream in = s.getInputStream();
      assertEquals(42, in.read());
    }
  }
}
