package io.dfstree.badinput;

import static io.dfstree.badinput.Raw.ascii;
import static io.dfstree.badinput.Raw.cat;
import static io.dfstree.badinput.Raw.fixed;
import static io.dfstree.badinput.Raw.header;
import static io.dfstree.badinput.Raw.i64;
import static io.dfstree.badinput.Raw.packet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Storage request encoders (fastdfs-protocol.md §3), byte for byte. */
final class Req {
  static final String GROUP = "group1";

  private Req() {}

  static byte[] upload(int cmd, int pathIndex, byte[] ext6, byte[] content) {
    return packet(cmd, cat(new byte[] {(byte) pathIndex}, i64(content.length), ext6, content));
  }

  static byte[] upload(String ext, byte[] content) {
    return upload(11, 0xFF, fixed(ext, 6), content);
  }

  static byte[] uploadAppender(String ext, byte[] content) {
    return upload(23, 0xFF, fixed(ext, 6), content);
  }

  static byte[] groupAndName(String group, String name) {
    return cat(fixed(group, 16), ascii(name));
  }

  static byte[] download(long offset, long bytes, String group, String name) {
    return packet(14, cat(i64(offset), i64(bytes), groupAndName(group, name)));
  }

  static byte[] delete(String group, String name) {
    return packet(12, groupAndName(group, name));
  }

  static byte[] getMeta(String group, String name) {
    return packet(15, groupAndName(group, name));
  }

  static byte[] queryInfo(String group, String name) {
    return packet(22, groupAndName(group, name));
  }

  static byte[] setMeta(int op, String group, String name, byte[] meta) {
    byte[] n = ascii(name);
    return packet(13, cat(i64(n.length), i64(meta.length), new byte[] {(byte) op}, fixed(group, 16), n, meta));
  }

  static byte[] append(String name, byte[] content) {
    byte[] n = ascii(name);
    return packet(24, cat(i64(n.length), i64(content.length), n, content));
  }

  static byte[] modify(String name, long offset, byte[] content) {
    byte[] n = ascii(name);
    return packet(34, cat(i64(n.length), i64(offset), i64(content.length), n, content));
  }

  static byte[] truncate(String name, long newSize) {
    byte[] n = ascii(name);
    return packet(36, cat(i64(n.length), i64(newSize), n));
  }

  static byte[] slave(String master, String prefix, String ext, byte[] content) {
    byte[] m = ascii(master);
    return packet(21, cat(i64(m.length), i64(content.length), fixed(prefix, 16), fixed(ext, 6), m, content));
  }

  static byte[] activeTest() {
    return header(0, 111, 0);
  }

  /** Uploads over a fresh connection; returns the remote name (without group). */
  static String uploadNew(int port, int cmd, String ext, byte[] content) throws IOException {
    try (Raw r = Raw.open(port)) {
      r.send(upload(cmd, 0xFF, fixed(ext, 6), content));
      Raw.Reply reply = r.expect(0);
      assertEquals(GROUP, new String(reply.body(), 0, 16, StandardCharsets.ISO_8859_1).trim().replace("\0", ""));
      return new String(reply.body(), 16, reply.body().length - 16, StandardCharsets.ISO_8859_1);
    }
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }
}
