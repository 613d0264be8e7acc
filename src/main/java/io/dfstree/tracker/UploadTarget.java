package io.dfstree.tracker;

import java.util.List;

/**
 * Where a client should upload: a group, its chosen storage(s) and the store path index on the
 * first one. Queries 101/104 use the first storage only; 106/107 use all.
 */
public record UploadTarget(String group, List<StorageEntry> storages, int storePathIndex) {
  public StorageEntry first() {
    return storages.get(0);
  }
}
