package io.dfstree.cli;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr for long transfers (me.tongfei:progressbar). Shown only when stderr is a
 * terminal, the transfer is larger than {@link #THRESHOLD} and the output is not JSON; otherwise
 * every method is a no-op, so scripts and pipes never see control characters.
 */
final class Progress implements AutoCloseable {
  /** Transfers up to this size finish too fast for a bar to help. */
  static final long THRESHOLD = 1L << 20;

  private static final Progress NONE = new Progress(null);

  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** A bar for {@code total} bytes when {@link #wanted}, else a no-op. */
  static Progress start(String task, long total, boolean json) {
    if (!wanted(total, json, stderrIsTerminal())) {
      return NONE;
    }
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setUnit(" MiB", 1L << 20)
            .showSpeed()
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .setUpdateIntervalMillis(200)
            .setConsumer(new ConsoleProgressBarConsumer(System.err))
            .setMaxRenderedLength(100)
            .setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
            .build();
    return new Progress(bar);
  }

  /** The rule: a terminal on stderr, more than {@link #THRESHOLD} bytes, and not --json. */
  static boolean wanted(long total, boolean json, boolean terminal) {
    return terminal && !json && total > THRESHOLD;
  }

  /**
   * Whether fd 2 is a terminal: /proc tells on Linux; elsewhere an attached console is the best
   * guess.
   */
  static boolean stderrIsTerminal() {
    if (System.getenv("DFSTREE_NO_PROGRESS") != null) {
      return false;
    }
    Path fd2 = Path.of("/proc/self/fd/2");
    try {
      if (Files.isSymbolicLink(fd2)) {
        String target = Files.readSymbolicLink(fd2).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      }
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      // fall through
    }
    return System.console() != null;
  }

  boolean shown() {
    return bar != null;
  }

  void step(long bytes) {
    if (bar != null) {
      bar.stepBy(bytes);
    }
  }

  InputStream wrap(InputStream in) {
    if (bar == null) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          step(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
          step(n);
        }
        return n;
      }
    };
  }

  OutputStream wrap(OutputStream out) {
    if (bar == null) {
      return out;
    }
    return new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        step(1);
      }

      @Override
      public void write(byte[] buf, int off, int len) throws IOException {
        out.write(buf, off, len);
        step(len);
      }
    };
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
