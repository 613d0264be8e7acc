package io.dfstree.config;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers (defaults < YAML files < environment < --set), type conversion, sizes and option
 * validation.
 */
class ConfigTest {
  @TempDir Path dir;

  Path yaml(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static JsonObject storage(JsonObject c) {
    return c.getJsonObject("storage");
  }

  // ---- layers --------------------------------------------------------------------------------

  @Test
  void defaultsHoldEverySection() {
    JsonObject c = Config.load(List.of(), Map.of(), List.of());
    assertEquals(22122, c.getJsonObject("tracker").getInteger("port"));
    assertEquals(23000, storage(c).getInteger("port"));
    assertFalse(c.getJsonObject("cluster").getBoolean("enabled"));
  }

  @Test
  void yamlFileOverridesDefaultsAndKeepsOtherKeys() throws Exception {
    JsonObject c =
        Config.load(List.of(yaml("a.yaml", "storage:\n  port: 24000\n")), Map.of(), List.of());
    assertEquals(24000, storage(c).getInteger("port"));
    assertEquals("group1", storage(c).getString("group"));
  }

  @Test
  void laterYamlFileWins() throws Exception {
    JsonObject c =
        Config.load(
            List.of(
                yaml("a.yaml", "storage:\n  port: 24000\n  group: ga\n"),
                yaml("b.yaml", "storage:\n  port: 25000\n")),
            Map.of(),
            List.of());
    assertEquals(25000, storage(c).getInteger("port"));
    assertEquals("ga", storage(c).getString("group"));
  }

  @Test
  void yamlListReplacesTheDefaultList() throws Exception {
    JsonObject c =
        Config.load(
            List.of(yaml("a.yaml", "storage:\n  storePaths: [/x, /y]\n")), Map.of(), List.of());
    assertEquals(new JsonArray().add("/x").add("/y"), storage(c).getJsonArray("storePaths"));
  }

  @Test
  void environmentOverridesYaml() throws Exception {
    JsonObject c =
        Config.load(
            List.of(yaml("a.yaml", "storage:\n  port: 24000\n")),
            Map.of("DFSTREE_STORAGE_PORT", "26000"),
            List.of());
    assertEquals(26000, storage(c).getInteger("port"));
  }

  @Test
  void environmentKeyIsConvertedFromUpperSnakeToCamelCase() {
    JsonObject c =
        Config.load(List.of(), Map.of("DFSTREE_STORAGE_HEARTBEAT_INTERVAL_MS", "500"), List.of());
    assertEquals(500L, storage(c).getLong("heartbeatIntervalMs"));
  }

  @Test
  void environmentListIsSplitOnCommas() {
    JsonObject c =
        Config.load(List.of(), Map.of("DFSTREE_STORAGE_STORE_PATHS", "/a, /b,,"), List.of());
    assertEquals(new JsonArray().add("/a").add("/b"), storage(c).getJsonArray("storePaths"));
  }

  @Test
  void environmentWithoutPrefixOrWithUnknownSectionIsIgnored() {
    JsonObject c =
        Config.load(
            List.of(),
            Map.of("STORAGE_PORT", "1", "DFSTREE_NOPE_PORT", "2", "DFSTREE_STORAGE", "3"),
            List.of());
    assertEquals(Config.defaults(), c);
  }

  @Test
  void setOverridesEnvironment() {
    JsonObject c =
        Config.load(
            List.of(), Map.of("DFSTREE_STORAGE_PORT", "26000"), List.of("storage.port=27000"));
    assertEquals(27000, storage(c).getInteger("port"));
  }

  @Test
  void setConvertsToTheTypeOfTheReplacedValue() {
    JsonObject c =
        Config.load(
            List.of(),
            Map.of(),
            List.of(
                "storage.fsync=false",
                "storage.port = 23001",
                "storage.readOnlyPaths=1,2",
                "storage.group=g2"));
    assertEquals(Boolean.FALSE, storage(c).getValue("fsync"));
    assertInstanceOf(Number.class, storage(c).getValue("port"));
    assertEquals(23001, storage(c).getInteger("port"));
    assertEquals(new JsonArray().add("1").add("2"), storage(c).getJsonArray("readOnlyPaths"));
    assertEquals("g2", storage(c).getString("group"));
  }

  @Test
  void setOfANewKeyStoresText() {
    JsonObject c = Config.load(List.of(), Map.of(), List.of("extra.deep.key=v"));
    assertEquals("v", c.getJsonObject("extra").getJsonObject("deep").getString("key"));
  }

  @Test
  void setWithoutEqualsIsRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Config.load(List.of(), Map.of(), List.of("storage.port")));
    assertThrows(
        IllegalArgumentException.class, () -> Config.load(List.of(), Map.of(), List.of("=1")));
  }

  @Test
  void setOfANumberWithTextIsRejected() {
    assertThrows(
        NumberFormatException.class,
        () -> Config.load(List.of(), Map.of(), List.of("storage.port=abc")));
  }

  @Test
  void missingConfigFileIsReportedByName() {
    Path missing = dir.resolve("none.yaml");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Config.load(List.of(missing), Map.of(), List.of()));
    assertTrue(e.getMessage().contains("none.yaml"));
  }

  @Test
  void emptyYamlFileChangesNothing() throws Exception {
    assertEquals(Config.defaults(), Config.load(List.of(yaml("e.yaml", "")), Map.of(), List.of()));
  }

  @Test
  void commentOnlyYamlFileChangesNothing() throws Exception {
    assertEquals(
        Config.defaults(),
        Config.load(List.of(yaml("c.yaml", "# nothing set yet\n")), Map.of(), List.of()));
  }

  @Test
  void camelConvertsUpperSnake() {
    assertEquals("storePathSelection", Config.camel("STORE_PATH_SELECTION"));
    assertEquals("id", Config.camel("ID"));
  }

  // ---- storage options -----------------------------------------------------------------------

  static JsonObject storageDefaults() {
    return Config.defaults().getJsonObject("storage").copy();
  }

  @Test
  void storageOptionsFromDefaults() {
    StorageOptions o = StorageOptions.from(storageDefaults());
    assertEquals(100001, o.id());
    assertEquals(List.of("./data/store0"), o.storePaths());
    assertEquals(List.of(), o.readOnlyPaths());
    assertEquals("127.0.0.1", o.clientHost());
    assertFalse(o.mostFreeSelection());
  }

  @Test
  void storageOptionsReadOnlyPathsFromCommaText() {
    JsonObject c =
        Config.load(List.of(), Map.of("DFSTREE_STORAGE_READ_ONLY_PATHS", "0,2"), List.of());
    assertEquals(List.of(0, 2), StorageOptions.from(c.getJsonObject("storage")).readOnlyPaths());
  }

  @Test
  void advertisedHostWinsOverBindHost() {
    assertEquals(
        "10.0.0.5",
        StorageOptions.from(storageDefaults().put("advertisedHost", "10.0.0.5")).clientHost());
  }

  @Test
  void reservedBytesAsPercentageOfThePath() {
    StorageOptions o = StorageOptions.from(storageDefaults().put("reservedSpace", "10%"));
    assertEquals(100, o.reservedBytes(1000));
    assertEquals(0, o.reservedBytes(0));
  }

  @Test
  void reservedBytesAsAbsoluteSizeIgnoresThePathSize() {
    StorageOptions o = StorageOptions.from(storageDefaults().put("reservedSpace", "1G"));
    assertEquals(1L << 30, o.reservedBytes(1000));
    assertEquals(1L << 30, o.reservedBytes(1L << 40));
  }

  @Test
  void reservedBytesFromANumericYamlValue() {
    assertEquals(
        4096, StorageOptions.from(storageDefaults().put("reservedSpace", 4096)).reservedBytes(0));
  }

  static void assertStorageInvalid(JsonObject c, String messagePart) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StorageOptions.from(c));
    if (messagePart != null) {
      assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }
  }

  @Test
  void storageIdOutOfRangeIsRejected() {
    assertStorageInvalid(storageDefaults().put("id", 0), "storage.id");
    assertStorageInvalid(storageDefaults().put("id", 0x1000000), "storage.id");
  }

  @Test
  void storageIdAtTheLimitsIsAccepted() {
    assertEquals(1, StorageOptions.from(storageDefaults().put("id", 1)).id());
    assertEquals(0xFFFFFF, StorageOptions.from(storageDefaults().put("id", 0xFFFFFF)).id());
  }

  @Test
  void badGroupNameIsRejectedWithEinval() {
    // the group check is shared with the wire code, so it raises FdfsException rather than
    // IllegalArgumentException
    var e =
        assertThrows(
            io.dfstree.protocol.FdfsException.class,
            () -> StorageOptions.from(storageDefaults().put("group", "group-1")));
    assertEquals(22, e.errno());
    assertThrows(
        io.dfstree.protocol.FdfsException.class,
        () -> StorageOptions.from(storageDefaults().put("group", "")));
  }

  @Test
  void noStorePathsIsRejected() {
    assertStorageInvalid(storageDefaults().put("storePaths", new JsonArray()), "storePaths");
  }

  @Test
  void subdirCountOutOfRangeIsRejected() {
    assertStorageInvalid(storageDefaults().put("subdirCount", 0), "subdirCount");
    assertStorageInvalid(storageDefaults().put("subdirCount", 257), "subdirCount");
  }

  @Test
  void storagePortOutOfRangeIsRejected() {
    assertStorageInvalid(storageDefaults().put("port", 0), "port");
    assertStorageInvalid(storageDefaults().put("port", 65536), "port");
  }

  @Test
  void unknownStorePathSelectionIsRejected() {
    assertStorageInvalid(
        storageDefaults().put("storePathSelection", "random"), "storePathSelection");
  }

  @Test
  void mostFreeSelectionIsCaseInsensitive() {
    assertTrue(
        StorageOptions.from(storageDefaults().put("storePathSelection", "Most-Free"))
            .mostFreeSelection());
  }

  @Test
  void unparsableReservedSpaceIsRejected() {
    assertStorageInvalid(storageDefaults().put("reservedSpace", "lots"), null);
    assertStorageInvalid(storageDefaults().put("reservedSpace", "x%"), null);
  }

  // ---- tracker options -----------------------------------------------------------------------

  static JsonObject trackerDefaults() {
    return Config.defaults().getJsonObject("tracker").copy();
  }

  static void assertTrackerInvalid(JsonObject c, String messagePart) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TrackerOptions.from(c));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
  }

  @Test
  void trackerOptionsFromDefaults() {
    TrackerOptions o = TrackerOptions.from(trackerDefaults());
    assertEquals(22122, o.port());
    assertFalse(o.modernLayout());
    assertEquals(List.of(), o.allowHosts());
  }

  @Test
  void trackerModernLayoutIsCaseInsensitive() {
    assertTrue(TrackerOptions.from(trackerDefaults().put("listLayout", "MODERN")).modernLayout());
  }

  @Test
  void trackerStoreLookupOutOfRangeIsRejected() {
    assertTrackerInvalid(trackerDefaults().put("storeLookup", 3), "storeLookup");
    assertTrackerInvalid(trackerDefaults().put("storeLookup", -1), "storeLookup");
  }

  @Test
  void trackerStoreServerOutOfRangeIsRejected() {
    assertTrackerInvalid(trackerDefaults().put("storeServer", 3), "storeServer");
  }

  @Test
  void trackerStorePathOneIsRejected() {
    assertTrackerInvalid(trackerDefaults().put("storePath", 1), "storePath");
    assertEquals(2, TrackerOptions.from(trackerDefaults().put("storePath", 2)).storePath());
  }

  @Test
  void trackerDownloadServerOutOfRangeIsRejected() {
    assertTrackerInvalid(trackerDefaults().put("downloadServer", 2), "downloadServer");
  }

  @Test
  void trackerUnknownListLayoutIsRejected() {
    assertTrackerInvalid(trackerDefaults().put("listLayout", "fancy"), "listLayout");
  }

  @Test
  void trackerPortOutOfRangeIsRejected() {
    assertTrackerInvalid(trackerDefaults().put("port", 70000), "port");
  }

  // ---- binding: unknown keys, wrong kinds, enums, defaults --------------------------------

  @Test
  void unknownStorageKeyIsRejectedByName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> StorageOptions.from(storageDefaults().put("fsnyc", false)));
    assertTrue(e.getMessage().startsWith("storage.fsnyc: unknown key"), e.getMessage());
    assertTrue(e.getMessage().contains("fsync"), "lists the known keys: " + e.getMessage());
  }

  @Test
  void unknownKeyInTheHttpSectionIsRejectedWithItsFullPath() {
    JsonObject c = storageDefaults();
    c.getJsonObject("http").put("tokenSecrett", "x");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StorageOptions.from(c));
    assertTrue(e.getMessage().startsWith("storage.http.tokenSecrett: unknown key"), e.getMessage());
  }

  @Test
  void unknownTrackerKeyIsRejectedByName() {
    assertTrackerInvalid(trackerDefaults().put("storeLokup", 1), "tracker.storeLokup: unknown key");
  }

  @Test
  void unknownKeySetOnTheCommandLineFailsWhenTheOptionsAreBuilt() {
    JsonObject c = Config.load(List.of(), Map.of(), List.of("storage.writeQuorom=1"));
    assertStorageInvalid(c.getJsonObject("storage"), "storage.writeQuorom: unknown key");
  }

  @Test
  void textForANumberIsRejectedNamingKeyAndValue() {
    assertStorageInvalid(
        storageDefaults().put("port", "many"), "storage.port: cannot use \"many\"");
    assertStorageInvalid(storageDefaults().put("diskThreads", 2.5), "storage.diskThreads");
    assertTrackerInvalid(
        trackerDefaults().put("heartbeatTimeoutMs", "soon"), "tracker.heartbeatTimeoutMs");
  }

  @Test
  void nullForANumberIsRejectedByName() {
    assertStorageInvalid(storageDefaults().putNull("eventLoops"), "storage.eventLoops");
  }

  @Test
  void whenDegradedBindsToItsEnumAndRejectsOtherWords() {
    assertEquals(WhenDegraded.ACCEPT, StorageOptions.from(storageDefaults()).whenDegraded());
    StorageOptions refusing = StorageOptions.from(storageDefaults().put("whenDegraded", "refuse"));
    assertEquals(WhenDegraded.REFUSE, refusing.whenDegraded());
    assertTrue(refusing.refusesWhenDegraded());
    assertFalse(StorageOptions.from(storageDefaults()).refusesWhenDegraded());
    assertStorageInvalid(
        storageDefaults().put("whenDegraded", "maybe"),
        "storage.whenDegraded: 'maybe' is not one of accept, refuse");
  }

  @Test
  void storePathSelectionBindsToItsEnumWithTheYamlSpelling() {
    assertEquals(
        StorePathSelection.ROUND_ROBIN,
        StorageOptions.from(storageDefaults()).storePathSelection());
    assertEquals(
        StorePathSelection.MOST_FREE,
        StorageOptions.from(storageDefaults().put("storePathSelection", "most-free"))
            .storePathSelection());
    assertEquals("most-free", StorePathSelection.MOST_FREE.yamlName());
    assertEquals("refuse", WhenDegraded.REFUSE.yamlName());
    assertStorageInvalid(
        storageDefaults().put("storePathSelection", "most_free"),
        "storage.storePathSelection: 'most_free' is not one of round-robin, most-free");
  }

  @Test
  void aPartialSectionTakesEveryOtherKeyFromTheBuiltInDefaults() {
    StorageOptions o =
        StorageOptions.from(
            new JsonObject()
                .put("id", 7)
                .put("http", new JsonObject().put("apiKeys", new JsonArray().add("k"))));
    StorageOptions d = StorageOptions.from(storageDefaults());
    assertEquals(7, o.id());
    assertEquals(List.of("k"), o.http().apiKeys());
    assertEquals(d.http().maxUploadBytes(), o.http().maxUploadBytes());
    assertEquals(d.port(), o.port());
    assertEquals(d.fsync(), o.fsync());
    assertEquals(TrackerOptions.from(trackerDefaults()), TrackerOptions.from(new JsonObject()));
    assertEquals(30_000, TrackerOptions.from(null).requestBodyTimeoutMs());
  }

  @Test
  void maxUploadBytesIsASizeInEitherForm() {
    JsonObject c = storageDefaults();
    c.getJsonObject("http").put("maxUploadBytes", "512M");
    assertEquals(512L << 20, StorageOptions.from(c).http().maxUploadBytes());
    c.getJsonObject("http").put("maxUploadBytes", 4096);
    assertEquals(4096, StorageOptions.from(c).http().maxUploadBytes());
    assertEquals(10L << 30, StorageOptions.from(storageDefaults()).http().maxUploadBytes());
    c.getJsonObject("http").put("maxUploadBytes", "huge");
    assertStorageInvalid(c, "storage.http.maxUploadBytes");
  }

  @Test
  void everyDefaultKeyIsAnOptionAndEveryOptionHasADefault() {
    // binding the bare defaults would fail on a default key no record declares; this checks the
    // other way
    assertEquals(
        Config.defaults().getJsonObject("tracker").fieldNames(),
        java.util.Arrays.stream(TrackerOptions.class.getRecordComponents())
            .map(c -> c.getName())
            .collect(java.util.stream.Collectors.toSet()));
    assertEquals(
        Config.defaults().getJsonObject("storage").fieldNames(),
        java.util.Arrays.stream(StorageOptions.class.getRecordComponents())
            .map(c -> c.getName())
            .collect(java.util.stream.Collectors.toSet()));
    assertEquals(
        Config.defaults().getJsonObject("storage").getJsonObject("http").fieldNames(),
        java.util.Arrays.stream(HttpOptions.class.getRecordComponents())
            .map(c -> c.getName())
            .collect(java.util.stream.Collectors.toSet()));
  }
}
