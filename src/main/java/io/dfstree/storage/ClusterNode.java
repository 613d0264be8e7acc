package io.dfstree.storage;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;

/** This process's identity in the cluster, as trackers see its member come and go. */
final class ClusterNode {
  private ClusterNode() {}

  /** The cluster manager's node id (the Hazelcast member UUID), or null for a local Vert.x. */
  static String id(Vertx vertx) {
    if (vertx instanceof VertxInternal internal && vertx.isClustered()) {
      ClusterManager cm = internal.clusterManager();
      return cm == null ? null : cm.getNodeId();
    }
    return null;
  }
}
