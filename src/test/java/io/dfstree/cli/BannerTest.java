package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.config.Config;
import io.dfstree.server.Launcher;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the first run prints: FastDFS endpoints next to the console and storage HTTP URLs. */
class BannerTest {
  @TempDir Path tmp;

  static JsonObject config(String role, String... sets) {
    return Config.load(
        Launcher.descriptor(role).getJsonObject("defaults"), List.of(), Map.of(), List.of(sets));
  }

  @Test
  void allInOneWithNoArgumentsServesHttpOnLoopbackAndSaysWhere() {
    String text = Banner.text("all-in-one", config("all-in-one"));
    assertTrue(text.contains("tracker  127.0.0.1:22122  (FastDFS protocol)"), text);
    assertTrue(text.contains("storage  127.0.0.1:23000  group group1"), text);
    assertTrue(text.contains("console  http://127.0.0.1:8090/console/"), text);
    assertTrue(text.contains("http     http://127.0.0.1:8080/group1/"), text);
    assertTrue(
        text.contains(
            "curl --data-binary @/tmp/hello.txt 'http://127.0.0.1:8080/group1/upload?ext=txt'"),
        text);
  }

  @Test
  void theClusterRolesKeepHttpOffUnlessConfigured() {
    assertFalse(Banner.text("tracker", config("tracker")).contains("console"));
    assertFalse(Banner.text("storage", config("storage")).contains("http://"));
    String t =
        Banner.text("tracker", config("tracker", "tracker.httpPort=9001", "tracker.host=0.0.0.0"));
    assertTrue(
        t.contains("console  http://127.0.0.1:9001/console/"),
        "a wildcard bind is opened on loopback: " + t);
  }

  @Test
  void httpsUrlsWhenACertificateIsConfigured() throws Exception {
    Path cert = Files.writeString(tmp.resolve("cert.pem"), "x");
    Path key = Files.writeString(tmp.resolve("key.pem"), "x");
    String text =
        Banner.text(
            "all-in-one",
            config(
                "all-in-one",
                "tracker.http.tls.cert=" + cert,
                "tracker.http.tls.key=" + key,
                "storage.http.tls.cert=" + cert,
                "storage.http.tls.key=" + key));
    assertTrue(text.contains("console  https://127.0.0.1:8090/console/"), text);
    assertTrue(text.contains("curl -k --data-binary"), text);
  }

  @Test
  void aCertificateWithoutItsKeyIsOneClearError() throws Exception {
    Path cert = Files.writeString(tmp.resolve("cert.pem"), "x");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Banner.text("all-in-one", config("all-in-one", "storage.http.tls.cert=" + cert)));
    assertTrue(e.getMessage().contains("storage.http.tls needs both cert and key"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Banner.text(
                    "all-in-one",
                    config(
                        "all-in-one",
                        "tracker.http.tls.cert=/nonexistent/c.pem",
                        "tracker.http.tls.key=/nonexistent/k.pem")));
    assertTrue(
        e.getMessage().contains("tracker.http.tls.cert: cannot read /nonexistent/c.pem"),
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Banner.text("all-in-one", config("all-in-one", "storage.http.tls.crt=" + cert)));
    assertTrue(e.getMessage().contains("storage.http.tls.crt: unknown key"), e.getMessage());
  }
}
