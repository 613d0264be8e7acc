package io.dfstree.s3;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * S3 settings, from the {@code s3} section of the configuration (documented in conf/*.yaml).
 *
 * @param port            -1 = the all-in-one's default (9000, or a free port when 9000 is taken), 0 = off
 * @param host            address to bind; empty = the storage's host
 * @param accessKey       empty = generated on first run and kept in {@code dataDir/credentials}
 * @param region          the region clients are told to sign for (any region's signature is accepted)
 * @param namespace       {@code sqlite} (embedded, one machine) or {@code postgresql} (several machines)
 * @param dataDir         where the SQLite namespace and generated credentials live; empty = {@code <first store path>/s3}
 * @param publicBuckets   buckets anyone may read (GET/HEAD objects, list) without signing
 * @param tls             HTTPS certificate and key ({@code s3.tls}); off when both are empty
 */
public record S3Options(int port, String host, String accessKey, String secretKey, String region, String namespace,
                        String dataDir, String postgresUrl, String postgresUser, String postgresPassword,
                        int postgresConnections, List<String> publicBuckets, long maxObjectBytes, long minPartBytes,
                        int eventLoops, io.dfstree.config.TlsOptions tls) {

  public static S3Options from(JsonObject c) {
    JsonObject s = c == null ? new JsonObject() : c;
    String ns = s.getString("namespace", "sqlite");
    if (!ns.equals("sqlite") && !ns.equals("postgresql")) {
      throw new IllegalArgumentException("s3.namespace must be sqlite or postgresql, not " + ns);
    }
    int port = s.getInteger("port", -1);
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException("s3.port must be -1 (default), 0 (off) or 1..65535, not " + port);
    }
    String ak = s.getString("accessKey", "");
    String sk = s.getString("secretKey", "");
    if (ak.isEmpty() != sk.isEmpty()) {
      throw new IllegalArgumentException("s3.accessKey and s3.secretKey are set together (or both left empty to generate them)");
    }
    JsonArray pub = s.getJsonArray("publicBuckets", new JsonArray());
    return new S3Options(port, s.getString("host", ""), ak, sk, s.getString("region", "us-east-1"), ns,
        s.getString("dataDir", ""), s.getString("postgresUrl", ""), s.getString("postgresUser", ""),
        s.getString("postgresPassword", ""), s.getInteger("postgresConnections", 8),
        pub.stream().map(String::valueOf).toList(), size(s.getValue("maxObjectBytes", "5G")),
        size(s.getValue("minPartBytes", "5M")), s.getInteger("eventLoops", 2),
        io.dfstree.config.TlsOptions.from(s.getJsonObject("tls"), "s3"));
  }

  public boolean enabled() {
    return port > 0;
  }

  public S3Options withPort(int p) {
    return new S3Options(p, host, accessKey, secretKey, region, namespace, dataDir, postgresUrl, postgresUser,
        postgresPassword, postgresConnections, publicBuckets, maxObjectBytes, minPartBytes, eventLoops, tls);
  }

  public S3Options withKeys(String ak, String sk) {
    return new S3Options(port, host, ak, sk, region, namespace, dataDir, postgresUrl, postgresUser,
        postgresPassword, postgresConnections, publicBuckets, maxObjectBytes, minPartBytes, eventLoops, tls);
  }

  static long size(Object v) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    String t = String.valueOf(v).trim().toUpperCase();
    long mul = 1;
    char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
    switch (last) {
      case 'K' -> mul = 1L << 10;
      case 'M' -> mul = 1L << 20;
      case 'G' -> mul = 1L << 30;
      case 'T' -> mul = 1L << 40;
      default -> { }
    }
    try {
      return Long.parseLong(mul == 1 ? t : t.substring(0, t.length() - 1).trim()) * mul;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: " + v + " (bytes, or with K/M/G/T)");
    }
  }
}
