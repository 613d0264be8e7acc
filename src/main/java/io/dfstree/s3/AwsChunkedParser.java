package io.dfstree.s3;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes an {@code aws-chunked} body (what the AWS SDKs and CLI send for streaming uploads) as it
 * arrives, pure: {@code <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0...\r\n} followed by
 * optional trailer lines ({@code x-amz-checksum-crc32:..}, {@code x-amz-trailer-signature:..}) and
 * an empty line. Signed chunks are checked against the chain that starts at the request's seed
 * signature; a chunk whose signature does not match fails the upload (its bytes were passed on
 * already, so the caller must abort what it wrote). Memory is bounded by one header line.
 */
public final class AwsChunkedParser {
  private static final int MAX_LINE = 4096;

  private enum State {
    HEADER,
    DATA,
    DATA_CR,
    DATA_LF,
    TRAILER,
    DONE
  }

  private final SigV4.Verified auth;
  private final boolean signed;
  private final boolean trailer;
  private final long decodedLength;
  private final PayloadChecksum checksum;
  private final StringBuilder line = new StringBuilder();
  private final Map<String, String> trailers = new LinkedHashMap<>();
  private State state = State.HEADER;
  private long remaining;
  private String chunkSignature;
  private String previousSignature;
  private MessageDigest chunkHash;
  private long decoded;
  private boolean lastChunk;

  /**
   * @param auth the verified request (null for unsigned chunks)
   * @param payloadMode the request's x-amz-content-sha256 (one of the STREAMING-* values)
   * @param decodedLength x-amz-decoded-content-length, or -1 when not given
   * @param trailerHeader x-amz-trailer (the checksum header to expect after the last chunk), or
   *     null
   */
  public AwsChunkedParser(
      SigV4.Verified auth, String payloadMode, long decodedLength, String trailerHeader) {
    this.auth = auth;
    this.signed = payloadMode.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    this.trailer = payloadMode.endsWith("-TRAILER");
    this.decodedLength = decodedLength;
    this.checksum = trailerHeader == null ? null : PayloadChecksum.forHeader(trailerHeader);
    this.previousSignature = auth == null ? null : auth.seedSignature();
    if (signed && auth == null) {
      throw new S3Exception(
          400, "InvalidRequest", "signed aws-chunked payload on an unsigned request");
    }
  }

  /** Feeds raw body bytes; decoded payload slices go to {@code out} in order. */
  public void feed(Buffer in, Consumer<Buffer> out) {
    int i = 0;
    int n = in.length();
    while (i < n) {
      switch (state) {
        case HEADER, TRAILER -> {
          byte b = in.getByte(i++);
          if (b == '\n') {
            if (line.length() == 0 || line.charAt(line.length() - 1) != '\r') {
              throw incomplete("chunk line not ended by CRLF");
            }
            line.setLength(line.length() - 1);
            String l = line.toString();
            line.setLength(0);
            if (state == State.HEADER) {
              header(l);
            } else {
              trailerLine(l);
            }
          } else {
            if (line.length() >= MAX_LINE) {
              throw incomplete("chunk header longer than " + MAX_LINE + " bytes");
            }
            line.append((char) (b & 0xff));
          }
        }
        case DATA -> {
          int take = (int) Math.min(remaining, n - i);
          Buffer slice = in.slice(i, i + take);
          i += take;
          remaining -= take;
          decoded += take;
          if (decodedLength >= 0 && decoded > decodedLength) {
            throw incomplete("more payload than x-amz-decoded-content-length " + decodedLength);
          }
          if (chunkHash != null) {
            chunkHash.update(BodyStream.nio(slice));
          }
          if (checksum != null) {
            checksum.update(slice);
          }
          out.accept(slice);
          if (remaining == 0) {
            state = State.DATA_CR;
          }
        }
        case DATA_CR -> {
          if (in.getByte(i++) != '\r') {
            throw incomplete("chunk data not followed by CRLF");
          }
          state = State.DATA_LF;
        }
        case DATA_LF -> {
          if (in.getByte(i++) != '\n') {
            throw incomplete("chunk data not followed by CRLF");
          }
          endOfChunk();
          state = State.HEADER;
        }
        case DONE -> throw incomplete("bytes after the last chunk");
      }
    }
  }

