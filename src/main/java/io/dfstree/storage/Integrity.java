package io.dfstree.storage;

import io.dfstree.config.ReliabilityOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks stored bytes against the size and CRC32 their FastDFS name carries, and repairs a damaged
 * copy from a peer: a good copy is fetched as fetch-on-miss does and renamed over the damaged one
 * (a packed slot: written into the slot, see {@link PackedBlobEngine}). Used by downloads (small
 * files, {@code verifyDownloadMaxBytes}; packed slots are checked on every read) and by the
 * background {@link Scrubber}. Counters feed {@code /metrics}.
 */
final class Integrity {
  private static final Logger LOG = LoggerFactory.getLogger(Integrity.class);

  /** The 7-character tail of a normal name: random digits, optionally followed by {@code .ext}. */
  private static final java.util.regex.Pattern NORMAL_TAIL =
      java.util.regex.Pattern.compile("[0-9]*(\\.[A-Za-z0-9]+)?");

  /**
   * Each checking thread reads into its own direct buffer: one copy from the page cache, which
   * {@link CRC32} reads in place. A heap array cost a second copy and a native buffer per read
   * (RandomAccessFile): 145–290 µs of disk-thread CPU per 1 MiB checked against 70–80.
   */
  private static final ThreadLocal<ByteBuffer> CHECK_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(256 * 1024));

  final AtomicLong damaged = new AtomicLong();
  final AtomicLong repaired = new AtomicLong();
  final AtomicLong repairsFailed = new AtomicLong();

  /** Files read to check them before a download ({@link #openChecked}). */
  final AtomicLong downloadChecks = new AtomicLong();

  private final StorageNode node;
  private final ReliabilityOptions options;

  /** Files checked or written here recently: a client's download of one is not checked again. */
  final KnownGoodFiles knownGood;

  Integrity(StorageNode node, ReliabilityOptions options) {
    this.node = node;
    this.options = options;
    this.knownGood = new KnownGoodFiles(options.verifiedReuseSeconds());
  }

  /** Downloads of files up to this size are checked against their name first. */
  long verifyDownloadMaxBytes() {
    return options.verifyDownloadMaxBytes();
  }

  /**
   * Whether the name says what the bytes must be (not appender or slave files, whose names do not).
   */
  static boolean checkable(String remoteName) {
    try {
      FileName.Decoded d = FileName.decode(remoteName);
      return d.nameDescribesContent() && !d.trunk() && !slaveOfNormalLength(remoteName);
    } catch (RuntimeException notOurs) {
      return false;
    }
  }

  /**
   * A slave without an extension whose prefix fills the extension part exactly ({@code _raw} on a
   * master with a 3-letter extension) is as long as a normal name; a normal name's 7-character tail
   * is random digits, optionally followed by {@code .ext}, so anything else there is a prefix.
   */
  static boolean slaveOfNormalLength(String remoteName) {
    if (remoteName.length() != FileName.NORMAL_NAME_LEN) {
      return false;
    }
    String tail = remoteName.substring(FileName.LOGIC_PATH_LEN + FileName.PAYLOAD_CHARS);
    return !NORMAL_TAIL.matcher(tail).matches();
  }

  /**
   * Blocking: whether the file at {@code p} has the size and CRC32 of {@code remoteName}; reads
   * through {@code throttle}.
   */
  static boolean intact(Path p, String remoteName, Throttle throttle) throws IOException {
    return intact(p, 0, Files.size(p), remoteName, throttle);
  }

  /**
   * Blocking: whether {@code length} bytes of {@code p} from {@code offset} have the size and CRC32
   * of {@code remoteName}.
   */
  static boolean intact(Path p, long offset, long length, String remoteName, Throttle throttle)
      throws IOException {
    FileName.Decoded d = FileName.decode(remoteName);
    if (length != d.fileSize()) {
      return false;
    }
    CRC32 crc = new CRC32();
    ByteBuffer buf = CHECK_BUFFER.get();
    try (FileChannel in = FileChannel.open(p, StandardOpenOption.READ)) {
      long at = offset;
      long left = length;
      while (left > 0) {
        buf.clear().limit((int) Math.min(buf.capacity(), left));
        int n = in.read(buf, at);
        if (n < 0) {
          return false;
        }
        crc.update(buf.flip());
        throttle.consumed(n);
        at += n;
        left -= n;
      }
    }
    return crc.getValue() == d.crc32Unsigned();
  }

  /** Reading speed limit; {@link #NONE} does not wait. */
  interface Throttle {
    Throttle NONE = bytes -> {};

    void consumed(long bytes);
  }

  /**
   * Before a download: a small, checkable file is read and checked (off the event loop). A damaged
   * copy is repaired from a peer and the good copy returned; EIO when no peer has one.
   */
  Future<BlobEngine.BlobRead> verifyForDownload(Context ctx, FileId id, BlobEngine.BlobRead st) {
    if (st.length() > options.verifyDownloadMaxBytes() || !checkable(id.remoteName())) {
      return Future.succeededFuture(st);
    }
    return node.disk
        .<Boolean>executeBlocking(
            () -> intact(st.path(), st.offset(), st.length(), id.remoteName(), Throttle.NONE),
            false)
        .compose(
            ok ->
                ok
                    ? Future.succeededFuture(st)
                    : repair(ctx, id).compose(v -> node.engines.forId(id).open(id)));
  }

  /**
   * Whether a download of the one-file blob {@code id} is checked first ({@link
   * #verifyForDownload}), judged by the size its name carries.
   */
  boolean checksDownloadOf(FileId id) {
    return checkable(id.remoteName())
        && id.decoded().fileSize() <= options.verifyDownloadMaxBytes();
  }

  /**
   * A download's one-file blob at {@code p}, stat'ed and checked in one disk call rather than a
   * stat and then a check (two hops off the event loop and back); the same outcome as {@link
   * FileBlobEngine#open} followed by {@link #verifyForDownload}: a file larger than {@code
   * verifyDownloadMaxBytes} is not checked, a damaged copy is repaired from a peer on the context
   * {@code repairOn} gives then, a missing one fails with ENOENT. A client's download ({@code
   * forPeer} false) of a file in {@link #knownGood}, unchanged since, is not read to check it; a
   * peer's read (catch-up, fetch-on-miss, repair: what spreads copies) always is.
   */
  Future<BlobEngine.BlobRead> openChecked(
      FileId id, Path p, boolean forPeer, Supplier<Context> repairOn) {
    String name = id.remoteName();
    if (!forPeer && knownGood.recent(name) && Context.isOnEventLoopThread()) {
      BlobEngine.BlobRead trusted = trustedHere(id, p);
      if (trusted != null) {
        return Future.succeededFuture(trusted);
      }
    }
    return node.disk
        .<BlobEngine.BlobRead>executeBlocking(
            () -> {
              BasicFileAttributes a = FileLookups.attributesBlocking(p);
              long size = a.size();
              boolean ok =
                  size > options.verifyDownloadMaxBytes()
                      || (!forPeer && knownGood.trusted(name, a));
              if (!ok) {
                downloadChecks.incrementAndGet();
                ok = intact(p, 0, size, name, Throttle.NONE);
                if (ok) {
                  knownGood.good(name, a); // the stat before the read: a change since shows
                }
              }
              long mtime = a.lastModifiedTime().toMillis() / 1000;
              return ok ? new BlobEngine.BlobRead(id, p, 0, size, mtime) : null;
            },
            false)
        .compose(
            r ->
                r != null
                    ? Future.succeededFuture(r)
                    : repair(repairOn.get(), id).compose(v -> node.engines.forId(id).open(id)));
  }

  /**
   * A client's download of a file known good moments ago ({@link KnownGoodFiles#recent}): its stat
   * taken on the calling event loop instead of a disk thread, and the file served as it is when the
   * stat shows it unchanged ({@link KnownGoodFiles#trusted}); null otherwise (changed, gone, any
   * error), and the caller goes the usual way (stat, check, repair on a disk thread). Why here: at
   * one request at a time the hop to a disk thread and back for one stat was two thread wake-ups of
   * a download that then reads nothing (benchmark/PROFILE.md, dl64), and the send that follows
   * opens and stats the same path on this loop anyway (Vert.x's {@code sendFile}). A file this
   * process wrote or read within the window has its inode in memory; if memory is so short that it
   * does not, this loop waits for one metadata read.
   */
  private BlobEngine.BlobRead trustedHere(FileId id, Path p) {
    try {
      BasicFileAttributes a = FileLookups.attributesBlocking(p);
      if (!knownGood.trusted(id.remoteName(), a)) {
        return null;
      }
      inlineOpens.incrementAndGet();
      return new BlobEngine.BlobRead(id, p, 0, a.size(), a.lastModifiedTime().toMillis() / 1000);
    } catch (IOException | RuntimeException e) {
      return null; // the disk thread's path says what it is (ENOENT, a repair...)
    }
  }

  /** Downloads served by {@link #trustedHere} (tests). */
  long inlineOpens() {
    return inlineOpens.get();
  }

  private final java.util.concurrent.atomic.AtomicLong inlineOpens =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * Replaces a damaged copy of {@code id} with a peer's, in one atomic rename (readers never find
   * the file missing); the damaged copy stays when no peer has a good one (EIO).
   */
  Future<Void> repair(Context ctx, FileId id) {
    knownGood.forget(id.remoteName()); // found damaged, or about to be replaced
    PackedBlobEngine packed = node.packed;
    if (packed != null && packed.owns(id)) {
      // a packed slot: its CRC32 is checked on every read; a good copy is written into the slot
      return repairWith(ctx, id, () -> packed.reads.damaged(id));
    }
    Path target = node.files.pathOf(id);
    return repairWith(
        ctx, id, () -> Files.exists(target) && !intact(target, id.remoteName(), Throttle.NONE));
  }

  private Future<Void> repairWith(
      Context ctx, FileId id, java.util.concurrent.Callable<Boolean> damagedHere) {
    return node.disk
        .<Boolean>executeBlocking(damagedHere, false)
        .compose(
            bad -> {
              if (!bad) {
                return Future.<Void>succeededFuture(); // repaired meanwhile, or deleted
              }
              damaged.incrementAndGet();
              LOG.warn(
                  "storage {}: {} does not match the size and CRC32 in its name: fetching a good copy from a peer",
                  node.options.id(),
                  id.remoteName());
              Future<Void> fetched = node.replication.fetchReplacing(id);
              return fetched
                  .compose(
                      v -> node.disk.<Boolean>executeBlocking(() -> !damagedHere.call(), false))
                  .compose(
                      good ->
                          good
                              ? Future.<Void>succeededFuture()
                              : Future.<Void>failedFuture(
                                  new FdfsException(Errno.EIO, "no peer holds a good copy")))
                  .onSuccess(
                      v -> {
                        repaired.incrementAndGet();
                        LOG.info(
                            "storage {}: {} repaired from a peer",
                            node.options.id(),
                            id.remoteName());
                      })
                  .recover(
                      err -> {
                        repairsFailed.incrementAndGet();
                        LOG.error(
                            "storage {}: cannot repair {}: {}",
                            node.options.id(),
                            id.remoteName(),
                            err.getMessage());
                        return Future.failedFuture(
                            new FdfsException(
                                Errno.EIO,
                                "damaged copy of "
                                    + id.remoteName()
                                    + " and no good copy on a peer"));
                      });
            });
  }
}
