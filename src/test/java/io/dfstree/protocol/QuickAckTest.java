package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Re-arming quick-ack on a connection its client already closed (a request handled after the client
 * sent it and vanished) is not an error: it used to throw Netty's ChannelException on the event
 * loop, logged as an unhandled exception (seen in ProtocolFuzzTest under load).
 */
class QuickAckTest {
  @Test
  void reArmingOnAClosedConnectionDoesNothing() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      assertEquals(
          true, vertx.isNativeTransportEnabled(), "the epoll transport is what this tests");
      Promise<Throwable> outcome = Promise.promise();
      NetServer server =
          vertx
              .createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
              .connectHandler(
                  socket -> {
                    Runnable quickAck = QuickAck.forSocket(socket);
                    quickAck.run(); // open: sets the option
                    socket
                        .close()
                        .onComplete(
                            closed -> {
                              try {
                                quickAck.run(); // closed: must not throw
                                outcome.tryComplete(null);
                              } catch (Throwable t) {
                                outcome.tryComplete(t);
                              }
                            });
                  });
      server.listen().await();
      try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
        Throwable thrown =
            outcome.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertDoesNotThrow(
            () -> {
              if (thrown != null) {
                throw thrown;
              }
            });
      }
    } finally {
      vertx.close().await();
    }
  }
}
