package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** One line per kind per interval, and the next line says how many were left out. */
class RateLimitedLogTest {
  @Test
  void aFloodOfOneKindIsOneLinePerIntervalWithACount() {
    Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-log-test");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    AtomicLong now = new AtomicLong(1_000_000);
    RateLimitedLog log = new RateLimitedLog(logger, 10_000, now::get);
    assertTrue(log.warn("EINVAL/11", "bad packet 0"));
    for (int i = 1; i <= 19_999; i++) {
      assertFalse(log.warn("EINVAL/11", "bad packet " + i));
    }
    assertTrue(log.warn("ENOENT/14", "another kind is not held back"));
    now.addAndGet(10_000);
    assertTrue(log.warn("EINVAL/11", "bad packet 20000"));
    assertEquals(3, lines.list.size());
    assertEquals(
        "bad packet 20000 (and 19999 more like it in the last 10 s)",
        lines.list.get(2).getFormattedMessage());
  }
}
