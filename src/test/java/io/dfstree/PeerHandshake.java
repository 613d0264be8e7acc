package io.dfstree;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The member handshake on a raw storage socket, written from the wire description
 * (storage.PeerAuth) rather than with the server's own code (StorageCodec, PeerAuth), so a test
 * through it checks them against the description: challenge 123, then proof 124 = member id (8
 * bytes) ‖ HMAC-SHA256(secret, nonce ‖ member id). Returns the status of the proof's answer (0 =
 * member).
 */
public final class PeerHandshake {
  private PeerHandshake() {}

  public static int prove(Socket s, String secret, long memberId) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    s.getOutputStream()
        .write(ByteBuffer.allocate(10).putLong(0).put((byte) 123).put((byte) 0).array());
    long len = in.readLong();
    in.readByte();
    int status = in.readByte() & 0xFF;
    if (status != 0) {
      return status;
    }
    byte[] nonce = new byte[(int) len];
    in.readFully(nonce);
    byte[] mac;
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      m.update(nonce);
      m.update(ByteBuffer.allocate(8).putLong(memberId).array());
      mac = m.doFinal();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    s.getOutputStream()
        .write(
            ByteBuffer.allocate(10 + 8 + 32)
                .putLong(40)
                .put((byte) 124)
                .put((byte) 0)
                .putLong(memberId)
                .put(mac)
                .array());
    long rlen = in.readLong();
    in.readByte();
    int answer = in.readByte() & 0xFF;
    in.readNBytes((int) rlen);
    return answer;
  }
}
