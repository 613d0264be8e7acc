package io.dfstree.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code storage.whenDegraded}: what an upload does when fewer than writeQuorum members are active.
 */
public enum WhenDegraded {
  /** Store on the members there are; the missing ones catch up when they return. */
  ACCEPT,
  /** Answer EBUSY: no upload is acknowledged with fewer copies than the quorum. */
  REFUSE;

  /** As written in the configuration: {@code accept}, {@code refuse}. */
  @JsonValue
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static WhenDegraded of(String text) {
    for (WhenDegraded w : values()) {
      if (w.yamlName().equalsIgnoreCase(text)) {
        return w;
      }
    }
    throw new IllegalArgumentException(
        "'"
            + text
            + "' is not one of "
            + Arrays.stream(values())
                .map(WhenDegraded::yamlName)
                .collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return yamlName();
  }
}
