package io.dfstree.config;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.server.Launcher;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The operator examples in {@code conf/} can never rot: each loads through {@link Config#load},
 * builds the options of its role, names exactly the keys of {@code dfstree-defaults.yaml} for its
 * sections with their default values, and documents every key with a comment.
 */
class ConfFilesTest {
  static final Path CONF = Path.of("conf");

  /** Values a conf file deliberately sets away from the built-in default. */
  static final Map<String, Object> INTENDED = Map.of("cluster.enabled", true);

  private static final Pattern KEY_LINE = Pattern.compile("^  ([A-Za-z][A-Za-z0-9]*):");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "tracker.yaml, tracker",
    "storage.yaml, storage s3",
    "all-in-one.yaml, tracker storage s3",
    "cluster-loopback.yaml, cluster"
  })
  void loadsBuildsOptionsAndNamesEveryDefaultKey(String file, String sections) throws Exception {
    Path path = CONF.resolve(file);
    assertTrue(Files.isRegularFile(path), path + " missing");
    JsonObject loaded = Config.load(List.of(path), Map.of(), List.of());
    JsonObject raw = Config.readYaml(Files.readString(path));
    // a role's own defaults (verticles/<role>.json) sit over the built-in ones: all-in-one turns
    // HTTP on
    JsonObject defaults =
        Config.load(
            file.equals("all-in-one.yaml")
                ? Launcher.descriptor("all-in-one").getJsonObject("defaults")
                : new JsonObject(),
            List.of(),
            Map.of(),
            List.of());
    Set<String> expectedSections = new TreeSet<>(List.of(sections.split(" ")));
    assertEquals(expectedSections, new TreeSet<>(raw.fieldNames()), file + ": sections");
    for (String section : expectedSections) {
      JsonObject want = defaults.getJsonObject(section);
      JsonObject got = raw.getJsonObject(section);
      assertEquals(
          new TreeSet<>(want.fieldNames()),
          new TreeSet<>(got.fieldNames()),
          file + ": keys of section " + section + " (missing or unknown keys)");
      for (String key : want.fieldNames()) {
        Object expected = INTENDED.getOrDefault(section + "." + key, want.getValue(key));
        assertEquals(expected, got.getValue(key), file + ": " + section + "." + key);
      }
      switch (section) {
        case "tracker" ->
            assertEquals(22122, TrackerOptions.from(loaded.getJsonObject("tracker")).port());
        case "storage" ->
            assertEquals("group1", StorageOptions.from(loaded.getJsonObject("storage")).group());
        case "s3" ->
            assertEquals(-1, io.dfstree.s3.S3Options.from(loaded.getJsonObject("s3")).port());
        case "cluster" -> {
          com.hazelcast.config.Config hz = Launcher.hazelcast(loaded.getJsonObject("cluster"));
          assertTrue(hz.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled(), "TCP-IP join");
          assertFalse(
              hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled(), "no multicast");
          assertEquals(
              List.of("127.0.0.1"), hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
          assertEquals("dfstree", hz.getClusterName());
        }
        default -> fail("unexpected section " + section);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"tracker.yaml", "storage.yaml", "all-in-one.yaml", "cluster-loopback.yaml"})
  void everyKeyHasACommentAboveIt(String file) throws Exception {
    List<String> lines = Files.readAllLines(CONF.resolve(file));
    List<String> undocumented = new ArrayList<>();
    int keys = 0;
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = KEY_LINE.matcher(lines.get(i));
      if (m.find()) {
        keys++;
        if (i == 0 || !lines.get(i - 1).trim().startsWith("#")) {
          undocumented.add(m.group(1));
        }
      }
    }
    assertTrue(keys > 0, file + " has no keys");
    assertEquals(List.of(), undocumented, file + ": keys without a comment directly above");
  }

  @Test
  void theRoleFilesTogetherCoverEverySection() throws Exception {
    Set<String> covered = new HashSet<>();
    for (String f : List.of("tracker.yaml", "storage.yaml", "cluster-loopback.yaml")) {
      covered.addAll(Config.readYaml(Files.readString(CONF.resolve(f))).fieldNames());
    }
    assertEquals(Config.defaults().fieldNames(), covered);
  }

  @Test
  void allInOneRepeatsTheRoleFilesSectionsVerbatimButForItsHttpPorts() throws Exception {
    JsonObject aio = Config.readYaml(Files.readString(CONF.resolve("all-in-one.yaml")));
    assertEquals(8090, aio.getJsonObject("tracker").remove("httpPort"));
    assertEquals(8080, aio.getJsonObject("storage").remove("httpPort"));
    JsonObject tracker =
        Config.readYaml(Files.readString(CONF.resolve("tracker.yaml"))).getJsonObject("tracker");
    assertEquals(0, tracker.remove("httpPort"));
    JsonObject storage =
        Config.readYaml(Files.readString(CONF.resolve("storage.yaml"))).getJsonObject("storage");
    assertEquals(0, storage.remove("httpPort"));
    assertEquals(tracker, aio.getJsonObject("tracker"));
    assertEquals(storage, aio.getJsonObject("storage"));
  }
}
