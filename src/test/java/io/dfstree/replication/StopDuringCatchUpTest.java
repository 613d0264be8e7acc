package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.awaitility.Awaitility;
import org.csource.fastdfs.StorageClient;
import org.csource.fastdfs.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A storage stopped in the middle of a catch-up stops quietly: nothing it still had in flight
 * reaches for its closed peer connections (that logged an unhandled {@code IllegalStateException}
 * from the closed {@code NetClient}, on the event loop), and the catch-up does not report the
 * connections it closed itself as a paused catch-up.
 */
class StopDuringCatchUpTest {
  TwoStorages group;

  /** ERROR lines from anywhere, WARN lines from the catch-up, while a member stops. */
  final List<String> logged = Collections.synchronizedList(new ArrayList<>());

  final AppenderBase<ILoggingEvent> catcher =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
          // any ERROR counts: a peer's copy that came in while B stopped once logged "binlog
          // append failed: ClosedChannelException" (the binlog closed under a running disk task);
          // the stop now drains the disk tasks before it closes the binlog
          boolean error = e.getLevel().isGreaterOrEqual(Level.ERROR);
          // B's own catch-up only: A rightly warns that B, stopped, no longer answers
          boolean catchUpWarning =
              e.getLevel() == Level.WARN
                  && e.getLoggerName().equals(Replicator.class.getName())
                  && e.getFormattedMessage().startsWith("storage " + TwoStorages.B + ":");
          if (error || catchUpWarning) {
            logged.add(
                e.getLevel()
                    + " "
                    + e.getLoggerName()
                    + ": "
                    + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                        ? ""
                        : " " + e.getThrowableProxy().getClassName()));
          }
        }
      };

  @BeforeEach
  void start() throws Exception {
    group = TwoStorages.start("stop-catch-up", false, null, c -> c);
    catcher.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    catcher.start();
    root().addAppender(catcher);
  }

  @AfterEach
  void stop() {
    root().detachAppender(catcher);
    group.close();
  }

  static Logger root() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void aPeerPoolClosedAtStopRefusesNewConnectionsWithAFailedFuture() {
    PeerPool pool = new PeerPool(group.vertx, "127.0.0.1", () -> null);
    pool.close().await();
    // before: CleanableNetClient.connect threw IllegalStateException at the caller
    var connect = pool.connect("127.0.0.1", group.portA, group.vertx.getOrCreateContext());
    assertTrue(connect.failed(), "connect on a closed pool");
    assertInstanceOf(PeerPool.Closed.class, connect.cause());
    var acquire = pool.acquire("127.0.0.1", group.portA);
    assertTrue(acquire.failed(), "acquire on a closed pool");
    assertInstanceOf(PeerPool.Closed.class, acquire.cause());
  }

  @Test
  void aMemberStoppedWhileCatchingUpLogsNoErrorAndNoPausedCatchUp() throws Exception {
    group.vertx.undeploy(group.deployB).await();
    group.awaitGone(TwoStorages.B);
    StorageClient a = new StorageClient(null, new StorageServer("127.0.0.1", group.portA, 0));
    List<String> names = new ArrayList<>();
    Random rnd = new Random(7);
    for (int i = 0; i < 240; i++) {
      byte[] data = new byte[500 + rnd.nextInt(3000)];
      rnd.nextBytes(data);
      String[] id = a.upload_file(data, "bin", null);
      assertNotNull(id, "degraded upload " + i);
      names.add(id[1]);
    }
    logged.clear(); // from here on, only what B's catch-ups and stops log
    // B comes back and is stopped part-way through its catch-up, three times over
    int rounds = 0;
    for (int target : new int[] {20, 90, 160}) {
      group.deployB = group.deploy(group.config(TwoStorages.B, group.portB, "b"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> onB(names) >= target);
      int held = onB(names);
      group.vertx.undeploy(group.deployB).await();
      group.awaitGone(TwoStorages.B);
      rounds++;
      System.out.println("stop during catch-up: B stopped holding " + held + " of " + names.size());
    }
    assertEquals(3, rounds);
    Thread.sleep(300); // anything B's stops left queued on its event loop has run by now
    assertEquals(List.of(), logged, "logged while B caught up and stopped");
  }

  /** How many of {@code names} are on B's disk already. */
  int onB(List<String> names) {
    int n = 0;
    for (String name : names) {
      Path p = group.file("b", name);
      if (Files.exists(p)) {
        n++;
      }
    }
    return n;
  }
}
