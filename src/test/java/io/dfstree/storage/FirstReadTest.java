package io.dfstree.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * A small request that arrives whole is read whole: one read, one pass through the decoder, on a
 * connection that was just opened (the official client opens one per operation). Netty's first
 * read buffer is 2 KiB, so without {@link FirstRead} a 4 KiB upload took two reads.
 */
class FirstReadTest {
  /** The bytes of a 4 KiB upload request: header 10, fields 15, content 4,096. */
  private static final int UPLOAD_4K = 10 + 15 + 4096;

  @Test
  void aSmallUploadSentInOneWriteIsReadInOneRead() throws Exception {
    assertEquals(1, readsFor(UPLOAD_4K, true));
  }

  @Test
  void withoutItNettysFirstReadSplitsIt() throws Exception {
    // what FirstRead is for: Netty's first read buffer (2 KiB) takes a 4 KiB upload in two reads
    assertEquals(2, readsFor(UPLOAD_4K, false));
  }

  /** How many data events the server saw for {@code size} bytes written in one write. */
  private static int readsFor(int size, boolean sized) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try {
      NetServer server =
          vertx
              .createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0))
              .connectHandler(
                  socket -> {
                    if (sized) {
                      FirstRead.sizeFor(socket);
                    }
                    int[] reads = {0};
                    Buffer all = Buffer.buffer();
                    socket.handler(
                        b -> {
                          reads[0]++;
                          all.appendBuffer(b);
                          if (all.length() == size) {
                            socket.write(Buffer.buffer().appendInt(reads[0]));
                          }
                        });
                  });
      server.listen().await();
      byte[] request = new byte[size];
      for (int i = 0; i < size; i++) {
        request[i] = (byte) i;
      }
      try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
        OutputStream out = s.getOutputStream();
        out.write(request); // one write: on loopback a small one arrives as one segment
        out.flush();
        return new DataInputStream(s.getInputStream()).readInt();
      }
    } finally {
      vertx.close().await();
    }
  }
}
