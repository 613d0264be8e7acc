package io.dfstree.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Local file access for the client tools, turning failures into clear exit-code-1 messages. */
final class LocalFiles {
  private LocalFiles() {}

  static long sizeOf(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ClientCommand.LocalProblem("no such local file: " + file);
    }
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new ClientCommand.LocalProblem("cannot read " + file + ": " + e.getMessage());
    }
  }

  static InputStream open(Path file) {
    try {
      return new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
    } catch (IOException e) {
      throw new ClientCommand.LocalProblem("cannot open " + file + ": " + e.getMessage());
    }
  }
}
