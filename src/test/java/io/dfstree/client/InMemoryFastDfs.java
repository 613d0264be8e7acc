package io.dfstree.client;

import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageReply;
import io.dfstree.protocol.StorageRequest;
import io.dfstree.protocol.TrackerCodec;
import io.dfstree.protocol.TrackerReply;
import io.dfstree.protocol.TrackerRequest;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * A test responder acting as tracker and storage of group "group1" on one port, keeping files in
 * memory. Enough protocol for the client tools' round trips (query, upload, download, delete,
 * metadata, append), read and answered through the codecs; not a model of real server behaviour.
 */
public final class InMemoryFastDfs implements FakeFdfsServer.Responder {
  public static final String GROUP = "group1";

  /** Files by remote name. */
  public final Map<String, byte[]> files = new ConcurrentHashMap<>();

  public final Map<String, byte[]> metadata = new ConcurrentHashMap<>();

  @Override
  public byte[] respond(FakeFdfsServer.Request r, int ownPort) {
    Buffer all = Buffer.buffer(r.body());
    PacketHeader h = new PacketHeader(all.length(), (byte) r.command(), (byte) 0);
    try {
      if (TRACKER_COMMANDS.contains(r.command())) {
        return answerTracker(TrackerCodec.decode(h, all), ownPort);
      }
      int prefix = StorageCodec.prefixLength(h.command());
      if (prefix > 0) { // a request with content: prefix, name, then the content
        int fixed = prefix + StorageCodec.nameLength(h, all.getBuffer(0, prefix));
        return answerStorage(
            StorageCodec.decode(h, all.getBuffer(0, fixed)), all.getBytes(fixed, all.length()));
      }
      return answerStorage(StorageCodec.decode(h, all), new byte[0]);
    } catch (FdfsException e) {
      return FakeFdfsServer.error(e.errno());
    }
  }

  private static final java.util.Set<Integer> TRACKER_COMMANDS =
      java.util.Set.of(101, 102, 103, 104);

  private static byte[] answerTracker(TrackerRequest req, int ownPort) {
    if (req instanceof TrackerRequest.QueryStore) {
      return ok(
          TrackerCodec.replyBody(new TrackerReply.StoreTarget(GROUP, "127.0.0.1", ownPort, 0)));
    }
    return ok(
        TrackerCodec.replyBody(
            new TrackerReply.FetchTarget(GROUP, "127.0.0.1", ownPort))); // 102, 103
  }

  private byte[] answerStorage(StorageRequest req, byte[] content) {
    if (req instanceof StorageRequest.ActiveTest) {
      return FakeFdfsServer.ok(new byte[0]);
    } else if (req instanceof StorageRequest.Upload u) {
      CRC32 crc = new CRC32();
      crc.update(content);
      String name =
          FileName.generate(
              0,
              0,
              0,
              0x0100007F,
              (int) (System.currentTimeMillis() / 1000),
              u.size(),
              (int) crc.getValue(),
              u.appender(),
              u.ext());
      files.put(name, content);
      return ok(StorageCodec.replyBody(new StorageReply.StoredFile(GROUP, name)));
    } else if (req instanceof StorageRequest.Download d) {
      byte[] stored = files.get(d.name());
      if (stored == null) {
        return FakeFdfsServer.error(Errno.ENOENT);
      }
      int end =
          d.length() == 0 ? stored.length : (int) Math.min(stored.length, d.offset() + d.length());
      return FakeFdfsServer.ok(Arrays.copyOfRange(stored, (int) d.offset(), end));
    } else if (req instanceof StorageRequest.Delete d) {
      metadata.remove(d.name());
      return files.remove(d.name()) != null
          ? FakeFdfsServer.ok(new byte[0])
          : FakeFdfsServer.error(Errno.ENOENT);
    } else if (req instanceof StorageRequest.SetMetadata m) {
      metadata.put(m.name(), m.raw());
      return FakeFdfsServer.ok(new byte[0]);
    } else if (req instanceof StorageRequest.GetMetadata g) {
      byte[] meta = metadata.get(g.name());
      return meta == null ? FakeFdfsServer.error(Errno.ENOENT) : FakeFdfsServer.ok(meta);
    } else if (req instanceof StorageRequest.QueryFileInfo q) {
      byte[] stored = files.get(q.name());
      if (stored == null) {
        return FakeFdfsServer.error(Errno.ENOENT);
      }
      CRC32 crc = new CRC32();
      crc.update(stored);
      return ok(
          StorageCodec.replyBody(
              new StorageReply.FileInfo(
                  stored.length, System.currentTimeMillis() / 1000, crc.getValue(), "127.0.0.1")));
    } else if (req instanceof StorageRequest.WriteAppender w && !w.modify()) {
      byte[] old = files.get(w.name());
      if (old == null) {
        return FakeFdfsServer.error(Errno.ENOENT);
      }
      byte[] grown = Arrays.copyOf(old, old.length + content.length);
      System.arraycopy(content, 0, grown, old.length, content.length);
      files.put(w.name(), grown);
      return FakeFdfsServer.ok(new byte[0]);
    }
    return FakeFdfsServer.error(Errno.EINVAL);
  }

  private static byte[] ok(Buffer body) {
    return FakeFdfsServer.ok(body.getBytes());
  }
}
