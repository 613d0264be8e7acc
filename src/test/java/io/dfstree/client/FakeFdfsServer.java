package io.dfstree.client;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A loopback socket that answers each FastDFS request with whatever bytes a test's {@link
 * Responder} returns, and records the requests. It checks client framing and error handling, not
 * server behaviour.
 */
public final class FakeFdfsServer implements AutoCloseable {
  /** A request as received: command, header status byte and the whole body. */
  public record Request(int command, int status, byte[] body) {}

  /** Produces the complete answer (header and body) for a request; null closes the connection. */
  public interface Responder {
    byte[] respond(Request request, int ownPort) throws IOException;
  }

  private final ServerSocket server;
  private final Responder responder;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final java.util.concurrent.atomic.AtomicInteger connections =
      new java.util.concurrent.atomic.AtomicInteger();

  private FakeFdfsServer(Responder responder) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.responder = responder;
    Thread acceptor = new Thread(this::acceptLoop, "fake-fdfs-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public static FakeFdfsServer start(Responder responder) throws IOException {
    return new FakeFdfsServer(responder);
  }

  public int port() {
    return server.getLocalPort();
  }

  public ServerAddress address() {
    return new ServerAddress("127.0.0.1", port());
  }

  /** How many connections were accepted so far. */
  public int connections() {
    return connections.get();
  }

  public List<Request> requests() {
    synchronized (requests) {
      return new ArrayList<>(requests);
    }
  }

  /** A success answer carrying {@code body}. */
  public static byte[] ok(byte[] body) {
    return Bytes.of().header(body.length, 100, 0).raw(body).bytes();
  }

  /** An error answer: status {@code errno}, no body. */
  public static byte[] error(int errno) {
    return Bytes.of().header(0, 100, errno).bytes();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        connections.incrementAndGet();
        Thread t = new Thread(() -> serve(s), "fake-fdfs-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (true) {
        long length = in.readLong();
        int command = in.readUnsignedByte();
        int status = in.readUnsignedByte();
        byte[] body = new byte[(int) length];
        in.readFully(body);
        Request r = new Request(command, status, body);
        requests.add(r);
        if (command == 82) {
          return;
        }
        byte[] answer = responder.respond(r, port());
        if (answer == null) {
          return;
        }
        out.write(answer);
        out.flush();
      }
    } catch (IOException e) {
      // the client went away; nothing to report
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
