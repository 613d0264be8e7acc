package io.dfstree.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deterministic content of bench file {@code index}: a window into a random pattern shared by
 * all files of a run, starting at an offset drawn from (seed, index), with the index stamped into
 * the first bytes so no two files are equal. Bytes are produced and checked with bulk array copies
 * and vectorised comparisons: the bench must not be the bottleneck it measures, and every
 * downloaded byte is still verified without keeping any upload in memory.
 */
final class BenchContent {
  /** Pattern length: prime-ish and not a power of two, so windows of different files differ. */
  static final int PATTERN = (1 << 20) + 4093;

  private static final Map<Long, byte[]> PATTERNS = new ConcurrentHashMap<>();

  private final byte[] pattern;
  private final int start;
  private final byte[] stamp;
  private final long size;

  BenchContent(long seed, int index, long size) {
    this.pattern = PATTERNS.computeIfAbsent(seed, BenchContent::pattern);
    this.start = (int) Long.remainderUnsigned(mix(seed * 0x9E3779B97F4A7C15L + index), PATTERN);
    this.stamp =
        new byte[] {
          (byte) (index >>> 24), (byte) (index >>> 16), (byte) (index >>> 8), (byte) index
        };
    this.size = size;
  }

  private static byte[] pattern(long seed) {
    byte[] p = new byte[PATTERN];
    long state = seed;
    for (int i = 0; i < p.length; i += 8) {
      long word = mix(state++);
      for (int b = 0; b < 8 && i + b < p.length; b++) {
        p[i + b] = (byte) (word >>> (b * 8));
      }
    }
    return p;
  }

  long size() {
    return size;
  }

  /** Byte {@code p} of the content (slow path, used for the few stamped bytes). */
  private byte at(long p) {
    byte b = pattern[(int) ((start + p) % PATTERN)];
    return p < stamp.length ? (byte) (b ^ stamp[(int) p]) : b;
  }

  /** Writes bytes {@code position .. position+len-1} into {@code buf} at {@code off}. */
  void fill(byte[] buf, int off, int len, long position) {
    int done = 0;
    while (done < len) {
      long p = position + done;
      if (p < stamp.length) {
        buf[off + done] = at(p);
        done++;
        continue;
      }
      int from = (int) ((start + p) % PATTERN);
      int n = Math.min(len - done, PATTERN - from);
      System.arraycopy(pattern, from, buf, off + done, n);
      done += n;
    }
  }

  /** The content as a stream of exactly {@link #size()} bytes. */
  InputStream stream() {
    return new InputStream() {
      private long position;

      @Override
      public int read(byte[] b, int off, int len) {
        if (position >= size) {
          return -1;
        }
        int n = (int) Math.min(len, size - position);
        fill(b, off, n, position);
        position += n;
        return n;
      }

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }
    };
  }

  /** A sink that compares what it receives with this content. */
  Verifier verifier() {
    return new Verifier();
  }

  /** Compares received bytes with the expected content as they stream in. */
  final class Verifier extends OutputStream {
    private long position;
    private long firstMismatch = -1;

    @Override
    public void write(byte[] b, int off, int len) {
      if (firstMismatch < 0) {
        int done = 0;
        while (done < len && firstMismatch < 0) {
          long p = position + done;
          if (p >= size) {
            firstMismatch = p;
          } else if (p < stamp.length) {
            if (b[off + done] != at(p)) {
              firstMismatch = p;
            }
            done++;
          } else {
            int from = (int) ((start + p) % PATTERN);
            int n = (int) Math.min(Math.min(len - done, PATTERN - from), size - p);
            int m = Arrays.mismatch(b, off + done, off + done + n, pattern, from, from + n);
            if (m >= 0) {
              firstMismatch = p + m;
            }
            done += n;
          }
        }
      }
      position += len;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    /** Null when every byte matched and the length is right; otherwise what went wrong. */
    String problem() {
      if (firstMismatch >= 0) {
        return "content differs at byte " + firstMismatch;
      }
      if (position != size) {
        return "got " + position + " bytes, expected " + size;
      }
      return null;
    }
  }

  /** SplitMix64's finaliser: a fast, well-mixed 64-bit hash. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
