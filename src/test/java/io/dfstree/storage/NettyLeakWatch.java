package io.dfstree.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector at paranoid (every buffer tracked) for a test class, and what it reports
 * collected for the test to assert empty: a buffer never released is logged as {@code LEAK} when
 * the collector finds it; with {@code doubleReleases}, a buffer released once too often ({@code
 * IllegalReferenceCountException}, logged wherever it was caught) counts too. Started in
 * {@code @BeforeAll}, closed in {@code @AfterAll}.
 */
final class NettyLeakWatch implements AutoCloseable {
  private final List<String> found = new CopyOnWriteArrayList<>();
  private final ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
  private final Logger logger;
  private final AppenderBase<ILoggingEvent> appender;

  private NettyLeakWatch(boolean doubleReleases) {
    // a double release is logged by whoever caught it: the root logger; a leak by the detector
    logger =
        (Logger)
            org.slf4j.LoggerFactory.getLogger(
                doubleReleases
                    ? org.slf4j.Logger.ROOT_LOGGER_NAME
                    : ResourceLeakDetector.class.getName());
    appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            String m = String.valueOf(e.getFormattedMessage());
            boolean refCnt =
                doubleReleases
                    && e.getThrowableProxy() != null
                    && String.valueOf(e.getThrowableProxy().getClassName())
                        .contains("IllegalReferenceCount");
            if ((e.getLevel().isGreaterOrEqual(Level.ERROR) && m.contains("LEAK")) || refCnt) {
              found.add(m);
            }
          }
        };
  }

  static NettyLeakWatch start(boolean doubleReleases) {
    NettyLeakWatch w = new NettyLeakWatch(doubleReleases);
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    w.appender.start();
    w.logger.addAppender(w.appender);
    return w;
  }

  /**
   * Paranoid again: Vert.x turns Netty's leak detection off as its classes load (unless a system
   * property sets it), which in a fresh JVM is after {@link #start}. Call it once Vert.x is made.
   */
  void paranoidAgain() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  /** What was reported so far. */
  List<String> found() {
    return List.copyOf(found);
  }

  void clear() {
    found.clear();
  }

  @Override
  public void close() {
    ResourceLeakDetector.setLevel(before);
    logger.detachAppender(appender);
  }
}
