package io.dfstree.arch;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The package table of DESIGN.md ("The house, package by package"), held by a test: dependencies
 * point down the table, never back up. Roles get their front ends (HTTP) from the composition root
 * ({@code server.Roles}) through an interface of their own, so no role imports {@code http}.
 */
class ArchitectureTest {
  static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.dfstree");

  /**
   * The imported production classes. A rule over an empty import passes whatever the code does
   * (a wrong package name, a changed build layout), so every test first checks the import holds
   * the packages the rules speak of.
   */
  static JavaClasses main() {
    for (String p : Set.of("api", "client", "fileid", "protocol", "replication", "server", "storage", "tracker", "http", "s3")) {
      assertTrue(MAIN.containPackage("io.dfstree." + p), "ArchUnit imported no classes of io.dfstree." + p);
    }
    assertTrue(MAIN.size() > 200, "ArchUnit imported only " + MAIN.size() + " classes");
    return MAIN;
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.dfstree.(*)..").should().beFreeOfCycles().check(main());
  }

  /**
   * The wire and message packages stand alone: Java, Vert.x buffers and JSON, and each other as the
   * table allows ({@code fileid} uses {@code protocol}; {@code api} uses both). The client pacing,
   * rate-limited logging, TCP quick-ack and listener helpers that live in {@code protocol} (shared
   * by the storage and tracker ports) use timers, sockets, Netty and a logger: they are named
   * exceptions until they move to a server-side package below the roles.
   */
  @Test
  void wireAndMessagePackagesUseOnlyBuffersJsonAndEachOther() {
    Set<String> serverHelpers =
        Set.of(
            "io.dfstree.protocol.ClientWatch",
            "io.dfstree.protocol.ClientPace",
            "io.dfstree.protocol.ClientLimits",
            "io.dfstree.protocol.RateLimitedLog",
            "io.dfstree.protocol.QuickAck",
            "io.dfstree.protocol.SameLoopListener");
    noClasses()
        .that()
        .resideInAnyPackage("io.dfstree.protocol..", "io.dfstree.fileid..", "io.dfstree.api..")
        .and(
            describe(
                "not a server-side helper",
                (JavaClass c) -> !serverHelpers.contains(c.getName().replaceAll("\\$.*", ""))))
        .should()
        .dependOnClassesThat(
            describe(
                "outside Java, Vert.x buffers/JSON and the table",
                (JavaClass t) -> {
                  String p = t.getPackageName();
                  return !(p.startsWith("java.")
                      || p.equals("io.vertx.core.buffer")
                      || p.equals("io.vertx.core.json")
                      || p.startsWith("io.dfstree.protocol")
                      || p.startsWith("io.dfstree.fileid")
                      || p.startsWith("io.dfstree.api"));
                }))
        .check(main());
    noClasses()
        .that()
        .resideInAPackage("io.dfstree.protocol..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.dfstree.fileid..", "io.dfstree.api..")
        .check(main());
    noClasses()
        .that()
        .resideInAPackage("io.dfstree.fileid..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.dfstree.api..")
        .check(main());
  }

  @Test
  void clientsUseNothingServerSide() {
    noClasses()
        .that()
        .resideInAPackage("io.dfstree.client..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.dfstree.storage..",
            "io.dfstree.tracker..",
            "io.dfstree.http..",
            "io.dfstree.s3..",
            "io.dfstree.replication..",
            "io.dfstree.server..",
            "io.dfstree.cli..")
        .check(main());
  }
}
