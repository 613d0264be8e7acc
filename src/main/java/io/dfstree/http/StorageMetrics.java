package io.dfstree.http;

import io.dfstree.protocol.Errno;
import io.dfstree.storage.StorageEvents;
import io.dfstree.storage.StorageService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.internal.PlatformDependent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage's own meters (names as Prometheus shows them): {@code dfstree_uploads_total}, {@code
 * dfstree_downloads_total} (tags protocol, outcome), {@code dfstree_upload_bytes_total}, {@code
 * dfstree_download_bytes_total}, {@code dfstree_upload_seconds}, {@code dfstree_download_seconds}
 * (histograms with p50/p95/p99), {@code dfstree_errors_total} (tags protocol, errno), {@code
 * dfstree_replication_lag_seconds} (tag peer), {@code dfstree_store_free_bytes} (tag path), {@code
 * dfstree_open_connections} (tag protocol), {@code dfstree_netty_direct_memory_bytes}.
 */
public final class StorageMetrics implements StorageEvents {
  private final MeterRegistry registry;
  private final StorageService storage;
  final AtomicInteger httpConnections = new AtomicInteger();

  public StorageMetrics(MeterRegistry registry, StorageService storage) {
    this.registry = registry;
    this.storage = storage;
    for (StorageService.PathSpace p : storage.space()) {
      int index = p.index();
      Gauge.builder("dfstree.store.free.bytes", storage, s -> s.space().get(index).freeBytes())
          .tag("path", String.format("M%02X", index))
          .baseUnit("bytes")
          .description("usable space of a store path, as last measured")
          .register(registry);
    }
    Gauge.builder("dfstree.open.connections", storage, StorageService::connections)
        .tag("protocol", "fdfs")
        .description("open client connections")
        .register(registry);
    Gauge.builder("dfstree.open.connections", httpConnections, AtomicInteger::get)
        .tag("protocol", "http")
        .description("open client connections")
        .register(registry);
    // Netty's own count of the direct memory it holds. Tag cleaner="none" when its chunks are made
    // without a JDK Cleaner (not zeroed, and not in the JVM's "direct" buffer pool meters),
    // "jdk" when they are plain allocateDirect buffers (the JVM was started without the jar's
    // manifest, which opens java.nio for this)
    Gauge.builder("dfstree.netty.direct.memory", PlatformDependent::usedDirectMemory)
        .tag("cleaner", PlatformDependent.useDirectBufferNoCleaner() ? "none" : "jdk")
        .baseUnit("bytes")
        .description("direct memory held by Netty's buffers")
        .register(registry);
    Gauge.builder("dfstree.storage.active", storage, s -> s.active() ? 1 : 0)
        .description("1 when the storage is ACTIVE")
        .register(registry);
    scrubMeters(registry, storage);
    // pre-register the common series so a scrape shows them before the first request
    for (String proto : new String[] {"fdfs", "http", "ws"}) {
      timer("upload", proto);
      timer("download", proto);
    }
  }

  /** Replication lag per peer; called as peers appear (a gauge per peer id). */
  void trackPeers() {
    storage
        .replicationLagSeconds()
        .keySet()
        .forEach(
            peer ->
                Gauge.builder(
                        "dfstree.replication.lag",
                        storage,
                        s -> s.replicationLagSeconds().getOrDefault(peer, -1L))
                    .tag("peer", peer)
                    .baseUnit("seconds")
                    .description("seconds behind a peer's binlog (-1 not yet synced)")
                    .register(registry));
  }

  private Timer timer(String op, String protocol) {
    return Timer.builder("dfstree." + op)
        .tag("protocol", protocol)
        .publishPercentiles(0.5, 0.95, 0.99)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(60))
        .description(op + " latency")
        .register(registry);
  }

  /** The meters one (operation, protocol, outcome) records into. */
  private record Key(String op, String protocol, boolean ok) {}

  private record Meters(Counter count, Counter bytes, Timer latency) {}

  /**
   * Looked up once per kind: a builder's {@code register} per request builds an id, sorts its tags
   * and searches the registry (it showed in the per-request profile, benchmark/PROFILE.md).
   */
  private final Map<Key, Meters> meters = new ConcurrentHashMap<>();

  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  private Meters meters(Key k) {
    Meters m = meters.get(k);
    return m != null ? m : meters.computeIfAbsent(k, this::register);
  }

  private Meters register(Key k) {
    Counter count =
        Counter.builder("dfstree." + k.op() + "s")
            .tag("protocol", k.protocol())
            .tag("outcome", k.ok() ? "success" : "failure")
            .register(registry);
    if (!k.ok()) {
      return new Meters(count, null, null);
    }
    Counter bytes =
        Counter.builder("dfstree." + k.op() + ".bytes")
            .tag("protocol", k.protocol())
            .baseUnit("bytes")
            .register(registry);
    return new Meters(count, bytes, timer(k.op(), k.protocol()));
  }

  private void record(String op, String protocol, boolean ok, long bytes, long nanos) {
    Meters m = meters(new Key(op, protocol, ok));
    m.count().increment();
    if (ok) {
      m.bytes().increment(bytes);
      m.latency().record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void upload(String protocol, boolean ok, long bytes, long nanos) {
    record("upload", protocol, ok, bytes, nanos);
  }

  @Override
  public void download(String protocol, boolean ok, long bytes, long nanos) {
    record("download", protocol, ok, bytes, nanos);
  }

  @Override
  public void error(String protocol, int errno) {
    String name = Errno.name(errno);
    String key = protocol + "/" + name;
    Counter c = errors.get(key);
    if (c == null) {
      c =
          errors.computeIfAbsent(
              key,
              k ->
                  Counter.builder("dfstree.errors")
                      .tag("protocol", protocol)
                      .tag("errno", name)
                      .register(registry));
    }
    c.increment();
  }

  /**
   * dfstree_scrub_{files,bytes,passes}_total, dfstree_scrub_{damaged,repairs,repairs_failed}_total.
   */
  private static void scrubMeters(MeterRegistry registry, StorageService storage) {
    io.micrometer.core.instrument.FunctionCounter.builder(
            "dfstree.scrub.files", storage, s -> s.scrubProgress().files())
        .description("files the background scrub checked against their CRC32")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "dfstree.scrub.bytes", storage, s -> s.scrubProgress().bytes())
        .baseUnit("bytes")
        .description("bytes the background scrub read")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "dfstree.scrub.passes", storage, s -> s.scrubProgress().passes())
        .description("full scrub passes completed")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "dfstree.scrub.damaged", storage, s -> s.scrubProgress().damaged())
        .description("stored copies found not to match their name (scrub or download check)")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "dfstree.scrub.repairs", storage, s -> s.scrubProgress().repaired())
        .description("damaged copies replaced by a peer's good copy")
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "dfstree.scrub.repairs.failed", storage, s -> s.scrubProgress().repairsFailed())
        .description("damaged copies no peer could replace")
        .register(registry);
  }
}
