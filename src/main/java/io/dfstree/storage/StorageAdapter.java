package io.dfstree.storage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A front end the composition root hands a storage (its HTTP port): started once the storage
 * serves, with the one {@link StorageService} every front end calls. What it deploys from here is a
 * child of the storage's deployment and is undeployed with it. The storage knows it only by this
 * interface, which keeps {@code storage} free of {@code http}.
 */
@FunctionalInterface
public interface StorageAdapter {
  Future<?> start(Vertx vertx, StorageService service);
}
