package io.dfstree.config;

import io.vertx.core.json.JsonObject;

/**
 * The storage's reliability settings, from the same {@code storage} section as {@link StorageOptions}
 * (kept apart so that section's record stays small).
 *
 * @param tombstoneRetentionDays how long a delete is remembered on disk: a copy of the file arriving
 *                               from a peer within this window is refused (a member away longer
 *                               than this should be emptied and rejoin as a new member)
 */
public record ReliabilityOptions(int tombstoneRetentionDays) {
  public static final int DEFAULT_TOMBSTONE_RETENTION_DAYS = 30;

  public static ReliabilityOptions from(JsonObject storage) {
    int days = storage.getInteger("tombstoneRetentionDays", DEFAULT_TOMBSTONE_RETENTION_DAYS);
    if (days < 1) {
      throw new IllegalArgumentException("storage.tombstoneRetentionDays must be at least 1, got " + days);
    }
    return new ReliabilityOptions(days);
  }

  public long tombstoneRetentionSeconds() {
    return tombstoneRetentionDays * 86_400L;
  }
}
