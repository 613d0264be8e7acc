package io.dfstree.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reader of sizes as operators write them, for configuration keys and command-line options
 * alike: a number of bytes ({@code 1048576}), optionally with a unit {@code K}, {@code M}, {@code
 * G} or {@code T} (powers of 1024), optionally followed by {@code B} or {@code iB}, in any case:
 * {@code 4K}, {@code 4KB}, {@code 4KiB}, {@code 1MiB}, {@code 2g}, {@code 1.5G}. A fraction is
 * rounded down to whole bytes. Negative sizes, other units and values past {@code Long.MAX_VALUE}
 * are rejected.
 */
public final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([KMGT])(I?B)?|(B))?", Pattern.CASE_INSENSITIVE);

  private ByteSize() {}

  /**
   * The size in bytes.
   *
   * @throws NumberFormatException (an {@link IllegalArgumentException}) naming the text, when it is
   *     not a size
   */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new NumberFormatException("not a size (e.g. 1048576, 4K, 1MiB, 2g): " + text);
    }
    int shift =
        m.group(2) == null
            ? 0
            : switch (m.group(2).toUpperCase(Locale.ROOT)) {
              case "K" -> 10;
              case "M" -> 20;
              case "G" -> 30;
              default -> 40;
            };
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
    try {
      return bytes.toBigInteger().longValueExact();
    } catch (ArithmeticException e) {
      throw new NumberFormatException("size too large: " + text);
    }
  }

  /** Binds a size key written as a number or as text such as {@code "10G"}. */
  public static final class Deserializer extends StdDeserializer<Long> {
    public Deserializer() {
      super(Long.class);
    }

    @Override
    public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken().isNumeric()) {
        long v = p.getLongValue();
        if (v < 0) {
          throw InvalidFormatException.from(p, "a size must not be negative: " + v, v, Long.class);
        }
        return v;
      }
      String text = p.getValueAsString();
      try {
        return parse(text);
      } catch (NumberFormatException e) {
        throw InvalidFormatException.from(p, e.getMessage(), text, Long.class);
      }
    }
  }
}
