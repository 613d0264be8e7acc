package io.dfstree.storage;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One writer at a time per file (appends, modifies, truncates, metadata merges, renames), across
 * all protocol event loops, without blocking any of them: each operation waits on the previous
 * one's future and then continues on its own connection's context.
 */
final class FileLocks {
  private final Map<Path, Future<Void>> tails = new ConcurrentHashMap<>();

  <T> Future<T> withLock(Context ctx, Path file, Supplier<Future<T>> action) {
    Promise<Void> release = Promise.promise();
    Future<Void> mine = release.future();
    Future<Void> previous = tails.put(file, mine);
    Promise<T> result = Promise.promise();
    Runnable run =
        () -> {
          Future<T> f;
          try {
            f = action.get();
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          f.onComplete(
              ar -> {
                tails.remove(file, mine);
                release.complete();
                result.handle(ar);
              });
        };
    if (previous == null) {
      run.run();
    } else {
      previous.onComplete(x -> ctx.runOnContext(v -> run.run()));
    }
    return result.future();
  }

  int held() {
    return tails.size();
  }
}
