package io.dfstree.s3;

/**
 * An S3 error answer: the HTTP status and the S3 error code clients switch on ({@code NoSuchKey},
 * {@code SignatureDoesNotMatch}, ...), with a message for a person.
 */
public final class S3Exception extends RuntimeException {
  private final int status;
  private final String code;

  public S3Exception(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static S3Exception noSuchBucket(String bucket) {
    return new S3Exception(404, "NoSuchBucket", "The specified bucket does not exist: " + bucket);
  }

  public static S3Exception noSuchKey(String key) {
    return new S3Exception(404, "NoSuchKey", "The specified key does not exist.");
  }

  public static S3Exception noSuchUpload(String uploadId) {
    return new S3Exception(
        404, "NoSuchUpload", "The specified multipart upload does not exist: " + uploadId);
  }

  public static S3Exception invalidArgument(String message) {
    return new S3Exception(400, "InvalidArgument", message);
  }

  public static S3Exception accessDenied(String message) {
    return new S3Exception(403, "AccessDenied", message);
  }

  public static S3Exception malformedXml(String message) {
    return new S3Exception(400, "MalformedXML", message);
  }

  public static S3Exception notImplemented(String what) {
    return new S3Exception(501, "NotImplemented", what + " is not implemented by this server");
  }

  public static S3Exception internal(Throwable cause) {
    return new S3Exception(500, "InternalError", "We encountered an internal error: " + cause);
  }
}
