package io.dfstree.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code storage.storePathSelection}: the store path of an upload whose client lets the storage
 * choose.
 */
public enum StorePathSelection {
  /** Each path in turn. */
  ROUND_ROBIN,
  /** The path with the most free space. */
  MOST_FREE;

  /** As written in the configuration: {@code round-robin}, {@code most-free}. */
  @JsonValue
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** By its configuration name, in any case. */
  @JsonCreator
  public static StorePathSelection of(String text) {
    for (StorePathSelection s : values()) {
      if (s.yamlName().equalsIgnoreCase(text)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + text
            + "' is not one of "
            + Arrays.stream(values())
                .map(StorePathSelection::yamlName)
                .collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return yamlName();
  }
}
