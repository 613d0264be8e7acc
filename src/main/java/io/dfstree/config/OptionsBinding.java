package io.dfstree.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Binds one section of the layered configuration ({@link Config}) to its options record with
 * Jackson. The section's built-in defaults ({@code dfstree-defaults.yaml}, the only place defaults
 * are written) lie under what the caller passes, so a partial section — a test's few keys — gets
 * every other key's default. Unknown keys and values of the wrong kind are errors that name the
 * key, e.g. {@code storage.fsnyc: unknown key}.
 */
public final class OptionsBinding {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .build();

  private OptionsBinding() {}

  /** {@code section} (may be null) over the defaults of {@code name}, bound to {@code type}. */
  public static <T> T bind(String name, JsonObject section, Class<T> type) {
    JsonObject merged = Config.defaults().getJsonObject(name).copy();
    if (section != null) {
      Config.merge(merged, section);
    }
    try {
      return MAPPER.readValue(merged.encode(), type);
    } catch (JsonMappingException e) {
      // no cause: the operator reads this line; Jackson's own text (class names, offsets) adds
      // nothing
      throw new IllegalArgumentException(explain(name, e));
    } catch (IOException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
  }

  /** One line an operator can act on: the dotted key, then what is wrong with it. */
  static String explain(String section, JsonMappingException e) {
    String key =
        section
            + e.getPath().stream()
                .map(
                    r ->
                        r.getFieldName() != null
                            ? "." + r.getFieldName()
                            : "[" + r.getIndex() + "]")
                .collect(Collectors.joining());
    if (e instanceof UnrecognizedPropertyException u) {
      String known =
          u.getKnownPropertyIds() == null
              ? ""
              : "; known keys: "
                  + new TreeSet<>(u.getKnownPropertyIds().stream().map(String::valueOf).toList());
      return key + ": unknown key" + known;
    }
    Throwable cause = e.getCause();
    if (e instanceof ValueInstantiationException && cause instanceof IllegalArgumentException) {
      return key + ": " + cause.getMessage();
    }
    if (e instanceof InvalidFormatException f && !(cause instanceof IllegalArgumentException)) {
      String wanted = f.getTargetType() == null ? "value" : f.getTargetType().getSimpleName();
      String detail = f.getOriginalMessage();
      return key
          + ": cannot use "
          + quoted(f.getValue())
          + " ("
          + wanted
          + ")"
          + (detail != null && !detail.startsWith("Cannot deserialize") ? ": " + detail : "");
    }
    if (cause instanceof IllegalArgumentException) {
      return key + ": " + cause.getMessage();
    }
    return key + ": " + e.getOriginalMessage();
  }

  private static String quoted(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }
}
