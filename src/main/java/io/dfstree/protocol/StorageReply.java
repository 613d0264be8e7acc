package io.dfstree.protocol;

/**
 * The bodies of a storage's successful answers, one record per layout; bytes in {@link
 * StorageCodec}.
 */
public sealed interface StorageReply {
  /** Upload (11, 21, 23) and regenerate (38) answers. */
  record StoredFile(String group, String remoteName) implements StorageReply {}

  /**
   * Query file info (22): {@code crc32} unsigned; {@code sourceIp} is 16 bytes wide (46 from IPv6
   * servers).
   */
  record FileInfo(long size, long mtimeSeconds, long crc32, String sourceIp)
      implements StorageReply {}

  /** Binlog fetch (121): the peer's clock, its binlog's size, and lines from the offset asked. */
  record BinlogChunk(long peerNowSeconds, long binlogSize, byte[] lines) implements StorageReply {}

  /**
   * Snapshot page (125): the binlog offset the snapshot is taken at, the peer's clock, where the
   * next page starts ({@code nextSection} -1: this was the last page), and lines {@code <op> <time>
   * <size> <name>} (op C: a live file, S: it has metadata, D: deleted at time).
   */
  record SnapshotPage(
      long binlogOffset, long peerNowSeconds, int nextSection, String nextAfter, byte[] lines)
      implements StorageReply {}

  /** Get metadata (15): the encoded {@link Metadata} list as stored. */
  record RawMetadata(byte[] raw) implements StorageReply {}

  /** Peer auth challenge (123): the nonce to prove membership with. */
  record Challenge(byte[] nonce) implements StorageReply {}

  /** Delete, set metadata, append, modify, truncate, replica upload, active test. */
  record Empty() implements StorageReply {}
}
