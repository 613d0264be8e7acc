package io.dfstree.storage;

import io.dfstree.fileid.FileName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Plain files this process knows to match the size and CRC32 in their name, recently: it checked
 * them for a download, or wrote them itself from bytes whose CRC32 it computed (an upload, or a
 * peer's copy whose CRC32 matched its name as it arrived). A client's download of such a file,
 * unchanged since (same inode, size and modification time) and known good for less than {@code
 * storage.reliability.verifiedReuseSeconds}, is sent without reading it a second time to check it,
 * as ZFS serves its in-memory ARC without re-checking the disk. What this trusts: that bytes on
 * disk do not silently change within the window without their inode, size or mtime changing (bit
 * rot, or an in-place write that restores the mtime, is caught by the next check after the window,
 * the scrub, or a peer's read, which is always checked). Everything this process changes or removes
 * drops its entry, and a restart starts empty.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES}, least recently used dropped first. An entry holds the
 * remote name as key (~88 bytes for a 44-character name), a map node (~50), a {@link Known} (~40)
 * and the file key (dev+inode, ~32): ~210 bytes, ~3.4 MiB when full.
 */
final class KnownGoodFiles {
  static final int MAX_ENTRIES = 16_384;

  /** What a file was when it was known good, and since when (nanoTime). */
  private record Known(Object fileKey, long size, long mtimeNanos, long sinceNanos) {}

  private final long windowNanos;
  private final Map<String, Known> known =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  /** The clock; tests move it. */
  volatile LongSupplier nanoTime = System::nanoTime;

  KnownGoodFiles(int reuseSeconds) {
    this.windowNanos = TimeUnit.SECONDS.toNanos(reuseSeconds);
  }

  boolean enabled() {
    return windowNanos > 0;
  }

  /** {@code remoteName}, whose file now has attributes {@code a}, matches its name. */
  void good(String remoteName, BasicFileAttributes a) {
    Object key = a.fileKey();
    if (!enabled() || key == null) {
      return; // no inode to tell a replaced file from this one
    }
    Known k = new Known(key, a.size(), mtimeNanos(a), nanoTime.getAsLong());
    synchronized (known) {
      known.put(remoteName, k);
    }
  }

  /**
   * Blocking: a new upload of {@code bytes} bytes, just placed at {@code target} under {@code
   * remote}, whose name was computed from those bytes: its download need not check it. Not for
   * appenders or slaves, whose names do not describe their content.
   */
  void written(String remote, Path target, long bytes) throws IOException {
    if (!enabled() || !Integrity.checkable(remote) || FileName.decode(remote).fileSize() != bytes) {
      return;
    }
    good(remote, Files.readAttributes(target, BasicFileAttributes.class));
  }

  /**
   * Blocking: a peer's copy of {@code bytes} bytes whose CRC32, computed here as they were written,
   * is {@code crc32}, just placed at {@code target} under {@code remote}. Entered only when size
   * and CRC32 match the name: this member checked what it received, so its first download need not
   * read it again. A copy that does not match is not entered, and its first download's check finds
   * it and repairs it from a peer, as before.
   */
  void copied(String remote, Path target, long bytes, int crc32) throws IOException {
    if (!enabled() || !Integrity.checkable(remote)) {
      return;
    }
    FileName.Decoded d = FileName.decode(remote);
    if (d.fileSize() == bytes && d.crc32() == crc32) {
      good(remote, Files.readAttributes(target, BasicFileAttributes.class));
    }
  }

  /**
   * Whether {@code remoteName}, whose fresh stat is {@code a}, was known good less than the window
   * ago and is the same file, unchanged, since.
   */
  boolean trusted(String remoteName, BasicFileAttributes a) {
    if (!enabled()) {
      return false;
    }
    Known k;
    synchronized (known) {
      k = known.get(remoteName);
    }
    return k != null
        && nanoTime.getAsLong() - k.sinceNanos < windowNanos
        && k.fileKey.equals(a.fileKey())
        && k.size == a.size()
        && k.mtimeNanos == mtimeNanos(a);
  }

  /**
   * Whether {@code remoteName} was known good less than the window ago (no file access): a download
   * may then stat it on its event loop ({@link Integrity#openChecked}) — this process wrote or read
   * the file within the window, so its inode is in memory — and needs {@link #trusted} for that
   * stat before it skips the check.
   */
  boolean recent(String remoteName) {
    if (!enabled()) {
      return false;
    }
    Known k;
    synchronized (known) {
      k = known.get(remoteName);
    }
    return k != null && nanoTime.getAsLong() - k.sinceNanos < windowNanos;
  }

  /** {@code remoteName} is being changed, removed or found damaged: check it again next time. */
  void forget(String remoteName) {
    if (!enabled()) {
      return;
    }
    synchronized (known) {
      known.remove(remoteName);
    }
  }

  int size() {
    synchronized (known) {
      return known.size();
    }
  }

  private static long mtimeNanos(BasicFileAttributes a) {
    return a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
  }
}
