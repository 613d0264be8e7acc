package io.dfstree.cli;

import io.dfstree.config.ByteSize;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes on the command line ({@code -s 4K}), read by the same rules as the configuration's ({@link
 * ByteSize}).
 */
final class ByteSizeConverter implements ITypeConverter<Long> {
  @Override
  public Long convert(String value) {
    try {
      return ByteSize.parse(value);
    } catch (NumberFormatException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
