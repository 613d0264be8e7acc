package io.dfstree.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.spi.cluster.hazelcast.ClusterHealthCheck;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code /health} (liveness: the process answers and its disks can be queried) and {@code /ready}
 * (readiness: the role is serving; in a cluster, Hazelcast is safe too). JSON, 200 UP or 503 DOWN.
 */
public final class Health {
  private Health() {}

  /**
   * @param dirs directories whose filesystems must answer (store paths; none for a tracker)
   * @param ready the role's readiness, with a detail message
   */
  public static void mount(
      Vertx vertx, Router router, List<String> dirs, Supplier<Future<String>> ready) {
    HealthChecks live = HealthChecks.create(vertx);
    live.register(
        "process",
        2000,
        p ->
            p.complete(
                Status.OK(
                    new JsonObject()
                        .put("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime())
                        .put(
                            "heapUsedBytes",
                            Runtime.getRuntime().totalMemory()
                                - Runtime.getRuntime().freeMemory()))));
    for (String dir : dirs) {
      live.register(
          "disk:" + dir,
          5000,
          p ->
              vertx
                  .fileSystem()
                  .fsProps(dir)
                  .onComplete(
                      ar -> {
                        if (ar.failed()) {
                          p.complete(
                              Status.KO(
                                  new JsonObject()
                                      .put(
                                          "message",
                                          "cannot query " + dir + ": " + ar.cause().getMessage())));
                        } else {
                          long usable = ar.result().usableSpace();
                          JsonObject data = new JsonObject().put("usableBytes", usable);
                          p.complete(
                              usable > 0
                                  ? Status.OK(data)
                                  : Status.KO(data.put("message", "no space left")));
                        }
                      }));
    }
    HealthChecks readiness = HealthChecks.create(vertx);
    readiness.register(
        "serving",
        5000,
        p ->
            ready
                .get()
                .onComplete(
                    ar ->
                        p.complete(
                            ar.succeeded()
                                ? Status.OK(new JsonObject().put("message", ar.result()))
                                : Status.KO(
                                    new JsonObject().put("message", ar.cause().getMessage())))));
    if (vertx.isClustered()) {
      readiness.register("cluster-safe", 5000, ClusterHealthCheck.createProcedure(vertx));
    }
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness));
  }
}
