/**
 * Replication: everything a storage does <em>to</em> its peers. {@link
 * io.dfstree.replication.Replicator} implements the storage's port {@link
 * io.dfstree.storage.Replication} (plugged in by {@code server.Roles}): catch-up from each peer's
 * binlog, fetch-on-miss, the upload's fan-out ({@code ReplicaFanout}) and the write-quorum verdict
 * ({@code WriteQuorum}), over pooled peer connections ({@code PeerPool}, {@code PeerConnection}) to
 * the members heartbeats describe ({@code GroupPeers}). {@link io.dfstree.replication.Membership}
 * is the pure member state machine (WAIT_SYNC → SYNCING → ACTIVE) the catch-up drives. It reaches
 * the store only through {@link io.dfstree.storage.ReplicaStore}; {@code storage} never imports
 * this package.
 */
package io.dfstree.replication;
