package io.dfstree.s3;

import io.dfstree.SingleNodeServer;
import io.dfstree.TestPorts;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The embedded node with S3 on a free port, and AWS SDK clients for it (path-style, URL-connection
 * HTTP).
 */
final class S3Node implements AutoCloseable {
  static final String ACCESS_KEY = "DFSTTESTACCESSKEY001";
  static final String SECRET_KEY = "test/secret/KEY+with/odd+characters0123";

  final SingleNodeServer server;
  final int port;

  private S3Node(SingleNodeServer server, int port) {
    this.server = server;
    this.port = port;
  }

  static S3Node start(Consumer<JsonObject> s3Settings) throws Exception {
    return startWith(c -> s3Settings.accept(c.getJsonObject("s3")));
  }

  /** With the whole configuration to edit (storage options too). */
  static S3Node startWith(Consumer<JsonObject> settings) throws Exception {
    int port = TestPorts.free();
    SingleNodeServer server =
        SingleNodeServer.start(
            c -> {
              c.getJsonObject("s3")
                  .put("port", port)
                  .put("accessKey", ACCESS_KEY)
                  .put("secretKey", SECRET_KEY);
              settings.accept(c);
            });
    return new S3Node(server, port);
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  S3Client client() {
    return client(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
  }

  S3Client client(String accessKey, String secretKey) {
    return client(
        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
  }

  S3Client anonymous() {
    return client(AnonymousCredentialsProvider.create());
  }

  private S3Client client(AwsCredentialsProvider credentials) {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials)
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  S3Presigner presigner() {
    return S3Presigner.builder()
        .endpointOverride(endpoint())
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .build();
  }

  String trackerAddress() {
    return server.trackerAddress();
  }

  @Override
  public void close() throws Exception {
    server.close();
  }
}
