package io.dfstree.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * The storage's integrity and delete-retention settings, from the {@code storage.reliability}
 * section; bound with its storage ({@link StorageOptions#from}), defaults in {@code
 * dfstree-defaults.yaml}.
 *
 * @param tombstoneRetentionDays how long a delete is remembered on disk: a copy of the file a peer
 *     offers within this window is refused (a member away for longer should be emptied and rejoin
 *     as a new member)
 * @param verifyDownloadMaxBytes whole-file downloads of files up to this size are checked against
 *     the CRC32 in their name before they are sent (0 = never)
 * @param verifiedReuseSeconds a client's download of a plain file this process checked or wrote
 *     less than this many seconds ago, unchanged since (same inode, size and mtime), is sent without
 *     checking it again (0 = check every download); a peer's read is always checked
 * @param scrubBytesPerSecond the background scrub reads at most this much per second (0 = off)
 * @param scrubPauseMinutes pause between two full scrub passes
 * @param binlogSegmentBytes the binlog rotates into a new segment past this size; a segment every
 *     member has read is deleted
 * @param binlogForgetMemberDays a member that has not read this storage's binlog for this long no
 *     longer holds segments back; when it returns it starts from a snapshot of the file set (keep
 *     it below the tombstone retention)
 */
public record ReliabilityOptions(
    int tombstoneRetentionDays,
    @JsonDeserialize(using = ByteSize.Deserializer.class) long verifyDownloadMaxBytes,
    int verifiedReuseSeconds,
    @JsonDeserialize(using = ByteSize.Deserializer.class) long scrubBytesPerSecond,
    long scrubPauseMinutes,
    @JsonDeserialize(using = ByteSize.Deserializer.class) long binlogSegmentBytes,
    int binlogForgetMemberDays) {

  void validate() {
    TrackerOptions.require(
        tombstoneRetentionDays >= 1,
        "storage.reliability.tombstoneRetentionDays must be at least 1");
    TrackerOptions.require(
        verifyDownloadMaxBytes >= 0,
        "storage.reliability.verifyDownloadMaxBytes must not be negative");
    TrackerOptions.require(
        verifiedReuseSeconds >= 0,
        "storage.reliability.verifiedReuseSeconds must not be negative");
    TrackerOptions.require(
        scrubBytesPerSecond >= 0, "storage.reliability.scrubBytesPerSecond must not be negative");
    TrackerOptions.require(
        scrubPauseMinutes >= 0, "storage.reliability.scrubPauseMinutes must not be negative");
    TrackerOptions.require(
        binlogSegmentBytes >= 1024, "storage.reliability.binlogSegmentBytes must be at least 1K");
    TrackerOptions.require(
        binlogForgetMemberDays >= 1,
        "storage.reliability.binlogForgetMemberDays must be at least 1");
  }

  public long binlogForgetMemberMillis() {
    return binlogForgetMemberDays * 86_400_000L;
  }

  public long tombstoneRetentionSeconds() {
    return tombstoneRetentionDays * 86_400L;
  }
}
