package io.dfstree.storage.packed;

/**
 * Settings of the packed small-file store ({@code storage.packed.*} in storage.yaml).
 *
 * @param maxFileSize uploads up to this size are packed (larger ones stay plain files)
 * @param volumeSize a volume is closed for appends once the next slot would pass this size (at most
 *     2 GiB: offsets in trunk names are 31-bit)
 * @param fsync one {@code fdatasync} per batch before acknowledging it (off: the page cache only,
 *     FastDFS's behaviour)
 * @param maxBatchBytes a batch stops taking appends past this many bytes (bounds one write+sync)
 * @param verifyTail at start, slots ending in the last this-many bytes of a volume have their CRC
 *     checked (where a crash can have left torn content); at least 2 × maxBatchBytes
 */
public record PackedOptions(
    int maxFileSize, long volumeSize, boolean fsync, int maxBatchBytes, long verifyTail) {
  public static final int DEFAULT_MAX_FILE_SIZE = 256 * 1024;
  public static final long DEFAULT_VOLUME_SIZE = 1L << 30;
  public static final int DEFAULT_MAX_BATCH_BYTES = 8 * 1024 * 1024;

  public PackedOptions {
    if (maxFileSize <= 0
        || volumeSize < SlotHeader.slotLength(maxFileSize)
        || volumeSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "storage.packed: need 0 < maxFileSize and a slot of maxFileSize <= volumeSize <= 2 GiB");
    }
    if (maxBatchBytes < SlotHeader.slotLength(maxFileSize)) {
      throw new IllegalArgumentException(
          "storage.packed: maxBatchBytes must hold one slot of maxFileSize");
    }
  }

  public static PackedOptions defaults(boolean fsync) {
    return new PackedOptions(
        DEFAULT_MAX_FILE_SIZE,
        DEFAULT_VOLUME_SIZE,
        fsync,
        DEFAULT_MAX_BATCH_BYTES,
        4L * DEFAULT_MAX_BATCH_BYTES);
  }

  public PackedOptions withVolumeSize(long size) {
    return new PackedOptions(maxFileSize, size, fsync, maxBatchBytes, verifyTail);
  }
}
