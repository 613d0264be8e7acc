package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** {@code s3} bound with Jackson over the defaults of dfstree-defaults.yaml, and its checks. */
class S3OptionsTest {
  @Test
  void defaultsComeFromTheDefaultsFile() {
    S3Options o = S3Options.from(null);
    assertEquals(-1, o.port());
    assertEquals("sqlite", o.namespace());
    assertEquals("us-east-1", o.region());
    assertEquals(5L << 30, o.maxObjectBytes());
    assertEquals(5L << 20, o.minPartBytes());
    assertEquals(2, o.eventLoops());
    assertEquals(8, o.postgresConnections());
    assertEquals(java.util.List.of(), o.publicBuckets());
    assertFalse(o.tls().enabled());
  }

  @Test
  void aPartialSectionKeepsTheOtherDefaultsAndReadsSizes() {
    S3Options o =
        S3Options.from(
            new JsonObject()
                .put("port", 9100)
                .put("maxObjectBytes", "1G")
                .put("minPartBytes", 1048576)
                .put("publicBuckets", new JsonArray().add("www"))
                .put("accessKey", "AK")
                .put("secretKey", "SK"));
    assertEquals(9100, o.port());
    assertEquals(1L << 30, o.maxObjectBytes());
    assertEquals(1L << 20, o.minPartBytes());
    assertEquals(java.util.List.of("www"), o.publicBuckets());
    assertEquals("sqlite", o.namespace());
    assertEquals("AK", o.withKeys("AK", "SK").accessKey());
  }

  @Test
  void badValuesNameTheirKey() {
    String unknown =
        assertThrows(
                IllegalArgumentException.class,
                () -> S3Options.from(new JsonObject().put("nameSpace", "x")))
            .getMessage();
    assertTrue(unknown.startsWith("s3.nameSpace: unknown key"), unknown);
    String size =
        assertThrows(
                IllegalArgumentException.class,
                () -> S3Options.from(new JsonObject().put("maxObjectBytes", "lots")))
            .getMessage();
    assertTrue(size.startsWith("s3.maxObjectBytes"), size);
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> S3Options.from(new JsonObject().put("namespace", "mysql")))
            .getMessage()
            .contains("sqlite or postgresql"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> S3Options.from(new JsonObject().put("accessKey", "only")))
            .getMessage()
            .contains("together"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    S3Options.from(
                        new JsonObject()
                            .put("tls", new JsonObject().put("cert", "/nonexistent.pem"))))
            .getMessage()
            .contains("s3.tls"));
  }
}
