package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * S3 over HTTPS with a self-signed PEM certificate ({@code s3.tls.cert/key}, made with openssl as
 * WebConsoleIT does), driven by the AWS SDK for Java v2 with a trust store holding only that
 * certificate: PutObject and GetObject of 1 MiB (ETag = MD5), and a client without the trust store
 * refused by the TLS handshake.
 */
class S3TlsTest {
  @TempDir static Path dir;
  static S3Node node;
  static Path cert;

  @BeforeAll
  static void start() throws Exception {
    io.dfstree.TestCertificates.Pem pem = io.dfstree.TestCertificates.selfSigned(dir);
    cert = pem.cert();
    Path key = pem.key();
    node =
        S3Node.start(
            c ->
                c.put(
                    "tls",
                    new io.vertx.core.json.JsonObject()
                        .put("cert", cert.toString())
                        .put("key", key.toString())));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /** A PKCS#12 trust store with just our certificate, written to disk as a user would keep it. */
  static TrustManagerFactory trustStore() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      ks.setCertificateEntry(
          "dfstree-s3", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    Path file = dir.resolve("truststore.p12");
    try (var os = Files.newOutputStream(file)) {
      ks.store(os, "changeit".toCharArray());
    }
    KeyStore loaded = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      loaded.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(loaded);
    return tmf;
  }

  static S3Client client(UrlConnectionHttpClient.Builder http) {
    return S3Client.builder()
        .endpointOverride(URI.create("https://127.0.0.1:" + node.port))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3Node.ACCESS_KEY, S3Node.SECRET_KEY)))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .httpClient(http.build())
        .build();
  }

  @Test
  void putAndGetThroughTheSdkTrustingOnlyOurCertificate() throws Exception {
    TrustManagerFactory tmf = trustStore();
    try (S3Client s3 =
        client(UrlConnectionHttpClient.builder().tlsTrustManagersProvider(tmf::getTrustManagers))) {
      s3.createBucket(b -> b.bucket("tls"));
      byte[] body = S3SdkTest.random(1 << 20, 7);
      String etag =
          s3.putObject(
                  b -> b.bucket("tls").key("dir/one.bin").contentType("application/x-test"),
                  RequestBody.fromBytes(body))
              .eTag();
      assertEquals("\"" + S3SdkTest.md5(body) + "\"", etag, "single-part ETag is the MD5");
      var got = s3.getObjectAsBytes(b -> b.bucket("tls").key("dir/one.bin"));
      assertArrayEquals(body, got.asByteArray());
      assertEquals("application/x-test", got.response().contentType());
      assertTrue(
          got.response()
              .sdkHttpResponse()
              .firstMatchingHeader("x-dfstree-file-id")
              .orElse("")
              .startsWith("group1/M00/"));
      var ranged =
          s3.getObjectAsBytes(b -> b.bucket("tls").key("dir/one.bin").range("bytes=1000-1999"));
      assertArrayEquals(java.util.Arrays.copyOfRange(body, 1000, 2000), ranged.asByteArray());
      s3.deleteObject(b -> b.bucket("tls").key("dir/one.bin"));
      s3.deleteBucket(b -> b.bucket("tls"));
    }
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused() {
    try (S3Client s3 = client(UrlConnectionHttpClient.builder())) {
      SdkClientException e = assertThrows(SdkClientException.class, () -> s3.listBuckets());
      String all = String.valueOf(e) + " " + String.valueOf(e.getCause());
      assertTrue(all.contains("SSL") || all.contains("certificat") || all.contains("PKIX"), all);
    }
  }
}
