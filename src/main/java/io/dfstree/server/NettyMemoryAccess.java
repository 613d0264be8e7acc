package io.dfstree.server;

import io.netty.util.internal.PlatformDependent;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once, at a server's start, when Netty runs without {@code sun.misc.Unsafe}: Netty 4.2 turns
 * it off by default from Java 25 on ({@code io.netty.noUnsafe=true} unless the JVM was started with
 * {@code --sun-misc-unsafe-memory-access=allow}), and its buffers then take slower paths. Measured
 * on this project's benchmark (benchmark/PROFILE.md, session 33: a group of two, the landed jar on
 * Temurin 25 against OpenJDK 17, same run): 64 KiB and 1 MiB uploads took 1.3-2.8x the server CPU
 * per upload and ran at 0.33-0.78x the uploads per second. Java 17 and 21 are not affected.
 */
public final class NettyMemoryAccess {
  private static final Logger LOG = LoggerFactory.getLogger(NettyMemoryAccess.class);

  private NettyMemoryAccess() {}

  /**
   * The warning for a server on Java {@code javaFeature} whose Netty has {@code Unsafe} or not;
   * empty when there is nothing to say.
   */
  static Optional<String> warning(int javaFeature, boolean nettyHasUnsafe) {
    if (nettyHasUnsafe) {
      return Optional.empty();
    }
    String why =
        javaFeature >= 25
            ? "Netty's default from Java 25 on"
            : "io.netty.noUnsafe or a JVM that hides it";
    return Optional.of(
        "Netty runs without sun.misc.Unsafe on Java "
            + javaFeature
            + " ("
            + why
            + "): large uploads cost up to 2.8x the server CPU (benchmark/PROFILE.md, session 33)."
            + (javaFeature >= 24
                ? " Start java with --sun-misc-unsafe-memory-access=allow, or run Java 17 or 21."
                : " Start java without -Dio.netty.noUnsafe=true."));
  }

  /** Logs {@link #warning} for this JVM, once per call (a server calls it once at start). */
  public static void warnIfSlow() {
    warning(Runtime.version().feature(), PlatformDependent.hasUnsafe()).ifPresent(LOG::warn);
  }
}
