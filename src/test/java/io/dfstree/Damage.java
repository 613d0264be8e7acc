package io.dfstree;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** How tests damage a stored copy in place, to see a check (download, scrub, repair) catch it. */
public final class Damage {
  private Damage() {}

  /** Flips one bit of the byte at {@code offset}; the file's size and inode stay what they were. */
  public static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x40);
    }
  }
}
