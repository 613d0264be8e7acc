package io.dfstree.s3;

import static io.dfstree.s3.S3Uri.percentDecode;
import static io.dfstree.s3.S3Uri.queryParam;
import static io.dfstree.s3.S3Uri.uriEncode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 as S3 checks it, pure: the canonical request, the string to sign, the
 * signing key, and the two forms a request carries them in (the {@code Authorization} header, or
 * {@code X-Amz-*} query parameters for presigned URLs). Any region the client signed for is
 * accepted (the scope is part of what is signed, so it cannot be altered in transit). The
 * client's side (signing a request, presigning a URL) is {@link SigV4Signer}; the URI encoding
 * both build on is {@link S3Uri}.
 */
public final class SigV4 {
  public static final String ALGORITHM = "AWS4-HMAC-SHA256";
  public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  public static final String STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  public static final String STREAMING_PAYLOAD_TRAILER =
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
  public static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  public static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /** Clocks may differ by this much before a signed request is refused (S3's value). */
  public static final long MAX_SKEW_SECONDS = 15 * 60;

  /** Presigned URLs live at most a week (S3's limit). */
  public static final long MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

  static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
  private static final HexFormat HEX = HexFormat.of();

  private SigV4() {}

  /**
   * What the verifier needs of an HTTP request; {@code header} takes lower-case names, null when
   * absent.
   */
  public record Request(
      String method, String rawPath, String rawQuery, Function<String, String> header) {}

  /**
   * A verified request: who signed it, and what aws-chunked bodies need to verify their chunks
   * ({@link AwsChunkedParser}).
   */
  public record Verified(
      String accessKey,
      String amzDate,
      String scope,
      byte[] signingKey,
      String seedSignature,
      String payloadHash) {}

  /** True when the request carries a signature at all (header or query form). */
  public static boolean isSigned(Request r) {
    String auth = r.header().apply("authorization");
    return (auth != null && !auth.isEmpty())
        || queryParam(r.rawQuery(), "X-Amz-Signature") != null
        || queryParam(r.rawQuery(), "X-Amz-Credential") != null;
  }

  /**
   * Checks a request's signature against {@code secrets} (access key → secret key) at time {@code
   * now}; throws {@link S3Exception} with S3's code when it is not acceptable.
   */
  public static Verified verify(Request r, Map<String, String> secrets, Instant now) {
    String auth = r.header().apply("authorization");
    if (auth != null && !auth.isEmpty()) {
      return verifyHeader(r, auth, secrets, now);
    }
    return verifyQuery(r, secrets, now);
  }

