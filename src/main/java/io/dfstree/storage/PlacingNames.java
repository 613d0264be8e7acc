package io.dfstree.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names being placed on this storage right now, by an upload streamed to peers (write quorum) or by
 * a replica streamed from its source, with when that ends. A peer may log its copy, and our
 * catch-up read that line, before our own link is done: catch-up waits for it rather than fetching
 * the file a second time (or taking the name from under the upload).
 */
final class PlacingNames {
  private final Map<String, Promise<Void>> placing = new ConcurrentHashMap<>();

  /**
   * Completes on {@code ctx} once nothing is being placed under {@code remoteName} here (at once
   * when nothing is).
   */
  Future<Void> after(Context ctx, String remoteName) {
    Promise<Void> p = placing.get(remoteName);
    if (p == null) {
      return Future.succeededFuture();
    }
    Promise<Void> here = ((io.vertx.core.internal.ContextInternal) ctx).promise();
    p.future().onComplete(here);
    return here.future();
  }

  /**
   * Marks the start and the end of placing a file under {@code remoteName} (see {@link #after}).
   */
  void mark(String remoteName, boolean inProgress) {
    if (inProgress) {
      placing.putIfAbsent(remoteName, Promise.promise());
    } else {
      Promise<Void> p = placing.remove(remoteName);
      if (p != null) {
        p.tryComplete();
      }
    }
  }
}
