package io.dfstree.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.hazelcast.config.JoinConfig;
import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.dfstree.config.TrackerOptions;
import io.dfstree.server.Launcher;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consistency of the Kubernetes manifests in {@code k8s/}: what kubectl would not catch. */
class ManifestsTest {
  static final Path DIR = Path.of("k8s");
  static final List<JsonNode> docs = new ArrayList<>();
  static final String FAKE_POD_IP = "10.1.2.3";

  @TempDir static Path tmp;

  @BeforeAll
  static void load() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(f.toFile())) {
          while (it.hasNext()) {
            JsonNode d = it.next();
            if (d != null && !d.isNull() && !d.isMissingNode()) {
              assertTrue(
                  d.hasNonNull("kind") && d.hasNonNull("apiVersion"),
                  f + ": a document without kind/apiVersion");
              docs.add(d);
            }
          }
        }
      }
    }
  }

  static List<JsonNode> kind(String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  static String name(JsonNode d) {
    return d.path("metadata").path("name").asText();
  }

  static List<JsonNode> workloads() {
    List<JsonNode> w = new ArrayList<>(kind("Deployment"));
    w.addAll(kind("StatefulSet"));
    return w;
  }

  static List<JsonNode> containers(JsonNode workload) {
    List<JsonNode> out = new ArrayList<>();
    workload.path("spec").path("template").path("spec").path("containers").forEach(out::add);
    return out;
  }

  static Map<String, String> map(JsonNode obj) {
    Map<String, String> m = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue().asText());
    }
    return m;
  }

  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
  }

  static Map<String, String> podLabels(JsonNode workload) {
    return map(workload.path("spec").path("template").path("metadata").path("labels"));
  }

  /** Container ports of a workload: names and numbers. */
  static Set<String> ports(JsonNode workload) {
    Set<String> out = new HashSet<>();
    for (JsonNode c : containers(workload)) {
      for (JsonNode p : c.path("ports")) {
        out.add(p.path("containerPort").asText());
        if (p.hasNonNull("name")) {
          out.add(p.path("name").asText());
        }
      }
    }
    return out;
  }

  @Test
  void theExpectedObjectsExist() {
    assertEquals(1, kind("Namespace").size());
    assertEquals(1, kind("ConfigMap").size());
    JsonNode tracker =
        kind("Deployment").stream()
            .filter(d -> name(d).equals("dfstree-tracker"))
            .findFirst()
            .orElseThrow();
    assertEquals(2, tracker.path("spec").path("replicas").asInt());
    JsonNode group1 =
        kind("StatefulSet").stream()
            .filter(d -> name(d).equals("dfstree-storage-group1"))
            .findFirst()
            .orElseThrow();
    assertEquals(2, group1.path("spec").path("replicas").asInt());
    assertFalse(
        group1.path("spec").path("volumeClaimTemplates").isEmpty(),
        "storages need persistent volumes");
  }

  @Test
  void everyObjectIsInTheNamespace() {
    String ns = name(kind("Namespace").get(0));
    for (JsonNode d : docs) {
      if (!d.path("kind").asText().equals("Namespace")) {
        assertEquals(
            ns,
            d.path("metadata").path("namespace").asText(),
            d.path("kind").asText() + " " + name(d));
      }
    }
  }

  @Test
  void everyServiceSelectsPodsAndTheirPorts() {
    for (JsonNode svc : kind("Service")) {
      Map<String, String> selector = map(svc.path("spec").path("selector"));
      List<JsonNode> matched =
          workloads().stream().filter(w -> selects(selector, podLabels(w))).toList();
      assertFalse(
          matched.isEmpty(), "Service " + name(svc) + " selects no pod template: " + selector);
      for (JsonNode p : svc.path("spec").path("ports")) {
        String target =
            p.hasNonNull("targetPort") ? p.path("targetPort").asText() : p.path("port").asText();
        for (JsonNode w : matched) {
          assertTrue(
              ports(w).contains(target),
              "Service "
                  + name(svc)
                  + " targets port "
                  + target
                  + " that "
                  + name(w)
                  + " does not declare "
                  + ports(w));
        }
      }
    }
  }

  @Test
  void workloadSelectorsMatchTheirTemplates() {
    for (JsonNode w : workloads()) {
      Map<String, String> sel = map(w.path("spec").path("selector").path("matchLabels"));
      assertTrue(
          selects(sel, podLabels(w)),
          name(w) + ": selector " + sel + " does not match " + podLabels(w));
    }
  }

  @Test
  void probesUseHealthAndReadyOnDeclaredPorts() {
    for (JsonNode w : workloads()) {
      for (JsonNode c : containers(w)) {
        JsonNode live = c.path("livenessProbe").path("httpGet");
        JsonNode ready = c.path("readinessProbe").path("httpGet");
        assertEquals("/health", live.path("path").asText(), name(w) + " liveness");
        assertEquals("/ready", ready.path("path").asText(), name(w) + " readiness");
        assertTrue(
            ports(w).contains(live.path("port").asText()),
            name(w) + " liveness port " + live.path("port"));
        assertTrue(
            ports(w).contains(ready.path("port").asText()),
            name(w) + " readiness port " + ready.path("port"));
        JsonNode res = c.path("resources");
        for (String k : List.of("requests", "limits")) {
          assertTrue(
              res.path(k).hasNonNull("cpu") && res.path(k).hasNonNull("memory"),
              name(w) + " resources." + k);
        }
        assertTrue(
            env(c).containsKey("JAVA_TOOL_OPTIONS"), name(w) + ": JVM flags via JAVA_TOOL_OPTIONS");
      }
    }
  }

  @Test
  void configMapKeysMountedExist() {
    Map<String, Map<String, String>> maps = new HashMap<>();
    kind("ConfigMap").forEach(cm -> maps.put(name(cm), map(cm.path("data"))));
    int checked = 0;
    for (JsonNode w : workloads()) {
      Map<String, JsonNode> volumes = new HashMap<>();
      w.path("spec")
          .path("template")
          .path("spec")
          .path("volumes")
          .forEach(v -> volumes.put(v.path("name").asText(), v));
      Set<String> claims = new HashSet<>();
      w.path("spec").path("volumeClaimTemplates").forEach(t -> claims.add(name(t)));
      for (JsonNode c : containers(w)) {
        for (JsonNode m : c.path("volumeMounts")) {
          String vname = m.path("name").asText();
          JsonNode v = volumes.get(vname);
          if (v == null) {
            assertTrue(
                claims.contains(vname),
                name(w) + ": mount " + vname + " has no volume or claim template");
            continue;
          }
          if (v.has("configMap")) {
            Map<String, String> data = maps.get(v.path("configMap").path("name").asText());
            assertNotNull(
                data, name(w) + ": ConfigMap " + v.path("configMap").path("name") + " missing");
            Set<String> paths = new HashSet<>();
            for (JsonNode item : v.path("configMap").path("items")) {
              assertTrue(
                  data.containsKey(item.path("key").asText()),
                  name(w) + ": key " + item.path("key") + " missing");
              paths.add(item.path("path").asText());
            }
            if (m.hasNonNull("subPath")) {
              String sub = m.path("subPath").asText();
              assertTrue(
                  paths.isEmpty() ? data.containsKey(sub) : paths.contains(sub),
                  name(w) + ": subPath " + sub);
            }
            checked++;
          }
        }
      }
    }
    assertTrue(checked >= 2, "both roles mount their config");
  }

  @Test
  void statefulSetsNameAnExistingHeadlessService() {
    for (JsonNode s : kind("StatefulSet")) {
      String svc = s.path("spec").path("serviceName").asText();
      JsonNode service =
          kind("Service").stream()
              .filter(x -> name(x).equals(svc))
              .findFirst()
              .orElseThrow(() -> new AssertionError(name(s) + ": no Service " + svc));
      assertEquals(
          "None", service.path("spec").path("clusterIP").asText(), svc + " must be headless");
      assertTrue(
          selects(map(service.path("spec").path("selector")), podLabels(s)),
          svc + " must select " + name(s));
    }
  }

  @Test
  void oneImageAndOneJarPathEverywhere() throws IOException {
    Set<String> images = new HashSet<>();
    for (JsonNode w : workloads()) {
      for (JsonNode c : containers(w)) {
        images.add(c.path("image").asText());
        String cmd = c.path("command").toString() + c.path("args").toString();
        assertTrue(
            cmd.contains("/opt/dfstree/dfstree.jar") && cmd.contains("--cluster"),
            name(w) + ": " + cmd);
      }
    }
    assertEquals(1, images.size(), "images: " + images);
    assertTrue(
        images.iterator().next().matches("[a-z0-9./-]+:[0-9][0-9A-Za-z.-]*"),
        "pinned tag: " + images);
    assertEquals(
        Files.readString(Path.of("container/IMAGE")).trim(),
        images.iterator().next(),
        "the manifests run the image container/build-image.sh builds");
    assertTrue(
        Files.readString(Path.of("container/Containerfile"))
            .contains("COPY dfstree.jar /opt/dfstree/dfstree.jar"),
        "the image holds the jar where the manifests run it");
  }

  @Test
  void hazelcastDiscoveryServiceSelectsEveryPodAndMatchesTheConfig() throws Exception {
    JsonNode hz =
        kind("Service").stream()
            .filter(
                s ->
                    s.path("spec").path("ports").findValuesAsText("port").contains("5701")
                        && workloads().stream()
                            .allMatch(
                                w -> selects(map(s.path("spec").path("selector")), podLabels(w))))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no Service on 5701 selecting every pod"));
    assertEquals("None", hz.path("spec").path("clusterIP").asText());
    assertTrue(
        hz.path("spec").path("publishNotReadyAddresses").asBoolean(),
        "members must find each other before ready");
    String dns =
        name(hz) + "." + hz.path("metadata").path("namespace").asText() + ".svc.cluster.local";
    for (Map.Entry<String, String> file : configFiles().entrySet()) {
      JsonObject cluster = load(file.getValue(), Map.of()).getJsonObject("cluster");
      assertEquals(dns, cluster.getString("kubernetesService"), file.getKey());
      JoinConfig join = Launcher.hazelcast(cluster).getNetworkConfig().getJoin();
      assertTrue(join.getKubernetesConfig().isEnabled(), file.getKey());
      assertEquals(dns, join.getKubernetesConfig().getProperty("service-dns"));
      assertFalse(join.getTcpIpConfig().isEnabled(), "TCP-IP join off under Kubernetes");
    }
  }

  @Test
  void configFilesAreValidConfigsWithTheContainersEnvironment() throws Exception {
    Map<String, String> files = configFiles();
    assertEquals(Set.of("tracker.yaml", "storage.yaml"), files.keySet());
    for (JsonNode w : workloads()) {
      for (JsonNode c : containers(w)) {
        String mounted = null;
        for (JsonNode m : c.path("volumeMounts")) {
          if (m.hasNonNull("subPath")) {
            mounted = m.path("subPath").asText();
            assertTrue(
                (c.path("command").toString() + c.path("args"))
                    .contains(m.path("mountPath").asText()),
                name(w) + " must start with --conf " + m.path("mountPath"));
          }
        }
        assertNotNull(mounted, name(w) + " mounts no config file");
        JsonObject config = load(files.get(mounted), env(c));
        String role = podLabels(w).get("app.kubernetes.io/component");
        if ("tracker".equals(role)) {
          TrackerOptions t = TrackerOptions.from(config.getJsonObject("tracker"));
          assertEquals("0.0.0.0", t.host());
          assertTrue(ports(w).contains(Integer.toString(t.port())), "tracker port declared");
          assertTrue(
              ports(w).contains(config.getJsonObject("tracker").getValue("httpPort").toString()),
              "tracker http port");
        } else {
          assertEquals("storage", role);
          StorageOptions s = StorageOptions.from(config.getJsonObject("storage"));
          assertEquals("0.0.0.0", s.host());
          assertEquals(FAKE_POD_IP, s.clientHost(), "storages advertise the pod IP");
          assertEquals(podLabels(w).get("dfstree.io/group"), s.group(), "StatefulSet per group");
          assertTrue(ports(w).contains(Integer.toString(s.port())), "storage port declared");
          assertTrue(
              ports(w).contains(Integer.toString(s.httpPort())), "storage http port declared");
          Set<String> mountPaths = new HashSet<>();
          c.path("volumeMounts").forEach(m -> mountPaths.add(m.path("mountPath").asText()));
          for (String p : s.storePaths()) {
            assertTrue(
                mountPaths.stream().anyMatch(mp -> p.startsWith(mp + "/")),
                p + " lies on a persistent volume");
          }
        }
        assertEquals(
            FAKE_POD_IP,
            config.getJsonObject("cluster").getString("host"),
            name(w) + ": Hazelcast binds the pod IP");
        assertTrue(
            ports(w).contains(config.getJsonObject("cluster").getValue("port").toString()),
            "hazelcast port declared");
      }
    }
  }

  static Map<String, String> configFiles() {
    return map(kind("ConfigMap").get(0).path("data"));
  }

  /** The container's environment, with fieldRef status.podIP resolved to a fake pod IP. */
  static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode e : container.path("env")) {
      if (e.has("value")) {
        env.put(e.path("name").asText(), e.path("value").asText());
      } else if ("status.podIP"
          .equals(e.path("valueFrom").path("fieldRef").path("fieldPath").asText())) {
        env.put(e.path("name").asText(), FAKE_POD_IP);
      } else {
        fail("unexpected env source " + e);
      }
    }
    return env;
  }

  static JsonObject load(String yaml, Map<String, String> env) throws IOException {
    Path f = Files.createTempFile(tmp, "conf", ".yaml");
    Files.writeString(f, yaml);
    return Config.load(List.of(f), env, List.of());
  }

  @Test
  void aNetworkPolicyKeepsHazelcastAndTheEventBusToMembers() {
    List<JsonNode> policies = kind("NetworkPolicy");
    assertEquals(1, policies.size(), "one NetworkPolicy");
    JsonNode policy = policies.get(0);
    Map<String, String> guarded = map(policy.path("spec").path("podSelector").path("matchLabels"));
    for (JsonNode w : workloads()) {
      assertTrue(selects(guarded, podLabels(w)), name(w) + " is not covered by the NetworkPolicy");
    }
    Set<String> openPorts = new HashSet<>();
    boolean membersRule = false;
    for (JsonNode rule : policy.path("spec").path("ingress")) {
      boolean fromMembersOnly = rule.path("from").size() > 0;
      for (JsonNode from : rule.path("from")) {
        fromMembersOnly &=
            from.has("podSelector")
                && !from.has("namespaceSelector")
                && selects(
                    map(from.path("podSelector").path("matchLabels")),
                    podLabels(workloads().get(0)));
      }
      if (fromMembersOnly) {
        membersRule = true;
        continue;
      }
      assertTrue(
          rule.path("ports").size() > 0, "a rule open to non-members must name its ports: " + rule);
      rule.path("ports").forEach(p -> openPorts.add(p.path("port").asText()));
    }
    assertTrue(
        membersRule,
        "members reach each other on every port (Hazelcast, event bus, peer storage port)");
    assertEquals(Set.of("tracker", "storage", "http"), openPorts, "what non-members may reach");
    for (JsonNode w : workloads()) {
      Set<String> declared = ports(w);
      assertTrue(declared.contains("hazelcast"), name(w) + " declares its hazelcast port");
      for (String open : openPorts) {
        if (declared.contains(open)) {
          assertFalse(open.equals("hazelcast"), "Hazelcast is open to non-members");
        }
      }
      assertTrue(
          openPorts.stream().anyMatch(declared::contains),
          name(w) + " serves no client port through the policy");
    }
  }
}
