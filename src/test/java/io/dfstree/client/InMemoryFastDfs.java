package io.dfstree.client;

import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * A test responder acting as tracker and storage of group "group1" on one port, keeping files
 * in memory. Enough protocol for the client tools' round trips (query, upload, download,
 * delete, metadata, append); not a model of real server behaviour.
 */
public final class InMemoryFastDfs implements FakeFdfsServer.Responder {
  public static final String GROUP = "group1";
  /** Files by remote name. */
  public final Map<String, byte[]> files = new ConcurrentHashMap<>();
  public final Map<String, byte[]> metadata = new ConcurrentHashMap<>();

  @Override
  public byte[] respond(FakeFdfsServer.Request r, int ownPort) {
    ByteBuffer b = ByteBuffer.wrap(r.body());
    switch (r.command()) {
      case 111:
        return FakeFdfsServer.ok(new byte[0]);
      case 101:
      case 104:
        return FakeFdfsServer.ok(Bytes.of().fixed(GROUP, 16).fixed("127.0.0.1", 15).i64(ownPort).u8(0).bytes());
      case 102:
      case 103:
        return FakeFdfsServer.ok(Bytes.of().fixed(GROUP, 16).fixed("127.0.0.1", 15).i64(ownPort).bytes());
      case 11:
      case 23: {
        b.get();
        long size = b.getLong();
        String ext = fixed(b, 6);
        byte[] content = Arrays.copyOfRange(r.body(), 15, 15 + (int) size);
        CRC32 crc = new CRC32();
        crc.update(content);
        String name = FileName.generate(0, 0, 0, 0x0100007F, (int) (System.currentTimeMillis() / 1000), size,
            (int) crc.getValue(), r.command() == 23, ext);
        files.put(name, content);
        return FakeFdfsServer.ok(Bytes.of().fixed(GROUP, 16).text(name).bytes());
      }
      case 14: {
        long offset = b.getLong();
        long length = b.getLong();
        b.position(32);
        byte[] content = files.get(rest(b));
        if (content == null) {
          return FakeFdfsServer.error(Errno.ENOENT);
        }
        int end = length == 0 ? content.length : (int) Math.min(content.length, offset + length);
        return FakeFdfsServer.ok(Arrays.copyOfRange(content, (int) offset, end));
      }
      case 12: {
        b.position(16);
        String name = rest(b);
        metadata.remove(name);
        return files.remove(name) != null ? FakeFdfsServer.ok(new byte[0]) : FakeFdfsServer.error(Errno.ENOENT);
      }
      case 13: {
        int nameLen = (int) b.getLong();
        int metaLen = (int) b.getLong();
        b.position(33);
        byte[] name = new byte[nameLen];
        b.get(name);
        byte[] meta = new byte[metaLen];
        b.get(meta);
        metadata.put(new String(name, StandardCharsets.US_ASCII), meta);
        return FakeFdfsServer.ok(new byte[0]);
      }
      case 15: {
        b.position(16);
        byte[] meta = metadata.get(rest(b));
        return meta == null ? FakeFdfsServer.error(Errno.ENOENT) : FakeFdfsServer.ok(meta);
      }
      case 22: {
        b.position(16);
        byte[] content = files.get(rest(b));
        if (content == null) {
          return FakeFdfsServer.error(Errno.ENOENT);
        }
        CRC32 crc = new CRC32();
        crc.update(content);
        return FakeFdfsServer.ok(Bytes.of().i64(content.length).i64(System.currentTimeMillis() / 1000)
            .i64(crc.getValue()).fixed("127.0.0.1", 16).bytes());
      }
      case 24: {
        int nameLen = (int) b.getLong();
        int size = (int) b.getLong();
        byte[] name = new byte[nameLen];
        b.get(name);
        String key = new String(name, StandardCharsets.US_ASCII);
        byte[] old = files.get(key);
        if (old == null) {
          return FakeFdfsServer.error(Errno.ENOENT);
        }
        byte[] grown = Arrays.copyOf(old, old.length + size);
        b.get(grown, old.length, size);
        files.put(key, grown);
        return FakeFdfsServer.ok(new byte[0]);
      }
      default:
        return FakeFdfsServer.error(Errno.EINVAL);
    }
  }

  private static String fixed(ByteBuffer b, int width) {
    byte[] raw = new byte[width];
    b.get(raw);
    int end = 0;
    while (end < width && raw[end] != 0) {
      end++;
    }
    return new String(raw, 0, end, StandardCharsets.US_ASCII);
  }

  private static String rest(ByteBuffer b) {
    byte[] raw = new byte[b.remaining()];
    b.get(raw);
    return new String(raw, StandardCharsets.US_ASCII);
  }
}
