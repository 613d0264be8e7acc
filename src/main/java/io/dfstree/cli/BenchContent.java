package io.dfstree.cli;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The deterministic content of bench file {@code index}: byte {@code p} is a pure function of
 * (seed, index, p), so downloads are verified byte for byte without keeping any upload in memory.
 */
final class BenchContent {
  private final long base;
  private final long size;

  BenchContent(long seed, int index, long size) {
    this.base = mix(seed * 0x9E3779B97F4A7C15L + index);
    this.size = size;
  }

  long size() {
    return size;
  }

  /** Writes bytes {@code position .. position+len-1} into {@code buf} at {@code off}. */
  void fill(byte[] buf, int off, int len, long position) {
    long word = 0;
    for (int i = 0; i < len; i++) {
      long p = position + i;
      if (i == 0 || (p & 7) == 0) {
        word = mix(base + (p >>> 3));
      }
      buf[off + i] = (byte) (word >>> ((p & 7) * 8));
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
    private byte[] expected = new byte[0];

    @Override
    public void write(byte[] b, int off, int len) {
      if (firstMismatch < 0) {
        if (expected.length < len) {
          expected = new byte[len];
        }
        long inRange = Math.max(0, Math.min(len, size - position));
        fill(expected, 0, (int) inRange, position);
        for (int i = 0; i < len; i++) {
          if (i >= inRange || expected[i] != b[off + i]) {
            firstMismatch = position + i;
            break;
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
