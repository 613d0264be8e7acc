package io.dfstree.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Whether a store path may hold {@code -m} (metadata) files of packed slots. A packed slot almost
 * never has one (photo albums and attachments are uploaded without metadata), yet every delete of
 * one, on every member, removed its {@code -m} file "if it exists": a look-up of a deep path that
 * found nothing (lstat, unlink: ENOENT), per delete per member (issue 9's group delete profile).
 *
 * <p>The note is a file, {@value #FILE} in the store path's {@code data} directory: while it is
 * there, no packed slot of that store path has a {@code -m} file, and a packed delete skips the
 * look-up. It is made when the packed store is new (no volume yet, so no slot and no {@code -m}
 * file of one), and removed — durably, before the {@code -m} file is written — the first time a
 * packed slot gets metadata; from then on every packed delete looks, as before. A store path from
 * before this note (volumes, no note) always looks. Thread-safe.
 */
final class PackedMetadataNote {
  static final String FILE = ".packed-without-metadata";

  private final Path file;
  private volatile boolean none;

  private PackedMetadataNote(Path file, boolean none) {
    this.file = file;
    this.none = none;
  }

  /**
   * Blocking, at start: the note of the store path rooted at {@code storeRoot}; {@code fresh}: its
   * packed store holds no volume yet, so the note is made (forced with its directory).
   */
  static PackedMetadataNote open(Path storeRoot, boolean fresh) throws IOException {
    Path data = storeRoot.resolve("data");
    Path file = data.resolve(FILE);
    if (fresh && !Files.exists(file)) {
      Files.createDirectories(data);
      try (FileChannel ch =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      forceDirectory(data);
    }
    return new PackedMetadataNote(file, Files.exists(file));
  }

  /** Whether a packed slot of this store path may have a {@code -m} file. */
  boolean mayHaveMetadata() {
    return !none;
  }

  /**
   * Blocking: called before a packed slot's {@code -m} file is written; the first call removes the
   * note and forces its directory (once per store path, whatever the fsync setting: a note that
   * outlived a crash while a {@code -m} file was written would leave that file behind its slot's
   * delete).
   */
  synchronized void beforeMetadataWrite() throws IOException {
    if (!none) {
      return;
    }
    Files.deleteIfExists(file);
    forceDirectory(file.getParent());
    none = false;
  }

  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
