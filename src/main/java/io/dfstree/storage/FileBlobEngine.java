package io.dfstree.storage;

import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The one-file-per-blob engine: FastDFS's {@code Mxx/data/HH/HH/<name>} layout, on {@link
 * StoredFiles} (temp file, then a hard link under the generated name). Takes every upload.
 */
final class FileBlobEngine implements BlobEngine {
  private final StoredFiles files;
  private final WorkerExecutor disk;

  FileBlobEngine(StoredFiles files, WorkerExecutor disk) {
    this.files = files;
    this.disk = disk;
  }

  @Override
  public String name() {
    return "files";
  }

  @Override
  public boolean accepts(long size, boolean appender) {
    return true;
  }

  @Override
  public boolean owns(FileId id) {
    return true;
  }

  @Override
  public NewBlob create(int storePathIndex, long size, boolean appender, String ext) {
    StorePath p = files.paths().get(storePathIndex);
    return new Pending(files.newUpload(p), p, size, appender, ext, false);
  }

  @Override
  public NewBlob receive(int storePathIndex, long size) {
    StorePath p = files.paths().get(storePathIndex);
    // the source names it; the CRC32 computed on the way is checked against that name when the
    // copy is placed (KnownGoodFiles.copied)
    return new Pending(files.newUpload(p), p, size, false, "", true);
  }

  @Override
  public Future<BlobRead> open(FileId id) {
    return files
        .lookups()
        .stat(id)
        .map(st -> new BlobRead(id, st.path(), 0, st.size(), st.mtimeSeconds()));
  }

  @Override
  public Future<Boolean> exists(FileId id) {
    return files.lookups().exists(id);
  }

  @Override
  public Future<Void> delete(Context ctx, FileId id) {
    return files.delete(ctx, id);
  }

  @Override
  public Future<List<BlobEntry>> list(int storePathIndex, String after, int limit) {
    StorePath p = files.paths().get(storePathIndex);
    String from = after == null ? "" : after;
    return disk.executeBlocking(() -> listBlocking(p, from, limit), false);
  }

  /** Walks {@code data/HH/HH} in name order, skipping what sorts at or before {@code after}. */
  private static List<BlobEntry> listBlocking(StorePath p, String after, int limit)
      throws IOException {
    List<BlobEntry> out = new ArrayList<>();
    // only the directories that exist: probing all 65,536 took seconds per page on a busy disk
    for (int high : hexDirs(p.data)) {
      if (out.size() >= limit) {
        break;
      }
      for (int low : hexDirs(p.data.resolve(StorePaths.HEX[high]))) {
        if (out.size() >= limit) {
          break;
        }
        String dirPrefix = FileName.logicPath(p.index, high, low);
        if (!after.isEmpty()
            && dirPrefix.compareTo(after.substring(0, Math.min(after.length(), dirPrefix.length())))
                < 0) {
          continue; // the whole directory sorts before the cursor
        }
        Path dir = p.data.resolve(StorePaths.HEX[high]).resolve(StorePaths.HEX[low]);
        if (!Files.isDirectory(dir)) {
          continue;
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          for (Path f : ds) {
            String n = f.getFileName().toString();
            if (!n.endsWith("-m") && !n.startsWith(".")) {
              names.add(n);
            }
          }
        }
        names.sort(null);
        for (String n : names) {
          String remote = dirPrefix + n;
          if (remote.compareTo(after) <= 0) {
            continue;
          }
          try {
            BasicFileAttributes a = Files.readAttributes(dir.resolve(n), BasicFileAttributes.class);
            if (a.isRegularFile()) {
              out.add(new BlobEntry(remote, a.size(), a.lastModifiedTime().toMillis() / 1000));
            }
          } catch (java.nio.file.NoSuchFileException gone) {
            // deleted while we listed
          }
          if (out.size() >= limit) {
            break;
          }
        }
      }
    }
    return out;
  }

