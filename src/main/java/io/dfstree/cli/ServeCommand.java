package io.dfstree.cli;

import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.dfstree.config.TrackerOptions;
import io.dfstree.s3.S3Options;
import io.dfstree.s3.S3Server;
import io.dfstree.server.HeapSizing;
import io.dfstree.server.Launcher;
import io.dfstree.server.NettyMemoryAccess;
import io.dfstree.server.S3Deploy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts a server role and keeps the JVM running until it is stopped (SIGTERM closes it cleanly).
 */
public abstract class ServeCommand implements Callable<Integer> {
  /** Exit code meaning "the server is running; do not exit the JVM". */
  public static final int KEEP_RUNNING = -1000;

  @Option(names = "--conf", description = "YAML configuration file (repeatable; later files win)")
  List<Path> conf = new ArrayList<>();

  @Option(
      names = "--set",
      description = "override one key, e.g. --set storage.port=23001 (repeatable)")
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--cluster",
      description = "join the Hazelcast cluster configured in the 'cluster' section")
  boolean cluster;

  abstract String role();

  @Override
  public Integer call() throws Exception {
    HeapSizing.apply(); // before the start's class loading triggers the first concurrent cycle
    JsonObject config =
        Config.load(
            Launcher.descriptor(role()).getJsonObject("defaults"), conf, System.getenv(), sets);
    boolean clustered = cluster || config.getJsonObject("cluster").getBoolean("enabled", false);
    // validate before starting anything so a typo is one clear line, not a half-started node
    if (!role().equals("storage")) {
      TrackerOptions.from(config.getJsonObject("tracker"));
    }
    if (!role().equals("tracker")) {
      StorageOptions.from(config.getJsonObject("storage"));
      S3Options.from(config.getJsonObject("s3"));
    }
    S3Deploy.resolvePort(config, role());
    Vertx vertx =
        Launcher.createVertx(config, clustered)
            .toCompletionStage()
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    NettyMemoryAccess.warnIfSlow();
    try {
      Launcher.deploy(vertx, role(), config)
          .toCompletionStage()
          .toCompletableFuture()
          .get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("error: cannot start " + role() + ": " + rootMessage(e));
      vertx.close();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    vertx
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(20, TimeUnit.SECONDS);
                  } catch (Exception ignored) {
                    // exiting anyway
                  }
                },
                "dfstree-shutdown"));
    printBanner(config, S3Server.running(vertx));
    return KEEP_RUNNING;
  }

  private void printBanner(JsonObject config, S3Server.Endpoint s3) {
    System.out.println(Banner.text(role(), config, s3));
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  @Command(
      mixinStandardHelpOptions = true,
      name = "all-in-one",
      description = "A tracker and one storage in this JVM (the default).")
  public static final class AllInOne extends ServeCommand {
    String role() {
      return "all-in-one";
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "tracker", description = "Run a tracker.")
  public static final class Tracker extends ServeCommand {
    String role() {
      return "tracker";
    }
  }

  @Command(mixinStandardHelpOptions = true, name = "storage", description = "Run a storage server.")
  public static final class Storage extends ServeCommand {
    String role() {
      return "storage";
    }
  }
}
