package io.dfstree;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs an action on a Vert.x context (as the server would) and waits for its future. */
public final class OnContext {
  private OnContext() {}

  /**
   * Runs {@code action} on {@code ctx} and answers its result, or throws what it failed with
   * (wrapped in an {@link java.util.concurrent.ExecutionException}) or a timeout after {@code
   * seconds}.
   */
  public static <T> T await(Context ctx, Supplier<Future<T>> action, long seconds)
      throws Exception {
    CompletableFuture<T> out = new CompletableFuture<>();
    ctx.runOnContext(
        v ->
            action
                .get()
                .onComplete(
                    ar -> {
                      if (ar.succeeded()) {
                        out.complete(ar.result());
                      } else {
                        out.completeExceptionally(ar.cause());
                      }
                    }));
    return out.get(seconds, TimeUnit.SECONDS);
  }
}
