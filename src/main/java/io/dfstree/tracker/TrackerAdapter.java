package io.dfstree.tracker;

import io.vertx.core.Future;

/**
 * A front end the composition root hands the tracker (its HTTP port, the web console): started on
 * the tracker's own context once the tracker protocol listens, so it may read the group map, and
 * stopped before the tracker's listener closes. The tracker knows it only by this interface, which
 * keeps {@code tracker} free of {@code http}.
 */
public interface TrackerAdapter {
  Future<?> start(TrackerVerticle tracker);

  Future<?> stop();
}
