package io.dfstree.cli;

import io.dfstree.client.FdfsClient;
import io.dfstree.client.StorageAddress;
import io.dfstree.client.StorageSession;
import io.dfstree.client.TrackerSession;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@code bench} worker's long-lived connections: one tracker session and one session per
 * storage it meets, kept across operations as a pooled client would.
 */
final class BenchWorker implements PhaseRunner.Worker {
  private final FdfsClient client;
  private TrackerSession tracker;
  private final Map<String, StorageSession> storages = new HashMap<>();

  BenchWorker(FdfsClient client) {
    this.client = client;
  }

  TrackerSession tracker() throws IOException {
    if (tracker == null || !tracker.isUsable()) {
      if (tracker != null) {
        tracker.close();
      }
      tracker = client.openTracker();
    }
    return tracker;
  }

  StorageSession storage(StorageAddress address) throws IOException {
    StorageSession s = storages.get(address.hostPort());
    if (s == null || !s.isUsable()) {
      if (s != null) {
        s.close();
      }
      s = client.openStorage(address);
      storages.put(address.hostPort(), s);
    }
    return s;
  }

  @Override
  public void afterFailure() {
    dropBrokenSessions();
  }

  /** After a failure, forget connections that are out of step so the next operation reconnects. */
  void dropBrokenSessions() {
    if (tracker != null && !tracker.isUsable()) {
      tracker.close();
      tracker = null;
    }
    storages
        .values()
        .removeIf(
            s -> {
              if (!s.isUsable()) {
                s.close();
                return true;
              }
              return false;
            });
  }

  void close() {
    if (tracker != null) {
      tracker.close();
    }
    storages.values().forEach(StorageSession::close);
    storages.clear();
  }
}