  /** The two-hex-digit subdirectories of {@code dir}, as numbers in ascending order. */
  private static int[] hexDirs(Path dir) throws IOException {
    java.util.BitSet found = new java.util.BitSet(256);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path d : ds) {
        String n = d.getFileName().toString();
        if (n.length() == 2
            && java.util.HexFormat.isHexDigit(n.charAt(0))
            && java.util.HexFormat.isHexDigit(n.charAt(1))) {
          int i = java.util.HexFormat.fromHexDigits(n);
          if (n.equals(StorePaths.HEX[i]) && Files.isDirectory(d)) {
            found.set(i);
          }
        }
      }
    } catch (java.nio.file.NoSuchFileException none) {
      // no such directory yet
    }
    return found.stream().toArray();
  }

  /** A blob on its way into a temp file of its store path. */
  private final class Pending implements NewBlob, QueuedWrites, OwnedWrites {
    private final FileWriteStream stream;
    private final StorePath path;
    private final boolean appender;
    private final String ext;
    private final boolean copy;
    private final long size;

    Pending(
        FileWriteStream stream,
        StorePath path,
        long size,
        boolean appender,
        String ext,
        boolean copy) {
      this.stream = stream;
      this.size = size;
      this.path = path;
      this.appender = appender;
      this.ext = ext;
      this.copy = copy;
    }

    @Override
    public int storePathIndex() {
      return path.index;
    }

    @Override
    public void flushQueued() {
      stream.flushQueued();
    }

    @Override
    public NewBlob withoutCrc() {
      stream.withoutCrc();
      return this;
    }

    @Override
    public Future<Void> write(Buffer data) {
      return stream.write(data);
    }

    @Override
    public boolean takesOwned() {
      return true;
    }

    @Override
    public Future<Void> writeOwned(Buffer data) {
      return stream.writeOwned(data);
    }

    @Override
    public boolean writeQueueFull() {
      return stream.writeQueueFull();
    }

    @Override
    public NewBlob drainHandler(Handler<Void> handler) {
      stream.drainHandler(handler);
      return this;
    }

    @Override
    public NewBlob exceptionHandler(Handler<Throwable> handler) {
      stream.exceptionHandler(handler);
      return this;
    }

    @Override
    public NewBlob setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    /** Use a placing method: ending a stream is not naming a blob. */
    @Override
    public Future<Void> end() {
      return force().mapEmpty();
    }

    @Override
    public Future<String> place() {
      return files.placeNew(stream, path, appender, ext);
    }

    @Override
    public String name(int crc32, long nowSeconds) {
      return files.newName(path, size, appender ? 0 : crc32, appender, ext, nowSeconds);
    }

    @Override
    public Future<String> placeAs(String remoteName, long mtimeSeconds) {
      return files.placeAs(stream, path, remoteName, mtimeSeconds);
    }

    @Override
    public Future<Long> force() {
      return stream.finish(FileWriteStream.Written::bytes);
    }

    @Override
    public Future<Boolean> placeCopy(Context ctx, FileId id, long mtimeSeconds, boolean replace) {
      if (!copy) {
        throw new IllegalStateException("not a peer's copy");
      }
      PackedBlobEngine packed = files.packedEngine();
      if (packed != null && packed.owns(id)) {
        // a slot from a peer that packs, received as a file because this member packs no new
        // uploads: it goes where its name says, into this member's copy of the peer's volume
        return stream
            .finish(
                w -> {
                  try {
                    return Buffer.buffer(Files.readAllBytes(w.path()));
                  } finally {
                    FileWriteStream.deleteQuietly(w.path());
                  }
                })
            .compose(
                bytes -> {
                  NewBlob slot = packed.receive(id.storePathIndex(), bytes.length());
                  return slot.write(bytes)
                      .compose(v -> slot.placeCopy(ctx, id, mtimeSeconds, replace))
                      .onFailure(e -> slot.abort()); // its memory budget back
                });
      }
      return files.fromPeers().placeReplica(ctx, stream, id, mtimeSeconds, replace);
    }

    @Override
    public Future<Void> abort() {
      return stream
          .abort()
          .transform(
              x ->
                  disk.executeBlocking(
                      () -> {
                        FileWriteStream.deleteQuietly(stream.path());
                        return null;
                      },
                      false));
    }
  }
}
