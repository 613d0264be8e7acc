package io.dfstree.http;

import io.dfstree.api.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The console's S3 bucket browser, on the tracker's HTTP port; each call is passed over the event
 * bus to the storage that serves S3 ({@code S3ConsoleService}), with the S3 key pair the user typed
 * in the console (header {@code X-S3-Key: <access key>:<secret>}):
 *
 * <pre>
 *   GET    /api/s3/buckets
 *   GET    /api/s3/objects?bucket=b&amp;prefix=p&amp;delimiter=/&amp;token=t&amp;max=100
 *   GET    /api/s3/object?bucket=b&amp;key=k      metadata, file id(s), a presigned download link
 *   DELETE /api/s3/object?bucket=b&amp;key=k
 * </pre>
 *
 * 503 when no S3 endpoint answers (S3 off), the S3 error's status otherwise.
 */
public final class S3BrowserRoutes {
  static final long TIMEOUT_MS = 10_000;

  private final Vertx vertx;

  public S3BrowserRoutes(Vertx vertx) {
    this.vertx = vertx;
  }

  public void mount(Router router) {
    router.get("/api/s3/buckets").handler(ctx -> ask(ctx, new JsonObject().put("op", "buckets")));
    router
        .get("/api/s3/objects")
        .handler(
            ctx ->
                ask(
                    ctx,
                    new JsonObject()
                        .put("op", "list")
                        .put("bucket", ctx.request().getParam("bucket", ""))
                        .put("prefix", ctx.request().getParam("prefix", ""))
                        .put("delimiter", ctx.request().getParam("delimiter", ""))
                        .put("token", ctx.request().getParam("token"))
                        .put("max", intParam(ctx, "max", 100))));
    router
        .get("/api/s3/object")
        .handler(
            ctx ->
                ask(
                    ctx,
                    object(ctx, "head")
                        .put(
                            "host",
                            hostName(
                                ctx.request().authority() == null
                                    ? null
                                    : ctx.request().authority().host()))));
    router.delete("/api/s3/object").handler(ctx -> ask(ctx, object(ctx, "delete")));
  }

  private static JsonObject object(RoutingContext ctx, String op) {
    return new JsonObject()
        .put("op", op)
        .put("bucket", ctx.request().getParam("bucket", ""))
        .put("key", ctx.request().getParam("key", ""));
  }

  static int intParam(RoutingContext ctx, String name, int dflt) {
    try {
      return Integer.parseInt(ctx.request().getParam(name, Integer.toString(dflt)));
    } catch (NumberFormatException e) {
      return dflt;
    }
  }

  /** The host the browser used, for the download link (its S3 port is the endpoint's). */
  static String hostName(String authority) {
    return authority == null || authority.isEmpty() ? "127.0.0.1" : authority;
  }

  private void ask(RoutingContext ctx, JsonObject q) {
    String pair = ctx.request().getHeader("X-S3-Key");
    int colon = pair == null ? -1 : pair.indexOf(':');
    if (colon <= 0) {
      HttpErrors.send(
          ctx.response(),
          401,
          "send the S3 access key and secret as 'X-S3-Key: <access key>:<secret>'");
      return;
    }
    q.put("accessKey", pair.substring(0, colon)).put("secretKey", pair.substring(colon + 1));
    vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.S3_CONSOLE, q, new DeliveryOptions().setSendTimeout(TIMEOUT_MS))
        .onSuccess(
            r ->
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .putHeader("cache-control", "no-store")
                    .end(r.body().encode()))
        .onFailure(
            err -> {
              if (err instanceof ReplyException re && re.failureCode() >= 400) {
                HttpErrors.send(ctx.response(), re.failureCode(), re.getMessage());
              } else {
                HttpErrors.send(
                    ctx.response(),
                    503,
                    "no S3 endpoint answers (is s3.port set on a storage?): " + err.getMessage());
              }
            });
  }
}