  private static Verified verifyHeader(
      Request r, String auth, Map<String, String> secrets, Instant now) {
    if (!auth.startsWith(ALGORITHM + " ")) {
      if (auth.startsWith("AWS ")) {
        throw new S3Exception(
            400,
            "InvalidRequest",
            "Signature Version 2 is not supported; sign with AWS4-HMAC-SHA256");
      }
      throw new S3Exception(
          400,
          "AuthorizationHeaderMalformed",
          "The authorization header is malformed; expected " + ALGORITHM);
    }
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : auth.substring(ALGORITHM.length() + 1).split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String v = p.substring(eq + 1).trim();
      switch (p.substring(0, eq).trim()) {
        case "Credential" -> credential = v;
        case "SignedHeaders" -> signedHeaders = v;
        case "Signature" -> signature = v;
        default -> {}
      }
    }
    if (credential == null || signedHeaders == null || signature == null) {
      throw new S3Exception(
          400,
          "AuthorizationHeaderMalformed",
          "The authorization header is malformed; it needs Credential, SignedHeaders and Signature");
    }
    String amzDate = r.header().apply("x-amz-date");
    if (amzDate == null) {
      throw new S3Exception(
          403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
    }
    Instant signedAt = parseDate(amzDate);
    if (Math.abs(now.getEpochSecond() - signedAt.getEpochSecond()) > MAX_SKEW_SECONDS) {
      throw new S3Exception(
          403,
          "RequestTimeTooSkewed",
          "The difference between the request time ("
              + amzDate
              + ") and the server's time is too large");
    }
    String payload = r.header().apply("x-amz-content-sha256");
    if (payload == null) {
      throw new S3Exception(
          400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    }
    return check(r, credential, signedHeaders, signature, amzDate, payload, secrets, false);
  }

  private static Verified verifyQuery(Request r, Map<String, String> secrets, Instant now) {
    String algorithm = queryParam(r.rawQuery(), "X-Amz-Algorithm");
    if (!ALGORITHM.equals(algorithm)) {
      throw new S3Exception(
          400, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be " + ALGORITHM);
    }
    String credential = queryParam(r.rawQuery(), "X-Amz-Credential");
    String amzDate = queryParam(r.rawQuery(), "X-Amz-Date");
    String expires = queryParam(r.rawQuery(), "X-Amz-Expires");
    String signedHeaders = queryParam(r.rawQuery(), "X-Amz-SignedHeaders");
    String signature = queryParam(r.rawQuery(), "X-Amz-Signature");
    if (credential == null
        || amzDate == null
        || expires == null
        || signedHeaders == null
        || signature == null) {
      throw new S3Exception(
          400,
          "AuthorizationQueryParametersError",
          "Query-string authentication requires X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature");
    }
    long ttl;
    try {
      ttl = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      ttl = -1;
    }
    if (ttl < 1 || ttl > MAX_EXPIRES_SECONDS) {
      throw new S3Exception(
          400,
          "AuthorizationQueryParametersError",
          "X-Amz-Expires must be 1.." + MAX_EXPIRES_SECONDS + " seconds");
    }
    Instant signedAt = parseDate(amzDate);
    if (now.getEpochSecond() > signedAt.getEpochSecond() + ttl) {
      throw new S3Exception(403, "AccessDenied", "Request has expired");
    }
    if (signedAt.getEpochSecond() - now.getEpochSecond() > MAX_SKEW_SECONDS) {
      throw new S3Exception(
          403, "RequestTimeTooSkewed", "The presigned URL is dated in the future: " + amzDate);
    }
    String payload = queryParam(r.rawQuery(), "X-Amz-Content-Sha256");
    if (payload == null) {
      payload = r.header().apply("x-amz-content-sha256");
    }
    return check(
        r,
        credential,
        signedHeaders,
        signature,
        amzDate,
        payload == null ? UNSIGNED_PAYLOAD : payload,
        secrets,
        true);
  }

  private static Verified check(
      Request r,
      String credential,
      String signedHeaders,
      String signature,
      String amzDate,
      String payloadHash,
      Map<String, String> secrets,
      boolean presigned) {
    String[] cred = credential.split("/");
    if (cred.length != 5
        || !"aws4_request".equals(cred[4])
        || !"s3".equals(cred[3])
        || cred[1].length() != 8) {
      throw new S3Exception(
          400,
          presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed",
          "The credential is malformed; expected <access key>/<yyyyMMdd>/<region>/s3/aws4_request");
    }
    String accessKey = cred[0];
    String secret = secrets.get(accessKey);
    if (secret == null) {
      throw new S3Exception(
          403,
          "InvalidAccessKeyId",
          "The AWS access key Id you provided does not exist in our records.");
    }
    if (!amzDate.startsWith(cred[1])) {
      throw new S3Exception(
          403, "SignatureDoesNotMatch", "The credential date does not match the request date");
    }
    if (!(";" + signedHeaders + ";").contains(";host;")) {
      throw new S3Exception(403, "AccessDenied", "The host header must be signed");
    }
    String scope = cred[1] + "/" + cred[2] + "/" + cred[3] + "/" + cred[4];
    String canonical = canonicalRequest(r, signedHeaders, payloadHash, presigned);
    String toSign = stringToSign(amzDate, scope, canonical);
    byte[] key = signingKey(secret, cred[1], cred[2], cred[3]);
    String expected = hex(hmac(key, toSign));
    if (!MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        signature.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
      throw new S3Exception(
          403,
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
    }
    return new Verified(accessKey, amzDate, scope, key, expected, payloadHash);
  }

  /** What is signed: the algorithm, the request's date and scope, the canonical request's hash. */
  static String stringToSign(String amzDate, String scope, String canonicalRequest) {
    return ALGORITHM
        + "\n"
        + amzDate
        + "\n"
        + scope
        + "\n"
        + hex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
  }

  /** The canonical request of SigV4 (S3 flavour: the path is not normalized and encoded once). */
  static String canonicalRequest(
      Request r, String signedHeaders, String payloadHash, boolean presigned) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.method()).append('\n');
    sb.append(canonicalPath(r.rawPath())).append('\n');
    sb.append(canonicalQuery(r.rawQuery(), presigned)).append('\n');
    for (String h : signedHeaders.split(";")) {
      String v = r.header().apply(h);
      sb.append(h).append(':').append(v == null ? "" : collapseSpaces(v.trim())).append('\n');
    }
    sb.append('\n').append(signedHeaders).append('\n').append(payloadHash);
    return sb.toString();
  }

  static String canonicalPath(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    StringBuilder sb = new StringBuilder();
    int start = 0;
    while (start <= rawPath.length()) {
      int slash = rawPath.indexOf('/', start);
      int end = slash < 0 ? rawPath.length() : slash;
      sb.append(uriEncode(percentDecode(rawPath.substring(start, end)), true));
      if (slash < 0) {
        break;
      }
      sb.append('/');
      start = slash + 1;
    }
    return sb.toString();
  }

  static String canonicalQuery(String rawQuery, boolean presigned) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return "";
    }
    List<String[]> pairs = new ArrayList<>();
    for (String p : rawQuery.split("&")) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = percentDecode(eq < 0 ? p : p.substring(0, eq));
      String value = eq < 0 ? "" : percentDecode(p.substring(eq + 1));
      if (presigned && name.equals("X-Amz-Signature")) {
        continue;
      }
      pairs.add(new String[] {uriEncode(name, true), uriEncode(value, true)});
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder sb = new StringBuilder();
    for (String[] p : pairs) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(p[0]).append('=').append(p[1]);
    }
    return sb.toString();
  }

  /**
   * Runs of white space as one space, as the canonical headers want (no regex: this runs per header
   * per request).
   */
  static String collapseSpaces(String v) {
    boolean plain = true;
    for (int i = 0; i < v.length() && plain; i++) {
      char ch = v.charAt(i);
      plain =
          ch != '\t'
              && ch != '\n'
              && ch != '\r'
              && ch != '\f'
              && ch != 0x0B
              && !(ch == ' ' && i + 1 < v.length() && v.charAt(i + 1) == ' ');
    }
    if (plain) {
      return v;
    }
    StringBuilder sb = new StringBuilder(v.length());
    boolean space = false;
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      boolean ws = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == 0x0B;
      if (ws) {
        if (!space) {
          sb.append(' ');
        }
        space = true;
      } else {
        sb.append(ch);
        space = false;
      }
    }
    return sb.toString();
  }

  /** yyyyMMdd'T'HHmmss'Z' by hand: DateTimeFormatter showed up in the profile of every request. */
  static Instant parseDate(String amzDate) {
    try {
      if (amzDate.length() != 16 || amzDate.charAt(8) != 'T' || amzDate.charAt(15) != 'Z') {
        throw new DateTimeParseException("length", amzDate, 0);
      }
      int year = digits(amzDate, 0, 4);
      int month = digits(amzDate, 4, 6);
      int day = digits(amzDate, 6, 8);
      int hour = digits(amzDate, 9, 11);
      int minute = digits(amzDate, 11, 13);
      int second = digits(amzDate, 13, 15);
      return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
    } catch (java.time.DateTimeException e) {
      throw new S3Exception(
          403, "AccessDenied", "x-amz-date is not in the form yyyyMMdd'T'HHmmss'Z': " + amzDate);
    }
  }

  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        throw new DateTimeParseException("digit", s, i);
      }
      v = v * 10 + d;
    }
    return v;
  }

  public static String amzDate(Instant t) {
    return AMZ_DATE.format(t.atOffset(ZoneOffset.UTC));
  }

  /** Signing keys change once a day per key and region: four HMACs saved on every request. */
  private static final java.util.Map<String, byte[]> KEYS =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<String, byte[]> e) {
              return size() > 64;
            }
          });

  public static byte[] signingKey(String secret, String date, String region, String service) {
    String cacheKey = secret + '\n' + date + '\n' + region + '\n' + service;
    byte[] cached = KEYS.get(cacheKey);
    if (cached != null) {
      return cached;
    }
    byte[] key = deriveKey(secret, date, region, service);
    KEYS.put(cacheKey, key);
    return key;
  }

  private static byte[] deriveKey(String secret, String date, String region, String service) {
    byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    k = hmac(k, region);
    k = hmac(k, service);
    return hmac(k, "aws4_request");
  }

  /** Provider look-ups are slow; a Mac per thread is reused (init resets it). */
  private static final ThreadLocal<Mac> MACS =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance("HmacSHA256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException(e);
            }
          });

  public static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = MACS.get();
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] sha256(byte[] data) {
    return sha256().digest(data);
  }

  public static String hex(byte[] b) {
    return HEX.formatHex(b);
  }
}
