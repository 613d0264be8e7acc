package io.dfstree.client;

import io.dfstree.protocol.StorageCodec;
import io.dfstree.protocol.StorageRequest;

/**
 * The bytes of every storage request the blocking client sends, as {@link StorageCodec} lays them
 * out: the 10-byte header followed by the body, or for streamed commands (upload, append, modify)
 * the header and the fixed part of the body whose declared length already counts the content that
 * follows (fastdfs-protocol.md §1.1, §3). Tracker requests are laid out by {@code TrackerCodec} in
 * {@link TrackerSession}.
 */
public final class RequestEncoder {
  /** Header status flag for query-file-info: do not compute the CRC32 of appender/slave files. */
  public static final int FILE_INFO_NO_CRC = 1;

  private RequestEncoder() {}

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
   * Header and fixed part of 21 (slave upload): master name length, size, prefix, extension, master
   * name; {@code size} content bytes must follow.
   */
  public static byte[] uploadSlavePrefix(
      String masterRemoteName, String prefix, String ext, long size) {
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
    return bytes(
        new StorageRequest.QueryFileInfo(group, remoteName, (flags & FILE_INFO_NO_CRC) != 0));
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
}
