package io.dfstree.tracker;

import io.dfstree.protocol.StorageStatus;

/** A storage moved from one state to another; the verticle logs each one as a single line. */
public record StateChange(StorageEntry storage, StorageStatus from, StorageStatus to) {
  @Override
  public String toString() {
    return storage + " " + (from == null ? "new" : from.name()) + " -> " + to.name();
  }
}
