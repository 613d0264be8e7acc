package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TestPorts;
import io.dfstree.s3.PostgresServer;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * S3 over two groups: a tracker and one storage in each of group1 and group2, as separate jar
 * processes in one Hazelcast cluster, each storage serving S3 on its own port over one shared
 * PostgreSQL namespace (Debian's {@code postgresql}). Each endpoint stores new objects in its own
 * group; what one stored the other reads (whole and ranged), including a multipart object whose
 * parts landed in both groups, and a delete through the other group's endpoint removes the file
 * from the group that holds it before it answers.
 */
class S3MultiGroupIT {
  static final String KEY = "DFSTMULTIGROUPKEY001";
  static final String SECRET = "multi/group+secret0123456789abcdefghij";

  static PostgresServer pg;
  static LoopbackCluster cluster;
  static LoopbackCluster.Storage one;
  static LoopbackCluster.Storage two;
  static S3Client s3One;
  static S3Client s3Two;

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresServer.start();
    cluster =
        new LoopbackCluster(
            "s3groups", List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    cluster.startTracker(Duration.ofSeconds(60), "heartbeatTimeoutMs=3000");
    one = cluster.storage(801, "group1", "fsync=false", "subdirCount=16", "heartbeatIntervalMs=500");
    two = cluster.storage(802, "group2", "fsync=false", "subdirCount=16", "heartbeatIntervalMs=500");
    int portOne = TestPorts.free();
    int portTwo = TestPorts.free();
    withS3(one, portOne);
    withS3(two, portTwo);
    one.start();
    two.start();
    one.server.awaitStarted(Duration.ofSeconds(90));
    two.server.awaitStarted(Duration.ofSeconds(90));
    s3One = client(portOne);
    s3Two = client(portTwo);
  }

  private static void withS3(LoopbackCluster.Storage s, int port) {
    s.otherSets.addAll(
        List.of(
            "s3.port=" + port,
            "s3.accessKey=" + KEY,
            "s3.secretKey=" + SECRET,
            "s3.namespace=postgresql",
            "s3.postgresUrl=" + pg.url(),
            "s3.postgresUser=dfstree"));
  }

  private static S3Client client(int port) {
    return S3Client.builder()
        .endpointOverride(URI.create("http://127.0.0.1:" + port))
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(KEY, SECRET)))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String fileId(software.amazon.awssdk.awscore.AwsResponse r) {
    return r.sdkHttpResponse().firstMatchingHeader("x-dfstree-file-id").orElseThrow();
  }

  @Test
  void eachEndpointReadsAndDeletesWhatTheOtherGroupStored() throws Exception {
    s3One.createBucket(b -> b.bucket("groups"));
    byte[] a = random(300_000, 1);
    byte[] b = random(200_000, 2);
    String idA = fileId(s3One.putObject(p -> p.bucket("groups").key("a.bin"), RequestBody.fromBytes(a)));
    String idB = fileId(s3Two.putObject(p -> p.bucket("groups").key("b.bin"), RequestBody.fromBytes(b)));
    assertTrue(idA.startsWith("group1/"), idA);
    assertTrue(idB.startsWith("group2/"), idB);

    // whole objects across groups, both ways
    assertArrayEquals(a, s3Two.getObjectAsBytes(g -> g.bucket("groups").key("a.bin")).asByteArray());
    assertArrayEquals(b, s3One.getObjectAsBytes(g -> g.bucket("groups").key("b.bin")).asByteArray());
    // a range of another group's object
    assertArrayEquals(
        Arrays.copyOfRange(a, 100_000, 150_000),
        s3Two
            .getObjectAsBytes(g -> g.bucket("groups").key("a.bin").range("bytes=100000-149999"))
            .asByteArray());

    // a delete through the other group's endpoint frees the file in the group that holds it
    String remoteA = idA.substring("group1/".length());
    assertTrue(Files.exists(one.file(remoteA)), "stored on group1's storage: " + remoteA);
    s3Two.deleteObject(d -> d.bucket("groups").key("a.bin"));
    assertFalse(Files.exists(one.file(remoteA)), "deleted from group1 before the answer");
  }

  @Test
  void multipartObjectWithPartsInBothGroupsReadsWholeFromEither() {
    s3One.createBucket(b -> b.bucket("parts"));
    byte[] p1 = random(5 * 1024 * 1024 + 7, 3); // parts but the last are 5 MiB at least
    byte[] p2 = random(123_457, 4);
    String upload =
        s3One.createMultipartUpload(c -> c.bucket("parts").key("mixed.bin")).uploadId();
    String e1 =
        s3One
            .uploadPart(
                u -> u.bucket("parts").key("mixed.bin").uploadId(upload).partNumber(1),
                RequestBody.fromBytes(p1))
            .eTag();
    String e2 =
        s3Two
            .uploadPart(
                u -> u.bucket("parts").key("mixed.bin").uploadId(upload).partNumber(2),
                RequestBody.fromBytes(p2))
            .eTag();
    s3Two.completeMultipartUpload(
        c ->
            c.bucket("parts")
                .key("mixed.bin")
                .uploadId(upload)
                .multipartUpload(
                    m ->
                        m.parts(
                            CompletedPart.builder().partNumber(1).eTag(e1).build(),
                            CompletedPart.builder().partNumber(2).eTag(e2).build())));
    byte[] whole = new byte[p1.length + p2.length];
    System.arraycopy(p1, 0, whole, 0, p1.length);
    System.arraycopy(p2, 0, whole, p1.length, p2.length);
    assertArrayEquals(whole, s3One.getObjectAsBytes(g -> g.bucket("parts").key("mixed.bin")).asByteArray());
    assertArrayEquals(whole, s3Two.getObjectAsBytes(g -> g.bucket("parts").key("mixed.bin")).asByteArray());
    // a range across the boundary of the two groups' parts
    int from = p1.length - 1000;
    assertArrayEquals(
        Arrays.copyOfRange(whole, from, from + 3000),
        s3One
            .getObjectAsBytes(
                g ->
                    g.bucket("parts")
                        .key("mixed.bin")
                        .range("bytes=" + from + "-" + (from + 2999)))
            .asByteArray());
  }
}
