package io.dfstree.server;

import io.dfstree.http.StorageHttpVerticle;
import io.dfstree.http.TrackerHttp;
import io.dfstree.replication.Replicator;
import io.dfstree.storage.StorageAdapter;
import io.dfstree.storage.StorageVerticle;
import io.dfstree.tracker.TrackerAdapter;
import io.dfstree.tracker.TrackerVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * The composition root: builds each role's verticle with the front ends its deployment descriptor
 * ({@code verticles/<role>.json}, {@code "adapters"}) names. Roles know their front ends only by
 * {@link TrackerAdapter} and {@link StorageAdapter}, so dependencies point inward: {@code http}
 * uses the roles, never the other way round.
 */
public final class Roles {
  /** The front end every role gets when its descriptor names none. */
  public static final List<String> DEFAULT_ADAPTERS = List.of("http");

  private Roles() {}

  /** The verticle {@code name} (a descriptor's {@code "name"}) with {@code adapters}. */
  public static Deployable create(
      String name, List<String> adapters, PrometheusMeterRegistry registry) {
    if (name.equals(TrackerVerticle.class.getName())) {
      return tracker(adapters, registry);
    }
    if (name.equals(StorageVerticle.class.getName())) {
      return storage(adapters, registry);
    }
    throw new IllegalArgumentException(
        "unknown verticle "
            + name
            + " (expected "
            + TrackerVerticle.class.getName()
            + " or "
            + StorageVerticle.class.getName()
            + ")");
  }

  /**
   * A tracker with its HTTP port (console, redirect, metrics), when {@code tracker.httpPort} is
   * set.
   */
  public static TrackerVerticle tracker(PrometheusMeterRegistry registry) {
    return tracker(DEFAULT_ADAPTERS, registry);
  }

  /** A storage with its HTTP port, when {@code storage.httpPort} is set. */
  public static StorageVerticle storage(PrometheusMeterRegistry registry) {
    return storage(DEFAULT_ADAPTERS, registry);
  }

  static TrackerVerticle tracker(List<String> adapters, PrometheusMeterRegistry registry) {
    List<TrackerAdapter> built = new ArrayList<>();
    for (String a : adapters) {
      switch (a) {
        case "http" -> built.add(new TrackerHttp(registry));
        default ->
            throw new IllegalArgumentException("unknown tracker adapter " + a + " (expected http)");
      }
    }
    return new TrackerVerticle(built);
  }

  static StorageVerticle storage(List<String> adapters, PrometheusMeterRegistry registry) {
    List<StorageAdapter> built = new ArrayList<>();
    for (String a : adapters) {
      switch (a) {
        case "http" ->
            built.add(
                (vertx, service) ->
                    StorageHttpVerticle.deploy(
                        vertx, service, service.options().eventLoops(), registry));
        default ->
            throw new IllegalArgumentException("unknown storage adapter " + a + " (expected http)");
      }
    }
    return new StorageVerticle(built, Replicator::create);
  }

  /** A descriptor entry's {@code "adapters"}, or {@link #DEFAULT_ADAPTERS}. */
  static List<String> adapters(JsonArray names) {
    if (names == null) {
      return DEFAULT_ADAPTERS;
    }
    List<String> out = new ArrayList<>();
    names.forEach(n -> out.add(String.valueOf(n)));
    return out;
  }
}
