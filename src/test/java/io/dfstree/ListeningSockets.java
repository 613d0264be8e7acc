package io.dfstree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the kernel lists as listening on a TCP port ({@code /proc/net/tcp} and {@code tcp6}). */
public final class ListeningSockets {
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** How many sockets are listening on {@code port}, any address. */
  public static int on(int port) {
    String hexPort = String.format(":%04X", port);
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(p)) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st ...
          if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals(LISTEN)) {
            count++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return count;
  }
}
