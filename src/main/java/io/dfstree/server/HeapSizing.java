package io.dfstree.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a server's heap from shrinking to a small multiple of its live data, once, at start.
 *
 * <p>Why: the JVM starts with a heap of 1/64 of the machine's memory, then, at the first concurrent
 * cycle (which class loading at start triggers, "Metadata GC Threshold"), shrinks it until no more
 * than {@code MaxHeapFreeRatio} (70%) is free: a server with ~12 MiB live is left with a 40-47 MiB
 * heap. There the ~17 MiB that stays live is past G1's threshold for concurrent marking, so every
 * second young collection started a marking cycle (a 41-54 ms concurrent mark and a 5-7 ms remark
 * pause) and young collections came every 1-2 s, each paying more for scanning the roots of about a
 * hundred threads and the loaded classes than for copying. Measured (benchmark/PROFILE.md, session
 * 36, "heapfree"): the split client's 64 KiB download in a group of two spent 20-40 µs per download
 * in our three JVMs' collector threads, and with {@code MaxHeapFreeRatio=90} the servers' CPU per
 * download fell from a median 1.59x FastDFS's to 1.41x. At 90 a shrink leaves ten times the live
 * data (with 17 MiB live, 170 MiB; never more than {@code -Xmx}): the heap still gives memory back,
 * only not down to where collecting it costs more than the requests.
 *
 * <p>The flag is "manageable" (settable in a running JVM) on HotSpot, and only set here when
 * whoever started the JVM left it at its default: {@code -XX:MaxHeapFreeRatio} on the command line
 * or in {@code JAVA_TOOL_OPTIONS} wins. Elsewhere (another JVM) nothing is changed.
 */
public final class HeapSizing {
  private static final Logger LOG = LoggerFactory.getLogger(HeapSizing.class);

  static final String FLAG = "MaxHeapFreeRatio";

  /** Percent of the heap that may be free after a collection before the JVM shrinks it. */
  static final int SERVER_MAX_FREE_PERCENT = 90;

  private HeapSizing() {}

  /**
   * The value to give {@link #FLAG}, given its current value and whether it is still the JVM's
   * default; empty when it was set by whoever started the JVM or already allows as much free heap.
   */
  static Optional<String> valueFor(String current, boolean isDefault) {
    if (!isDefault) {
      return Optional.empty();
    }
    try {
      return Integer.parseInt(current) >= SERVER_MAX_FREE_PERCENT
          ? Optional.empty()
          : Optional.of(Integer.toString(SERVER_MAX_FREE_PERCENT));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Applies {@link #valueFor} to this JVM; call once, as early in a server's start as possible. */
  public static void apply() {
    HotSpotDiagnosticMXBean hotspot;
    try {
      hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    } catch (RuntimeException | LinkageError notHotSpot) {
      return;
    }
    if (hotspot == null) {
      return;
    }
    try {
      VMOption option = hotspot.getVMOption(FLAG);
      Optional<String> value =
          valueFor(option.getValue(), option.getOrigin() == VMOption.Origin.DEFAULT);
      if (value.isPresent()) {
        hotspot.setVMOption(FLAG, value.get());
        LOG.debug("{} set to {} (was {})", FLAG, value.get(), option.getValue());
      }
    } catch (RuntimeException e) {
      // not settable in this JVM (not manageable, or below MinHeapFreeRatio): keep its sizing
      LOG.debug("{} left as it is: {}", FLAG, e.toString());
    }
  }
}
