package io.dfstree.storage;

import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.storage.packed.PackedOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link DeleteCrashTest}: a storage's files (binlog, tombstones, packed and
 * plain engines, fsync on unless a fourth argument says {@code nofsync}) under a directory. It
 * stores files ({@code U <seed> <name>}), prints {@code READY}, then deletes them all in waves of
 * concurrent deletes, printing {@code D <name>} once a delete is acknowledged, until it is killed.
 * Bounded: 60 s.
 */
public final class CrashDeleter {
  private CrashDeleter() {}

  static final int PACKED_MAX = 64 * 1024;

  /** A storage's files on {@code dir}, opened as a start does (torn binlog end dropped, ...). */
  static final class Node implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final Context ctx = vertx.getOrCreateContext();
    final WorkerExecutor disk = vertx.createSharedWorkerExecutor("crash-deleter", 8);
    final StoredFiles files;
    final PackedBlobEngine packed;
    final FileBlobEngine plain;
    final int recoveredDeletes;
    final int redonePlainDeletes;

    Node(Path dir) throws Exception {
      this(dir, true);
    }

    /** As a storage with {@code fsync} on or off opens them. */
    Node(Path dir, boolean fsync) throws Exception {
      JsonObject c =
          Config.defaults()
              .getJsonObject("storage")
              .copy()
              .put("storePaths", new JsonArray().add(dir.resolve("s0").toString()))
              .put("subdirCount", 2)
              .put("reservedSpace", "0")
              .put("id", 7);
      StorageOptions o = StorageOptions.from(c);
      StorePaths paths = new StorePaths(o);
      paths.all().get(0).prepare(o.subdirCount());
      files = new StoredFiles(disk, paths, 7, "group1", fsync);
      // as a storage with fsync on opens it: zeros written ahead, which kill -9 leaves behind
      Binlog log = new Binlog(dir.resolve("sync/binlog"), Binlog.NO_ROTATION, fsync);
      files.binlog(log);
      files.tombstones(
          TombstoneStore.open(
              dir.resolve("sync/tombstones"), 86_400, fsync, StoredFiles.now(), log));
      plain = new FileBlobEngine(files, disk);
      packed =
          new PackedBlobEngine(
              vertx,
              files,
              disk,
              new PackedOptions(PACKED_MAX, 1 << 20, fsync, 1 << 20, 4 << 20),
              7,
              plain,
              8 << 20);
      files.packed(packed);
      packed.open();
      packed.inlineReadWindow(64L << 20); // storage.packed.inlineReadWindow's default
      packed.recoverLines();
      recoveredDeletes = packed.recoverDeletes();
      redonePlainDeletes = files.redoDeletes(); // as StorageVerticle starts
    }

    BlobEngine engineFor(FileId id) {
      return packed.owns(id) ? packed : plain;
    }

    <T> T on(java.util.function.Supplier<Future<T>> action) throws Exception {
      return io.dfstree.OnContext.await(ctx, action, 30);
    }

    @Override
    public void close() throws Exception {
      packed.close();
      files.tombstones().close();
      files.binlog().close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** The content of file {@code seed}: packed below 1000, plain (over the packed cap) above. */
  static byte[] content(long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[seed < 1000 ? 100 + r.nextInt(4000) : PACKED_MAX + 1 + r.nextInt(100)];
    r.nextBytes(b);
    return b;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int packedFiles = Integer.parseInt(args[1]);
    int plainFiles = Integer.parseInt(args[2]);
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
    boolean fsync = !(args.length > 3 && args[3].equals("nofsync"));
    Node node = new Node(dir, fsync);
    List<Long> seeds = new ArrayList<>();
    for (long s = 0; s < packedFiles; s++) {
      seeds.add(s);
    }
    for (long s = 1000; s < 1000 + plainFiles; s++) {
      seeds.add(s);
    }
    List<String> names =
        node.on(
            () -> {
              List<Future<String>> all = new ArrayList<>();
              for (long seed : seeds) {
                byte[] b = content(seed);
                BlobEngine e = b.length > PACKED_MAX ? node.plain : node.packed;
                NewBlob blob = e.create(0, b.length, false, "bin");
                blob.write(Buffer.buffer(b));
                all.add(blob.place());
              }
              return Future.all(all).map(cf -> cf.<String>list());
            });
    for (int i = 0; i < names.size(); i++) {
      out.println("U " + seeds.get(i) + " " + names.get(i));
    }
    out.println("READY");
    out.flush();
    if (!fsync) {
      // plain files among the first third too (the kill comes after a third is acknowledged)
      names = new ArrayList<>(names);
      java.util.Collections.shuffle(names, new Random(7));
    }
    long deadline = System.currentTimeMillis() + 60_000;
    // waves of 16 concurrent deletes, packed and plain mixed, until all are gone or the kill
    for (int from = 0; from < names.size() && System.currentTimeMillis() < deadline; from += 16) {
      List<String> wave = names.subList(from, Math.min(names.size(), from + 16));
      node.on(
          () -> {
            List<Future<Void>> all = new ArrayList<>();
            for (String n : wave) {
              FileId id = node.files.validate("group1", n);
              all.add(
                  node.engineFor(id)
                      .delete(node.ctx, id)
                      .onSuccess(
                          v -> {
                            synchronized (out) {
                              out.println("D " + n);
                              out.flush();
                            }
                          }));
            }
            return Future.all(all).mapEmpty();
          });
      synchronized (out) {
        // deletes marked on the event loop so far (fsync on: those that did not come alone)
        out.println("M " + node.packed.store(0).markedNow());
        out.flush();
      }
    }
    out.println("DONE");
    out.flush();
    Thread.sleep(60_000); // until killed
  }
}
