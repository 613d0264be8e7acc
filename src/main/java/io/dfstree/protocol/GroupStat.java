package io.dfstree.protocol;

/**
 * One group as list-groups (91) and list-one-group (90) report it. Servers before 6.13.1 send the
 * 105-byte legacy record, later ones the 113-byte record (fastdfs-protocol.md §2.4); fields a
 * layout lacks are -1: legacy records have no reserved/readable/writable figures, modern ones no
 * active count and no HTTP port. Bytes in {@link TrackerCodec}.
 */
public record GroupStat(
    String name,
    long totalMb,
    long freeMb,
    long reservedMb,
    long trunkFreeMb,
    long storageCount,
    long storagePort,
    long storageHttpPort,
    long activeCount,
    long readableCount,
    long writableCount,
    long currentWriteServer,
    long storePathCount,
    long subdirCountPerPath,
    long currentTrunkFileId,
    boolean legacyLayout) {
  /** Size of the record sent by FastDFS 6.13.1 and later. */
  public static final int MODERN_SIZE = 113;

  /** Size of the record sent by FastDFS 6.12 and earlier. */
  public static final int LEGACY_SIZE = 105;
}
