package io.dfstree.server;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a role: builds Vert.x (local or clustered over Hazelcast) and deploys the verticles its
 * deployment descriptor ({@code verticles/<role>.json}) names, each with its config section.
 */
public final class Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  private static final AtomicInteger REGISTRY_SEQ = new AtomicInteger();
  private static final Map<Vertx, String> REGISTRIES = new WeakHashMap<>();
  private static final Map<Vertx, PrometheusMeterRegistry> OWN_REGISTRIES = new WeakHashMap<>();

  private Launcher() {}

  /** The descriptor for a role, from the jar ({@code verticles/} is packaged as a resource). */
  public static JsonObject descriptor(String role) {
    try (InputStream in = Launcher.class.getResourceAsStream("/verticles/" + role + ".json")) {
      if (in == null) {
        throw new IllegalArgumentException(
            "unknown role " + role + " (expected all-in-one, tracker or storage)");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Future<Vertx> createVertx(JsonObject config, boolean clustered) {
    // native epoll where available: TCP_QUICKACK and zero-copy sendfile without NIO overhead
    // a registry per Vert.x instance: several nodes in one JVM (tests) must not share meters
    String registry = "dfstree-" + REGISTRY_SEQ.incrementAndGet();
    VertxOptions options =
        new VertxOptions()
            .setPreferNativeTransport(true)
            .setMetricsOptions(
                new MicrometerMetricsOptions()
                    .setEnabled(true)
                    .setRegistryName(registry)
                    .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    if (!clustered) {
      Vertx vertx = Vertx.vertx(options);
      REGISTRIES.put(vertx, registry);
      return Future.succeededFuture(vertx);
    }
    JsonObject cluster = config.getJsonObject("cluster", new JsonObject());
    String host = cluster.getString("host", "127.0.0.1");
    options.setEventBusOptions(EventBusTls.apply(new EventBusOptions().setHost(host), cluster));
    Config hz = hazelcast(cluster);
    return Vertx.builder()
        .with(options)
        .withClusterManager(new HazelcastClusterManager(hz))
        .buildClustered()
        .onSuccess(
            vertx -> {
              REGISTRIES.put(vertx, registry);
              // joined: the split-brain search now skips the ports nothing listens on (LiveSeeds)
              if (hz.getNetworkConfig().getJoin().getTcpIpConfig() instanceof LiveSeeds live) {
                live.joined();
              }
            });
  }

  /**
   * The Prometheus registry of a Vert.x built by {@link #createVertx} (Vert.x's own meters and
   * ours), or a fresh one for a Vert.x built elsewhere (tests), remembered per instance.
   */
  public static PrometheusMeterRegistry meterRegistry(Vertx vertx) {
    synchronized (REGISTRIES) {
      String name = REGISTRIES.get(vertx);
      MeterRegistry r = name == null ? null : BackendRegistries.getNow(name);
      if (r instanceof PrometheusMeterRegistry p) {
        return p;
      }
      PrometheusMeterRegistry own =
          OWN_REGISTRIES.computeIfAbsent(
              vertx, v -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      return own;
    }
  }

  /**
   * Hazelcast bound to one interface, no multicast: TCP-IP join over the configured member list,
   * or, when {@code kubernetesService} names a headless Service's DNS name, Hazelcast's Kubernetes
   * discovery in DNS lookup mode (no API access or RBAC needed).
   */
  /**
   * Sets a Hazelcast property unless a {@code -D} of the same name was given: in Hazelcast a config
   * property beats the system property, so without this an operator's {@code -D} would be ignored.
   */
  static void defaultProperty(Config cfg, String property, String value) {
    if (System.getProperty(property) == null) {
      cfg.setProperty(property, value);
    }
  }

  public static Config hazelcast(JsonObject cluster) {
    Config cfg = ConfigUtil.loadConfig();
    cfg.setClusterName(cluster.getString("name", "dfstree"));
    cfg.setProperty("hazelcast.phone.home.enabled", "false");
    cfg.setProperty("hazelcast.logging.type", "slf4j");
    cfg.setProperty("hazelcast.socket.bind.any", "false");
    // ten ports per member listed without one: a one-host cluster of up to ten processes always
    // finds itself again after a split. A -D given on the command line wins, as for the properties
    // SplitBrain and QuietHazelcast set (config properties would otherwise beat it): e.g. 3 for a
    // loopback group of three processes, whose master then no longer polls seven dead ports in its
    // split-brain search (benchmark/PROFILE.md, "idle22")
    defaultProperty(cfg, "hazelcast.tcp.join.port.try.count", "10");
    SplitBrain.apply(cfg, cluster);
    QuietHazelcast.apply(cfg);
    String host = cluster.getString("host", "127.0.0.1");
    NetworkConfig net = cfg.getNetworkConfig();
    net.setPort(cluster.getInteger("port", 5701)).setPortAutoIncrement(true).setPortCount(20);
    net.getInterfaces().setEnabled(true).addInterface(host);
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    String k8sService = cluster.getString("kubernetesService", "");
    if (k8sService != null && !k8sService.isBlank()) {
      // Kubernetes: members are the addresses a (headless) Service's DNS name resolves to
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", k8sService.trim());
      return cfg;
    }
    java.util.List<String> members = new java.util.ArrayList<>();
    for (Object m : cluster.getJsonArray("members", new io.vertx.core.json.JsonArray().add(host))) {
      members.add(String.valueOf(m));
    }
    // explicit ports across machines: a split brain is searched address by address (SeedMembers)
    java.util.List<String> seeds = SeedMembers.resolve(members, host, net.getPort());
    if (seeds.contains(host)) {
      // one machine, this host's port range: once joined, the split-brain search tries only the
      // ports something listens on (LiveSeeds)
      join.setTcpIpConfig(
          new LiveSeeds(host, net, new com.hazelcast.spi.properties.HazelcastProperties(cfg)));
    }
    join.getTcpIpConfig().setEnabled(true).setMembers(seeds);
    return cfg;
  }

  /**
   * Deploys every verticle of {@code role} on {@code vertx}, each with the front ends its
   * descriptor names ({@link Roles}) and this Vert.x's meter registry.
   */
  public static Future<Void> deploy(Vertx vertx, String role, JsonObject config) {
    JsonObject descriptor = descriptor(role);
    Future<Void> chain = Future.succeededFuture();
    // storages prove membership with it (PeerAuth); kept out of the role sections, which bind
    // strictly
    String secret = config.getJsonObject("cluster", new JsonObject()).getString("secret", "");
    if (!secret.isBlank()) {
      vertx
          .sharedData()
          .getLocalMap(io.dfstree.storage.StorageVerticle.LOCAL_SETTINGS)
          .put(io.dfstree.storage.StorageVerticle.CLUSTER_SECRET, secret);
    }
    for (Object o : descriptor.getJsonArray("verticles")) {
      JsonObject v = (JsonObject) o;
      JsonObject section = config.getJsonObject(v.getString("configSection"), new JsonObject());
      DeploymentOptions options =
          new DeploymentOptions().setConfig(section).setInstances(v.getInteger("instances", 1));
      String name = v.getString("name");
      java.util.List<String> adapters = Roles.adapters(v.getJsonArray("adapters"));
      PrometheusMeterRegistry registry = meterRegistry(vertx);
      // in order: the tracker must be listening for heartbeats before the first storage beats
      chain =
          chain
              .compose(
                  x ->
                      vertx
                          .deployVerticle(() -> Roles.create(name, adapters, registry), options)
                          .<Void>mapEmpty())
              .onFailure(err -> LOG.error("cannot deploy {}: {}", name, err.getMessage()));
    }
    return chain.compose(x -> S3Deploy.ifEnabled(vertx, role, config));
  }
}
