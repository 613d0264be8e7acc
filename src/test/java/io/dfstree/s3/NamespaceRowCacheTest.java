package io.dfstree.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.dfstree.s3.NamespaceStore.Part;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ObjectRowCache}: the interleavings of reads and changes that could leave a stale row. */
class NamespaceRowCacheTest {
  static ObjectEntry row(String fileId) {
    return new ObjectEntry("b", "k", fileId, 1, "e", "t", Map.of(), 1, List.of());
  }

  @Test
  void aReadThatRacedAChangeIsNotKept() {
    ObjectRowCache cache = new ObjectRowCache(100);
    long started = cache.readStarts();
    long order = cache.writing("b", "k");
    cache.written("b", "k", order, row("new"));
    cache.read(started, row("old")); // read before the commit, answered after it
    assertEquals("new", cache.get("b", "k").fileId());
  }

  @Test
  void aReadStartedDuringAChangeIsNotKept() {
    ObjectRowCache cache = new ObjectRowCache(100);
    long order = cache.writing("b", "k");
    long started = cache.readStarts();
    cache.written("b", "k", order, null); // a delete
    cache.read(started, row("old"));
    assertNull(cache.get("b", "k"));
  }

  @Test
  void anEarlierChangeEndingLastDoesNotWin() {
    ObjectRowCache cache = new ObjectRowCache(100);
    long first = cache.writing("b", "k");
    long second = cache.writing("b", "k");
    cache.written("b", "k", second, row("second"));
    cache.written("b", "k", first, row("first"));
    assertNull(cache.get("b", "k"));
  }

  @Test
  void aQuietReadIsKeptAndMultipartRowsAreNot() {
    ObjectRowCache cache = new ObjectRowCache(100);
    cache.read(cache.readStarts(), row("f"));
    assertEquals("f", cache.get("b", "k").fileId());
    long order = cache.writing("b", "k");
    cache.written(
        "b",
        "k",
        order,
        new ObjectEntry("b", "k", "", 2, "e-2", "t", Map.of(), 1, List.of(new Part(1, "p", 2, "x"))));
    assertNull(cache.get("b", "k"));
  }

  @Test
  void aFailedChangeDropsTheKey() {
    ObjectRowCache cache = new ObjectRowCache(100);
    cache.read(cache.readStarts(), row("f"));
    cache.written("b", "k", cache.writing("b", "k"), null);
    assertNull(cache.get("b", "k"));
  }
}
