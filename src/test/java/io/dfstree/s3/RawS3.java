package io.dfstree.s3;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * S3 over a raw socket: the request line goes out exactly as written (no client normalizes "..",
 * re-encodes or validates anything), signed with SigV4 header auth when asked.
 */
final class RawS3 {
  record Response(int status, Map<String, String> headers, String body) {
    String code() {
      int a = body.indexOf("<Code>");
      return a < 0 ? null : body.substring(a + 6, body.indexOf("</Code>"));
    }
  }

  private final int port;
  private final String accessKey;
  private final String secretKey;

  RawS3(int port, String accessKey, String secretKey) {
    this.port = port;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  Response send(
      String method, String target, Map<String, String> extraHeaders, byte[] body, boolean sign)
      throws Exception {
    return send(method, target, extraHeaders, body, sign, "UNSIGNED-PAYLOAD");
  }

  Response send(
      String method,
      String target,
      Map<String, String> extraHeaders,
      byte[] body,
      boolean sign,
      String payloadHash)
      throws Exception {
    Map<String, String> h = new TreeMap<>();
    h.put("host", "127.0.0.1:" + port);
    extraHeaders.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), v));
    if (body != null && !h.containsKey("content-length") && !h.containsKey("transfer-encoding")) {
      h.put("content-length", Integer.toString(body.length));
    }
    if (sign) {
      Instant now = Instant.now();
      String date = SigV4.amzDate(now);
      h.put("x-amz-date", date);
      h.put("x-amz-content-sha256", payloadHash);
      String signed = String.join(";", h.keySet());
      int q = target.indexOf('?');
      SigV4.Request r =
          new SigV4.Request(
              method,
              q < 0 ? target : target.substring(0, q),
              q < 0 ? null : target.substring(q + 1),
              h::get);
      String canonical;
      try {
        canonical = SigV4.canonicalRequest(r, signed, payloadHash, false);
      } catch (S3Exception undecodable) {
        canonical = "a path no canonical request can be made of";
      }
      String scope = date.substring(0, 8) + "/us-east-1/s3/aws4_request";
      String toSign =
          "AWS4-HMAC-SHA256\n"
              + date
              + "\n"
              + scope
              + "\n"
              + SigV4.hex(SigV4.sha256(canonical.getBytes(StandardCharsets.UTF_8)));
      String sig =
          SigV4.hex(
              SigV4.hmac(
                  SigV4.signingKey(secretKey, date.substring(0, 8), "us-east-1", "s3"), toSign));
      h.put(
          "authorization",
          "AWS4-HMAC-SHA256 Credential="
              + accessKey
              + "/"
              + scope
              + ", SignedHeaders="
              + signed
              + ", Signature="
              + sig);
    }
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
      h.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("connection: close\r\n\r\n");
      out.write(head.toString().getBytes(StandardCharsets.UTF_8));
      try {
        if (body != null) {
          out.write(body);
        }
        out.flush();
      } catch (java.io.IOException closedEarly) {
        // the server answered before reading the whole body and closed: read its answer
      }
      return read(s.getInputStream());
    }
  }

  private static Response read(InputStream in) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        all.write(buf, 0, n);
      }
    } catch (java.net.SocketException reset) {
      // a reset after the answer: keep what came
    }
    String text = all.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(c + 1).trim());
    }
    return new Response(status, headers, text.substring(end + 4));
  }
}
