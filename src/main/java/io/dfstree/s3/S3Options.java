package io.dfstree.s3;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.dfstree.config.ByteSize;
import io.dfstree.config.OptionsBinding;
import io.dfstree.config.TlsOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * S3 settings, from the {@code s3} section of the configuration (documented in conf/*.yaml).
 *
 * @param port -1 = the all-in-one's default (9000, or a free port when 9000 is taken), 0 = off
 * @param host address to bind; empty = the storage's host
 * @param accessKey empty = generated on first run and kept in {@code dataDir/credentials}
 * @param region the region clients are told to sign for (any region's signature is accepted)
 * @param namespace {@code sqlite} (embedded, one machine) or {@code postgresql} (several machines)
 * @param dataDir where the SQLite namespace and generated credentials live; empty = {@code <first
 *     store path>/s3}
 * @param publicBuckets buckets anyone may read (GET/HEAD objects, list) without signing
 * @param tls HTTPS certificate and key ({@code s3.tls}); off when both are empty
 */
public record S3Options(
    int port,
    String host,
    String accessKey,
    String secretKey,
    String region,
    String namespace,
    String dataDir,
    String postgresUrl,
    String postgresUser,
    String postgresPassword,
    int postgresConnections,
    List<String> publicBuckets,
    @JsonDeserialize(using = ByteSize.Deserializer.class) long maxObjectBytes,
    @JsonDeserialize(using = ByteSize.Deserializer.class) long minPartBytes,
    int eventLoops,
    TlsOptions tls) {

  public S3Options {
    host = host == null ? "" : host;
    accessKey = accessKey == null ? "" : accessKey;
    secretKey = secretKey == null ? "" : secretKey;
    dataDir = dataDir == null ? "" : dataDir;
    postgresUrl = postgresUrl == null ? "" : postgresUrl;
    postgresUser = postgresUser == null ? "" : postgresUser;
    postgresPassword = postgresPassword == null ? "" : postgresPassword;
    publicBuckets = publicBuckets == null ? List.of() : List.copyOf(publicBuckets);
    tls = tls == null ? TlsOptions.OFF : tls;
  }

  /**
   * The {@code s3} section (null: all defaults) over the defaults of {@code dfstree-defaults.yaml},
   * checked.
   */
  public static S3Options from(JsonObject c) {
    S3Options o = OptionsBinding.bind("s3", c, S3Options.class);
    o.validate();
    return o;
  }

  private void validate() {
    if (!namespace.equals("sqlite") && !namespace.equals("postgresql")) {
      throw new IllegalArgumentException(
          "s3.namespace must be sqlite or postgresql, not " + namespace);
    }
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException(
          "s3.port must be -1 (default), 0 (off) or 1..65535, not " + port);
    }
    if (accessKey.isEmpty() != secretKey.isEmpty()) {
      throw new IllegalArgumentException(
          "s3.accessKey and s3.secretKey are set together (or both left empty to generate them)");
    }
    if (eventLoops < 1 || postgresConnections < 1) {
      throw new IllegalArgumentException(
          "s3.eventLoops and s3.postgresConnections must be at least 1");
    }
    TlsOptions.from(
        new JsonObject().put("cert", tls.cert()).put("key", tls.key()),
        "s3"); // both or neither, readable
  }

  public boolean enabled() {
    return port > 0;
  }

  public S3Options withPort(int p) {
    return new S3Options(
        p,
        host,
        accessKey,
        secretKey,
        region,
        namespace,
        dataDir,
        postgresUrl,
        postgresUser,
        postgresPassword,
        postgresConnections,
        publicBuckets,
        maxObjectBytes,
        minPartBytes,
        eventLoops,
        tls);
  }

  public S3Options withKeys(String ak, String sk) {
    return new S3Options(
        port,
        host,
        ak,
        sk,
        region,
        namespace,
        dataDir,
        postgresUrl,
        postgresUser,
        postgresPassword,
        postgresConnections,
        publicBuckets,
        maxObjectBytes,
        minPartBytes,
        eventLoops,
        tls);
  }
}
