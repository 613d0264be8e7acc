package io.dfstree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Test data directories are removed when a test is done: a cluster test leaves gigabytes. */
public final class TempTrees {
  private TempTrees() {}

  /** Deletes {@code root} and everything below it; files already gone are fine. */
  public static void delete(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        try {
          Files.deleteIfExists(p);
        } catch (NoSuchFileException gone) {
          // removed meanwhile
        }
      }
    } catch (NoSuchFileException gone) {
      // removed meanwhile
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
