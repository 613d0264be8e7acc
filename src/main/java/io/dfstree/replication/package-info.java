/**
 * Replication logic that needs no sockets: {@link io.dfstree.replication.Membership}, the member
 * state machine (WAIT_SYNC → SYNCING → ACTIVE) the storage's {@code Replicator} drives with its
 * clock and what it sees of its peers.
 */
package io.dfstree.replication;
