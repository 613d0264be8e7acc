package io.dfstree.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.TestPorts;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three clustered Vert.x instances in one JVM, one Hazelcast cluster: two members share the
 * cluster's certificate and trust, the third has a certificate of its own. Over TLS the two members
 * exchange messages; the third joins Hazelcast (it has no TLS) but can neither send to them nor
 * receive from them on the event bus.
 */
class ClusteredEventBusTlsTest {
  final List<Vertx> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Vertx v : started) {
      v.close().await(30, TimeUnit.SECONDS);
    }
  }

  Vertx member(
      String cluster, int port, int seed, SelfSignedCertificate cert, SelfSignedCertificate trust)
      throws Exception {
    JsonObject c =
        new JsonObject()
            .put("name", cluster)
            .put("host", "127.0.0.1")
            .put("port", port)
            .put("members", new JsonArray().add("127.0.0.1:" + seed))
            .put(
                "tls",
                new JsonObject()
                    .put("cert", cert.certificatePath())
                    .put("key", cert.privateKeyPath())
                    .put("trust", trust.certificatePath()));
    Vertx v =
        Launcher.createVertx(new JsonObject().put("cluster", c), true).await(90, TimeUnit.SECONDS);
    started.add(v);
    return v;
  }

  @Test
  void membersExchangeOverTlsAndAProcessWithoutTheirTrustCannot() throws Exception {
    SelfSignedCertificate clusterCert = SelfSignedCertificate.create("localhost");
    SelfSignedCertificate other = SelfSignedCertificate.create("localhost");
    String cluster = "ebtls-" + UUID.randomUUID();
    int seed = TestPorts.free();
    Vertx a = member(cluster, seed, seed, clusterCert, clusterCert);
    Vertx b = member(cluster, TestPorts.free(), seed, clusterCert, clusterCert);
    Vertx outsider = member(cluster, TestPorts.free(), seed, other, other);

    a.eventBus()
        .<String>consumer("tls.echo", m -> m.reply("echo:" + m.body()))
        .completion()
        .await(10, TimeUnit.SECONDS);
    List<String> outsiderGot = new CopyOnWriteArrayList<>();
    outsider
        .eventBus()
        .<String>consumer("tls.news", m -> outsiderGot.add(m.body()))
        .completion()
        .await(10, TimeUnit.SECONDS);
    List<String> bGot = new CopyOnWriteArrayList<>();
    b.eventBus()
        .<String>consumer("tls.news", m -> bGot.add(m.body()))
        .completion()
        .await(10, TimeUnit.SECONDS);

    // a member reaches a member (subscriptions spread through Hazelcast: retry until they have)
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () ->
                "echo:hi"
                    .equals(
                        b.eventBus()
                            .<String>request(
                                "tls.echo", "hi", new DeliveryOptions().setSendTimeout(2000))
                            .await(5, TimeUnit.SECONDS)
                            .body()));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              a.eventBus().publish("tls.news", "n");
              return !bGot.isEmpty();
            });

    // the outsider is in the Hazelcast cluster and sees the subscription, but the TLS handshake
    // fails
    assertEquals(3, ((io.vertx.core.internal.VertxInternal) a).clusterManager().getNodes().size());
    assertThrows(
        Exception.class,
        () ->
            outsider
                .eventBus()
                .<String>request(
                    "tls.echo", "let me in", new DeliveryOptions().setSendTimeout(3000))
                .await(10, TimeUnit.SECONDS));
    for (int i = 0; i < 5; i++) {
      a.eventBus().publish("tls.news", "secret-" + i);
      Thread.sleep(300);
    }
    assertTrue(bGot.size() > 1, "the member still hears: " + bGot);
    assertTrue(outsiderGot.isEmpty(), "the outsider heard " + outsiderGot);
  }

  @Test
  void halfATlsSectionIsRefusedWithOneLine() {
    JsonObject c = new JsonObject().put("tls", new JsonObject().put("cert", "/nonexistent.pem"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventBusTls.apply(new io.vertx.core.eventbus.EventBusOptions(), c));
    assertTrue(e.getMessage().contains("cluster.tls"), e.getMessage());
    assertTrue(
        !EventBusTls.apply(
                new io.vertx.core.eventbus.EventBusOptions(),
                new JsonObject()
                    .put("tls", new JsonObject().put("cert", "").put("key", "").put("trust", "")))
            .isSsl());
  }
}
