package io.dfstree.http;

import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Errors as JSON {@code {error, message}} with a status chosen from the FastDFS errno. */
public final class HttpErrors {
  private HttpErrors() {}

  public static int status(Throwable err) {
    if (!(err instanceof FdfsException f)) {
      return 500;
    }
    return switch (f.errno()) {
      case Errno.EINVAL, Errno.ENAMETOOLONG -> 400;
      case Errno.ENOENT -> 404;
      case Errno.EEXIST -> 409;
      case Errno.EACCES, Errno.EPERM -> 403;
      case Errno.ENOSPC -> 507;
      case Errno.EBUSY, Errno.ECONNREFUSED -> 503;
      case Errno.ETIMEDOUT -> 504;
      default -> 500;
    };
  }

  public static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 401 -> "unauthorized";
      case 403 -> "forbidden";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 409 -> "conflict";
      case 411 -> "length_required";
      case 413 -> "too_large";
      case 416 -> "range_not_satisfiable";
      case 503 -> "unavailable";
      case 507 -> "insufficient_storage";
      default -> status >= 500 ? "server_error" : "error";
    };
  }

  public static JsonObject body(int status, String message) {
    return new JsonObject().put("error", code(status)).put("message", message);
  }

  public static void send(HttpServerResponse resp, int status, String message) {
    if (resp.ended() || resp.headWritten()) {
      return;
    }
    resp.setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body(status, message).encode());
  }

  public static void send(HttpServerResponse resp, Throwable err) {
    send(
        resp,
        status(err),
        err instanceof FdfsException ? err.getMessage() : "internal error: " + err);
  }
}
