package io.dfstree.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL from Debian's {@code postgresql} package (installed by .ci/run): initdb
 * in a temporary directory, the server on a free 127.0.0.1 port, stopped and removed on close.
 * PostgreSQL refuses to run as root, so as root it runs as the package's {@code postgres} user.
 */
public final class PostgresServer implements AutoCloseable {
  final int port;
  private final Path dir;
  private final Path bin;
  private final boolean asPostgres;

  private PostgresServer(int port, Path dir, Path bin, boolean asPostgres) {
    this.port = port;
    this.dir = dir;
    this.bin = bin;
    this.asPostgres = asPostgres;
  }

  static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException(
          "PostgreSQL is not installed: apt-get install postgresql (.ci/run does)");
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(
              Comparator.comparing(
                  p ->
                      Integer.parseInt(
                          p.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(
              () -> new IllegalStateException("no initdb under /usr/lib/postgresql/*/bin"));
    }
  }

  public static PostgresServer start() throws Exception {
    Path bin = binaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory("dfstree-pg");
    if (root) {
      UserPrincipal pg =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
      Files.setOwner(dir, pg);
    }
    int port = io.dfstree.TestPorts.free();
    PostgresServer server = new PostgresServer(port, dir, bin, root);
    server.run(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        "dfstree",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-sync");
    server.run(
        bin.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-l",
        dir.resolve("log").toString(),
        "-w",
        "-t",
        "60",
        "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "start");
    return server;
  }

  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  private void run(String... cmd) throws Exception {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(List.of(cmd));
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", full) + " failed:\n" + out);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-m",
          "immediate",
          "-w",
          "stop");
    } finally {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
