package io.dfstree.client;

import io.dfstree.protocol.Command;
import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds the bytes of every request the client sends: the 10-byte header followed by the body,
 * or for streamed commands (upload, append, modify) the header and the fixed part of the body
 * whose declared length already counts the content that follows (fastdfs-protocol.md §1.1, §2, §3).
 *
 * <p>Pure functions with no I/O so each layout can be checked byte for byte in tests.
 */
public final class RequestEncoder {
  /** Length of the header that starts every packet. */
  public static final int HEADER_SIZE = 10;
  /** Width of the group-name field in requests. */
  public static final int GROUP_LEN = 16;
  /** Width of the extension field in upload requests. */
  public static final int EXT_LEN = 6;
  /** Width of the slave-prefix field. */
  public static final int PREFIX_LEN = 16;
  /** Header status flag for query-file-info: do not compute the CRC32 of appender/slave files. */
  public static final int FILE_INFO_NO_CRC = 1;

  private RequestEncoder() {}

  /** 101 (any group) when {@code group} is null or empty, otherwise 104 with the group name. */
  public static byte[] queryStore(String group) {
    if (group == null || group.isEmpty()) {
      return packet(Command.QUERY_STORE_WITHOUT_GROUP_ONE, 0, 0).array();
    }
    return packet(Command.QUERY_STORE_WITH_GROUP_ONE, GROUP_LEN, GROUP_LEN).put(fixed(group, GROUP_LEN)).array();
  }

  /** 102: which storage can serve a download of this file. */
  public static byte[] queryFetch(String group, String remoteName) {
    return groupAndName(Command.QUERY_FETCH_ONE, (byte) 0, group, remoteName);
  }

  /** 103: which storage accepts changes to this file (its source, normally). */
  public static byte[] queryUpdate(String group, String remoteName) {
    return groupAndName(Command.QUERY_UPDATE, (byte) 0, group, remoteName);
  }

  /** 91: every group's statistics. */
  public static byte[] listGroups() {
    return packet(Command.LIST_ALL_GROUPS, 0, 0).array();
  }

  /** 92: the storages of a group, or only the one with {@code storageId} when it is not empty. */
  public static byte[] listStorages(String group, String storageId) {
    byte[] id = storageId == null ? new byte[0] : ascii(storageId);
    if (id.length >= 16) {
      throw new IllegalArgumentException("storage id must be shorter than 16 bytes: " + storageId);
    }
    int body = GROUP_LEN + id.length;
    return packet(Command.LIST_STORAGE, body, body).put(fixed(group, GROUP_LEN)).put(id).array();
  }

  /** 111: a no-op that proves the connection still works. */
  public static byte[] activeTest() {
    return bytes(new StorageRequest.ActiveTest());
  }

  /** 82: the server closes the connection without replying. */
  public static byte[] quit() {
    return bytes(new StorageRequest.Quit());
  }

  /**
   * Header and fixed part of 11 (normal) or 23 (appender): store path index, size, extension;
   * {@code size} content bytes must follow.
   */
  public static byte[] uploadPrefix(boolean appender, int storePathIndex, long size, String ext) {
    return bytes(new StorageRequest.Upload(appender, storePathIndex, size, ext));
  }

  /**
   * Header and fixed part of 21 (slave upload): master name length, size, prefix, extension,
   * master name; {@code size} content bytes must follow.
   */
  public static byte[] uploadSlavePrefix(String masterRemoteName, String prefix, String ext, long size) {
    return bytes(new StorageRequest.UploadSlave(masterRemoteName, prefix, ext, size));
  }

  /** 14: {@code length} bytes from {@code offset}; length 0 means to the end of the file. */
  public static byte[] download(String group, String remoteName, long offset, long length) {
    return bytes(new StorageRequest.Download(offset, length, group, remoteName, false));
  }

  /** 12: delete the file and its metadata. */
  public static byte[] delete(String group, String remoteName) {
    return bytes(new StorageRequest.Delete(group, remoteName));
  }

  /** 13: replace ('O') or merge ('M') the metadata with the encoded list {@code meta}. */
  public static byte[] setMetadata(String group, String remoteName, byte[] meta, boolean merge) {
    return bytes(new StorageRequest.SetMetadata(group, remoteName, merge, meta));
  }

  /** 15: the file's metadata. */
  public static byte[] getMetadata(String group, String remoteName) {
    return bytes(new StorageRequest.GetMetadata(group, remoteName));
  }

  /** 22: size, time, CRC32 and source of a file; {@code flags} travel in the header status byte. */
  public static byte[] queryFileInfo(String group, String remoteName, int flags) {
    return bytes(new StorageRequest.QueryFileInfo(group, remoteName, (flags & FILE_INFO_NO_CRC) != 0));
  }

  /** Header and fixed part of 24 (append); {@code size} content bytes must follow. */
  public static byte[] appendPrefix(String appenderRemoteName, long size) {
    return bytes(new StorageRequest.WriteAppender(appenderRemoteName, false, -1, size));
  }

  /** Header and fixed part of 34 (modify at offset); {@code size} content bytes must follow. */
  public static byte[] modifyPrefix(String appenderRemoteName, long offset, long size) {
    return bytes(new StorageRequest.WriteAppender(appenderRemoteName, true, offset, size));
  }

  /** 36: cut (or keep) the appender file at {@code newSize} bytes. */
  public static byte[] truncate(String appenderRemoteName, long newSize) {
    return bytes(new StorageRequest.Truncate(appenderRemoteName, newSize));
  }

  /** 38: turn an appender file into a normal file with a new name. */
  public static byte[] regenerateAppenderName(String appenderRemoteName) {
    return bytes(new StorageRequest.RegenerateAppenderName(appenderRemoteName));
  }

  /** The storage requests are laid out once, by {@link StorageCodec}. */
  private static byte[] bytes(StorageRequest r) {
    return StorageCodec.encode(r).getBytes();
  }

  private static byte[] groupAndName(byte command, byte status, String group, String remoteName) {
    byte[] name = ascii(remoteName);
    int body = GROUP_LEN + name.length;
    ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + body);
    b.putLong(body).put(command).put(status).put(fixed(group, GROUP_LEN)).put(name);
    return b.array();
  }

  /** A buffer holding the header (declaring {@code bodyLength}) with room for {@code inline} body bytes. */
  private static ByteBuffer packet(byte command, long bodyLength, int inline) {
    return ByteBuffer.allocate(HEADER_SIZE + inline).putLong(bodyLength).put(command).put((byte) 0);
  }

  /** {@code value} left-aligned in exactly {@code width} bytes, NUL padded, cut when longer. */
  static byte[] fixed(String value, int width) {
    byte[] out = new byte[width];
    if (value != null) {
      byte[] bytes = ascii(value);
      System.arraycopy(bytes, 0, out, 0, Math.min(bytes.length, width));
    }
    return out;
  }

  private static byte[] ascii(String s) {
    // file names, groups, extensions and ids are ASCII by construction; UTF-8 keeps any stray byte intact
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
