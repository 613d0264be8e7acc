package io.dfstree.storage.packed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tests: takes a range of a file out of the page cache without {@code posix_fadvise} and without
 * changing a byte — the range's whole blocks are read and written back as they are with {@code
 * O_DIRECT}, and Linux drops the cached pages of a direct write's range (after writing back any
 * dirty ones first, so the bytes read are the current ones). Where the filesystem refuses {@code
 * O_DIRECT} (tmpfs before Linux 6.6) nothing happens and the answer is false: callers then skip.
 */
public final class PageCacheEviction {
  private static final int BLOCK = 4096;

  private PageCacheEviction() {}

  /** {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} (module jdk.unsupported), looked up. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static OpenOption direct() throws ReflectiveOperationException {
    Class c = Class.forName("com.sun.nio.file.ExtendedOpenOption");
    return (OpenOption) Enum.valueOf(c, "DIRECT");
  }

  /**
   * Drops the blocks covering {@code [from, to)} of {@code file} from the page cache; false when it
   * cannot (no O_DIRECT here, or the range's last block passes the file's end).
   */
  public static boolean evict(Path file, long from, long to) throws IOException {
    long a = from / BLOCK * BLOCK;
    long b = (to + BLOCK - 1) / BLOCK * BLOCK;
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, direct());
    } catch (IOException | UnsupportedOperationException | ReflectiveOperationException e) {
      return false;
    }
    try (ch) {
      if (b > ch.size()) {
        return false; // a direct write there would lengthen the file
      }
      int len = (int) (b - a);
      ByteBuffer buf = ByteBuffer.allocateDirect(len + BLOCK).alignedSlice(BLOCK);
      buf.limit(len);
      long at = a;
      while (buf.hasRemaining()) {
        int n = ch.read(buf, at);
        if (n < 0) {
          return false;
        }
        at += n;
      }
      buf.flip();
      at = a;
      while (buf.hasRemaining()) {
        at += ch.write(buf, at);
      }
      return true;
    } catch (IOException e) {
      return false; // EINVAL: this filesystem takes no direct I/O
    }
  }
}
