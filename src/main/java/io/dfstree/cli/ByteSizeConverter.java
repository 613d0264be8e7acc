package io.dfstree.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads sizes such as {@code 1048576}, {@code 4K}, {@code 4KB}, {@code 4KiB}, {@code 1M}, {@code 1G} (powers of 1024). */
final class ByteSizeConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    return parse(value);
  }

  static long parse(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT);
    if (v.endsWith("IB")) {
      v = v.substring(0, v.length() - 2);
    } else if (v.endsWith("B")) {
      v = v.substring(0, v.length() - 1);
    }
    long unit = 1;
    if (!v.isEmpty()) {
      switch (v.charAt(v.length() - 1)) {
        case 'K' -> unit = 1L << 10;
        case 'M' -> unit = 1L << 20;
        case 'G' -> unit = 1L << 30;
        default -> unit = 1;
      }
      if (unit != 1) {
        v = v.substring(0, v.length() - 1);
      }
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < 0) {
        throw new TypeConversionException("size must not be negative: " + value);
      }
      return Math.multiplyExact(n, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new TypeConversionException("not a size (e.g. 4K, 1M, 1048576): " + value);
    }
  }
}
