package io.dfstree.s3;

import java.time.Instant;

/**
 * SigV4 from the client's side: the {@code Authorization} header of a request ({@code bench-s3})
 * and the query of a presigned URL (the console's downloads). The same canonical request and
 * string to sign as {@link SigV4} verifies, so what is signed here verifies there.
 */
public final class SigV4Signer {
  private SigV4Signer() {}

  /**
   * Signs a request (header form) for a client: {@code headers} are the lower-case headers to sign,
   * with host, x-amz-date and x-amz-content-sha256 among them. Returns the Authorization value.
   */
  public static String authorization(
      String method,
      String rawPath,
      String rawQuery,
      java.util.SortedMap<String, String> headers,
      String accessKey,
      String secret,
      String region) {
    String date = headers.get("x-amz-date");
    String signed = String.join(";", headers.keySet());
    String canonical =
        SigV4.canonicalRequest(
            new SigV4.Request(method, rawPath, rawQuery, headers::get),
            signed,
            headers.get("x-amz-content-sha256"),
            false);
    String scope = date.substring(0, 8) + "/" + region + "/s3/aws4_request";
    String toSign = SigV4.stringToSign(date, scope, canonical);
    String sig = signature(secret, date, region, toSign);
    return SigV4.ALGORITHM
        + " Credential="
        + accessKey
        + "/"
        + scope
        + ", SignedHeaders="
        + signed
        + ", Signature="
        + sig;
  }

  /**
   * A presigned URL's query (header {@code host} signed, {@code UNSIGNED-PAYLOAD}), valid for
   * {@code expiresSeconds}: what the console hands a browser to download an object. {@code
   * extraQuery} (raw, already encoded; may be null) is signed along.
   */
  public static String presignQuery(
      String method,
      String host,
      String rawPath,
      String extraQuery,
      String accessKey,
      String secret,
      String region,
      Instant now,
      int expiresSeconds) {
    String date = SigV4.amzDate(now);
    String scope = date.substring(0, 8) + "/" + region + "/s3/aws4_request";
    String q =
        "X-Amz-Algorithm="
            + SigV4.ALGORITHM
            + "&X-Amz-Credential="
            + S3Uri.uriEncode(accessKey + "/" + scope, true)
            + "&X-Amz-Date="
            + date
            + "&X-Amz-Expires="
            + expiresSeconds
            + "&X-Amz-SignedHeaders=host"
            + (extraQuery == null || extraQuery.isEmpty() ? "" : "&" + extraQuery);
    String canonical =
        SigV4.canonicalRequest(
            new SigV4.Request(method, rawPath, q, h -> h.equals("host") ? host : null),
            "host",
            SigV4.UNSIGNED_PAYLOAD,
            true);
    String toSign = SigV4.stringToSign(date, scope, canonical);
    return q
        + "&X-Amz-Signature="
        + signature(secret, date, region, toSign);
  }

  /** The hex HMAC of {@code toSign} with the S3 signing key of {@code date}'s day. */
  private static String signature(String secret, String date, String region, String toSign) {
    byte[] key = SigV4.signingKey(secret, date.substring(0, 8), region, "s3");
    return SigV4.hex(SigV4.hmac(key, toSign));
  }
}