  private void header(String l) {
    if (lastChunk) {
      // a final zero chunk without trailers ends with one empty line
      if (!l.isEmpty()) {
        throw incomplete("unexpected line after the last chunk");
      }
      state = State.DONE;
      return;
    }
    int semi = l.indexOf(';');
    String hex = (semi < 0 ? l : l.substring(0, semi)).trim();
    long size;
    try {
      size = Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw incomplete("chunk size is not hex: " + shorten(hex));
    }
    if (size < 0 || hex.length() > 16) {
      throw incomplete("bad chunk size");
    }
    chunkSignature = null;
    if (semi >= 0) {
      String ext = l.substring(semi + 1).trim();
      if (ext.startsWith("chunk-signature=")) {
        chunkSignature = ext.substring("chunk-signature=".length());
      }
    }
    if (signed && chunkSignature == null) {
      throw new S3Exception(
          403,
          "SignatureDoesNotMatch",
          "a chunk of a signed aws-chunked body has no chunk-signature");
    }
    chunkHash = signed ? SigV4.sha256() : null;
    remaining = size;
    if (size == 0) {
      lastChunk = true;
      endOfChunk();
      state = trailer ? State.TRAILER : State.HEADER;
    } else {
      state = State.DATA;
    }
  }

  private void endOfChunk() {
    if (!signed) {
      return;
    }
    String toSign =
        "AWS4-HMAC-SHA256-PAYLOAD\n"
            + auth.amzDate()
            + "\n"
            + auth.scope()
            + "\n"
            + previousSignature
            + "\n"
            + SigV4.EMPTY_SHA256
            + "\n"
            + SigV4.hex(chunkHash.digest());
    String expected = SigV4.hex(SigV4.hmac(auth.signingKey(), toSign));
    if (!expected.equalsIgnoreCase(chunkSignature)) {
      throw new S3Exception(
          403,
          "SignatureDoesNotMatch",
          "The chunk signature does not match (chunk ending at payload byte " + decoded + ")");
    }
    previousSignature = expected;
  }

  private void trailerLine(String l) {
    if (l.isEmpty()) {
      state = State.DONE;
      return;
    }
    int colon = l.indexOf(':');
    if (colon <= 0) {
      throw incomplete("malformed trailer line");
    }
    String name = l.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
    String value = l.substring(colon + 1).trim();
    if (name.equals("x-amz-trailer-signature")) {
      if (signed) {
        StringBuilder canon = new StringBuilder();
        trailers.forEach((k, v) -> canon.append(k).append(':').append(v).append('\n'));
        String toSign =
            "AWS4-HMAC-SHA256-TRAILER\n"
                + auth.amzDate()
                + "\n"
                + auth.scope()
                + "\n"
                + previousSignature
                + "\n"
                + SigV4.hex(SigV4.sha256(canon.toString().getBytes(StandardCharsets.UTF_8)));
        if (!SigV4.hex(SigV4.hmac(auth.signingKey(), toSign)).equalsIgnoreCase(value)) {
          throw new S3Exception(
              403, "SignatureDoesNotMatch", "The trailer signature does not match");
        }
      }
      return;
    }
    if (trailers.size() > 16) {
      throw incomplete("too many trailers");
    }
    trailers.put(name, value);
  }

  /** The body ended: checks that it was complete, its length, and its trailing checksum. */
  public void finish() {
    if (state != State.DONE && !(state == State.HEADER && lastChunk && !trailer)) {
      throw incomplete("the body ended before its last chunk");
    }
    if (decodedLength >= 0 && decoded != decodedLength) {
      throw incomplete(
          "payload of " + decoded + " bytes, x-amz-decoded-content-length says " + decodedLength);
    }
    if (checksum != null) {
      String v = trailers.get(checksum.header());
      if (v == null) {
        throw new S3Exception(
            400,
            "InvalidRequest",
            "the trailer " + checksum.header() + " announced in x-amz-trailer is missing");
      }
      checksum.check(v);
    }
  }

  public long decodedBytes() {
    return decoded;
  }

  private static S3Exception incomplete(String why) {
    return new S3Exception(400, "IncompleteBody", "Malformed aws-chunked body: " + why);
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
