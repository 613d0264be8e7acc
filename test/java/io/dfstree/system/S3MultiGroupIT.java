package io.dfstree.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dfstree.TestPorts;
import io.dfstree.s3.PostgresServer;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
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
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * S3 over two groups: a tracker and one storage in each of group1 and group2, as separate jar
 * processes in one Hazelcast cluster, each storage serving S3 on its own port over one shared
 * PostgreSQL namespace (Debian's {@code postgresql}). New objects go to the group the tracker
 * picks (round robin here), whichever endpoint took them; each endpoint reads (whole and ranged)
 * what the other group holds, including a multipart object whose parts landed in both groups, and
 * a delete through the other group's endpoint removes the file from the group that holds it before
 * it answers. A body that fails its Content-MD5 check leaves no file in the group it was sent to.
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
    // placement round-robins over the groups the tracker lists: wait until it lists both, or a
    // loaded machine places every object in the group whose heartbeat came first
    one.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
    two.awaitStatus(0, LoopbackCluster.ACTIVE, Duration.ofSeconds(60));
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
  void newObjectsArePlacedByTheTrackerAndEachEndpointReadsAndDeletesThemAll() throws Exception {
    s3One.createBucket(b -> b.bucket("groups"));
    // the tracker's storeLookup (round robin here) places new objects, as it does FastDFS uploads:
    // PUTs through one endpoint land in both groups
    Map<String, byte[]> content = new HashMap<>();
    Map<String, String> ids = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      String key = "o" + i + ".bin";
      byte[] body = random(100_000 + i * 50_000, i);
      content.put(key, body);
      ids.put(
          key, fileId(s3One.putObject(p -> p.bucket("groups").key(key), RequestBody.fromBytes(body))));
    }
    // empty objects have no bytes to place: they are stored by the endpoint that took them
    for (int i = 0; i < 2; i++) {
      String key = "empty" + i;
      s3One.putObject(p -> p.bucket("groups").key(key), RequestBody.empty());
      assertEquals(0, s3Two.getObjectAsBytes(g -> g.bucket("groups").key(key)).asByteArray().length);
    }
    Set<String> groups = new TreeSet<>();
    ids.values().forEach(id -> groups.add(id.substring(0, id.indexOf('/'))));
    assertEquals(Set.of("group1", "group2"), groups, "groups of " + ids);
    String inOne = keyIn(ids, "group1/");
    String inTwo = keyIn(ids, "group2/");

    // whole objects of both groups through both endpoints
    for (S3Client c : List.of(s3One, s3Two)) {
      for (String key : ids.keySet()) {
        assertArrayEquals(
            content.get(key), c.getObjectAsBytes(g -> g.bucket("groups").key(key)).asByteArray());
      }
    }
    // a range of another group's object, both ways
    assertArrayEquals(
        Arrays.copyOfRange(content.get(inOne), 10_000, 60_000),
        s3Two
            .getObjectAsBytes(g -> g.bucket("groups").key(inOne).range("bytes=10000-59999"))
            .asByteArray());
    assertArrayEquals(
        Arrays.copyOfRange(content.get(inTwo), 10_000, 60_000),
        s3One
            .getObjectAsBytes(g -> g.bucket("groups").key(inTwo).range("bytes=10000-59999"))
            .asByteArray());

    // a delete through the other group's endpoint frees the file in the group that holds it
    String remoteOne = ids.get(inOne).substring("group1/".length());
    String remoteTwo = ids.get(inTwo).substring("group2/".length());
    // a file of its own or (a small object, packing on by default) a slot in a packed volume
    assertArrayEquals(
        content.get(inOne), one.storedBytes(remoteOne), "stored on group1's storage: " + remoteOne);
    assertArrayEquals(
        content.get(inTwo), two.storedBytes(remoteTwo), "stored on group2's storage: " + remoteTwo);
    s3Two.deleteObject(d -> d.bucket("groups").key(inOne));
    s3One.deleteObject(d -> d.bucket("groups").key(inTwo));
    assertNull(one.storedBytes(remoteOne), "deleted from group1 before the answer");
    assertNull(two.storedBytes(remoteTwo), "deleted from group2 before the answer");
  }

  /** A key whose file ID starts with {@code prefix}. */
  static String keyIn(Map<String, String> ids, String prefix) {
    return ids.entrySet().stream()
        .filter(e -> e.getValue().startsWith(prefix))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no object in " + prefix + ": " + ids));
  }

  @Test
  void aBadContentMd5LeavesNoObjectInTheGroupItWasSentTo() throws Exception {
    s3Two.createBucket(b -> b.bucket("digests"));
    byte[] body = random(70_000, 9);
    Set<String> beforeOne = one.storedFiles();
    Set<String> beforeTwo = two.storedFiles();
    Set<String> slotsOne = one.liveSlots();
    Set<String> slotsTwo = two.liveSlots();
    String wrongMd5 =
        java.util.Base64.getEncoder()
            .encodeToString(java.security.MessageDigest.getInstance("MD5").digest(new byte[1]));
    // enough PUTs that some are sent to the other group (round robin): each must fail, none stay
    for (int i = 0; i < 4; i++) {
      String key = "bad" + i;
      S3Exception e =
          assertThrows(
              S3Exception.class,
              () ->
                  s3Two.putObject(
                      p -> p.bucket("digests").key(key).contentMD5(wrongMd5),
                      RequestBody.fromBytes(body)));
      assertEquals("BadDigest", e.awsErrorDetails().errorCode(), e.getMessage());
    }
    assertEquals(0, s3One.listObjectsV2(l -> l.bucket("digests")).keyCount());
    // the files the other group received were deleted before the error was answered
    assertEquals(beforeOne, one.storedFiles(), "files left in group1");
    assertEquals(beforeTwo, two.storedFiles(), "files left in group2");
    // 70,000 bytes is a small file: with packing on (the default) it went to a slot, not a file
    assertEquals(slotsOne, one.liveSlots(), "packed slots left in group1");
    assertEquals(slotsTwo, two.liveSlots(), "packed slots left in group2");
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
