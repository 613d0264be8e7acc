package io.dfstree.storage;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.WeakHashMap;

/** The storage service a Vert.x instance runs, for adapters deployed beside it (S3). */
public final class RunningStorage {
  private static final Map<Vertx, StorageService> SERVICES = new WeakHashMap<>();

  private RunningStorage() {}

  static void register(Vertx vertx, StorageService service) {
    synchronized (SERVICES) {
      SERVICES.put(vertx, service);
    }
  }

  /** The storage service started in {@code vertx}, or null when it runs none. */
  public static StorageService of(Vertx vertx) {
    synchronized (SERVICES) {
      return SERVICES.get(vertx);
    }
  }
}
