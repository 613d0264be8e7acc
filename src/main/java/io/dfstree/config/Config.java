package io.dfstree.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Layered configuration: built-in defaults ({@code dfstree-defaults.yaml}), then each {@code
 * --conf} YAML file, then environment variables, then {@code --set key=value} pairs; later layers
 * win. Sections: {@code tracker}, {@code storage}, {@code cluster}.
 *
 * <p>Environment: {@code DFSTREE_STORAGE_STORE_PATHS=/a,/b} sets {@code storage.storePaths}; the
 * key after the section is converted from upper snake case to camelCase.
 */
public final class Config {
  public static final String ENV_PREFIX = "DFSTREE_";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Config() {}

  public static JsonObject load(List<Path> files, Map<String, String> env, List<String> sets) {
    return load(new JsonObject(), files, env, sets);
  }

  /**
   * As {@link #load(List, Map, List)}, with a role's own defaults ({@code "defaults"} of its
   * deployment descriptor) merged over the built-in ones, below every file: the all-in-one first
   * run turns HTTP on where the cluster roles leave it off.
   */
  public static JsonObject load(
      JsonObject roleDefaults, List<Path> files, Map<String, String> env, List<String> sets) {
    JsonObject merged = defaults();
    merge(merged, roleDefaults == null ? new JsonObject() : roleDefaults.copy());
    for (Path f : files) {
      try {
        merge(merged, readYaml(Files.readString(f)));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read config " + f + ": " + e.getMessage(), e);
      }
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith(ENV_PREFIX)) {
        String rest = e.getKey().substring(ENV_PREFIX.length());
        int us = rest.indexOf('_');
        if (us > 0) {
          String section = rest.substring(0, us).toLowerCase();
          if (merged.containsKey(section)) {
            put(merged, section + "." + camel(rest.substring(us + 1)), e.getValue());
          }
        }
      }
    }
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got: " + s);
      }
      put(merged, s.substring(0, eq).trim(), s.substring(eq + 1).trim());
    }
    return merged;
  }

  public static JsonObject defaults() {
    try (InputStream in = Config.class.getResourceAsStream("/dfstree-defaults.yaml")) {
      return readYaml(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("built-in defaults missing", e);
    }
  }

  @SuppressWarnings("unchecked")
  public static JsonObject readYaml(String text) throws IOException {
    com.fasterxml.jackson.databind.JsonNode node = YAML.readTree(text);
    if (node == null || node.isMissingNode() || node.isNull()) {
      return new JsonObject(); // empty or comment-only file
    }
    return new JsonObject((Map<String, Object>) YAML.treeToValue(node, Object.class));
  }

  /** Deep merge: objects merge key by key, everything else is replaced. */
  public static void merge(JsonObject into, JsonObject from) {
    for (String key : from.fieldNames()) {
      Object v = from.getValue(key);
      Object existing = into.getValue(key);
      if (v instanceof JsonObject jo && existing instanceof JsonObject eo) {
        merge(eo, jo);
      } else {
        into.put(key, v);
      }
    }
  }

  /** Sets a dotted key from text, converting to the type of the value it replaces. */
  static void put(JsonObject root, String dotted, String text) {
    String[] parts = dotted.split("\\.");
    JsonObject at = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = at.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        at.put(parts[i], next);
      }
      at = next;
    }
    String leaf = parts[parts.length - 1];
    Object old = at.getValue(leaf);
    at.put(leaf, convert(old, text));
  }

  private static Object convert(Object old, String text) {
    if (old instanceof Boolean) {
      return Boolean.parseBoolean(text);
    }
    if (old instanceof Integer || old instanceof Long) {
      return Long.parseLong(text);
    }
    if (old instanceof Double || old instanceof Float) {
      return Double.parseDouble(text);
    }
    if (old instanceof JsonArray) {
      JsonArray a = new JsonArray();
      for (String s : text.split(",")) {
        if (!s.isBlank()) {
          a.add(s.trim());
        }
      }
      return a;
    }
    return text;
  }

  static String camel(String upperSnake) {
    StringBuilder sb = new StringBuilder();
    boolean up = false;
    for (char c : upperSnake.toLowerCase().toCharArray()) {
      if (c == '_') {
        up = true;
      } else {
        sb.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return sb.toString();
  }
}
