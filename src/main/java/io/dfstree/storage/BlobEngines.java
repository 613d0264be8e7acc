package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import java.util.List;

/**
 * The engines of one storage, in order of preference: a new upload goes to the first that
 * {@linkplain BlobEngine#accepts accepts} it, an existing blob to the first that {@linkplain
 * BlobEngine#owns owns} its file ID. The one-file engine comes last and takes everything, so a
 * packed engine is added by putting it in front.
 */
public final class BlobEngines {
  private final List<BlobEngine> engines;
  private final List<BlobEngine> forNew;

  BlobEngines(List<BlobEngine> engines) {
    this(engines, engines);
  }

  /**
   * {@code forNew}: the engines that take new uploads (an engine turned off keeps serving what it
   * holds but takes nothing new).
   */
  BlobEngines(List<BlobEngine> engines, List<BlobEngine> forNew) {
    if (engines.isEmpty() || forNew.isEmpty()) {
      throw new IllegalArgumentException("no blob engine");
    }
    if (!engines.containsAll(forNew)) {
      throw new IllegalArgumentException("an engine for new uploads must also serve its blobs");
    }
    this.engines = List.copyOf(engines);
    this.forNew = List.copyOf(forNew);
  }

  /** The engine for a new upload of {@code size} bytes. */
  public BlobEngine forNew(long size, boolean appender) {
    for (BlobEngine e : forNew) {
      if (e.accepts(size, appender)) {
        return e;
      }
    }
    return forNew.get(forNew.size() - 1);
  }

  /** The engine that holds (or would hold) {@code id}. */
  public BlobEngine forId(FileId id) {
    for (BlobEngine e : engines) {
      if (e.owns(id)) {
        return e;
      }
    }
    return engines.get(engines.size() - 1);
  }

  public List<BlobEngine> all() {
    return engines;
  }
}
