package io.dfstree.protocol;

/**
 * Every request a storage answers, one record per command (fastdfs-protocol.md §3, and the peer
 * commands 120–122). The bytes are written and read only by {@link StorageCodec}. A request whose
 * body carries file content ({@link #contentLength()} &gt; 0) is decoded from its fixed part; the
 * content follows on the wire and is streamed, never held.
 */
public sealed interface StorageRequest {
  /** The command byte. */
  byte command();

  /** File content that follows the fixed part on the wire (0 for requests without any). */
  default long contentLength() {
    return 0;
  }

  /**
   * 11 (normal) or 23 (appender): {@code size} bytes follow. {@code storePathIndex} -1: the storage
   * chooses.
   */
  record Upload(boolean appender, int storePathIndex, long size, String ext)
      implements StorageRequest {
    public byte command() {
      return appender ? Command.UPLOAD_APPENDER_FILE : Command.UPLOAD_FILE;
    }

    public long contentLength() {
      return size;
    }
  }

  /**
   * 21: a slave of {@code master} named with {@code prefix} and {@code ext}; {@code size} bytes
   * follow.
   */
  record UploadSlave(String master, String prefix, String ext, long size)
      implements StorageRequest {
    public byte command() {
      return Command.UPLOAD_SLAVE_FILE;
    }

    public long contentLength() {
      return size;
    }
  }

  /**
   * 24 (append; {@code offset} is ignored, -1 by convention) or 34 (modify at {@code offset}):
   * {@code size} bytes follow.
   */
  record WriteAppender(String name, boolean modify, long offset, long size)
      implements StorageRequest {
    public byte command() {
      return modify() ? Command.MODIFY_FILE : Command.APPEND_FILE;
    }

    public long contentLength() {
      return size;
    }
  }

  /**
   * 14 (a client's download) or 122 (a peer's: a miss is ENOENT, never fetched in turn). Length 0:
   * to the end.
   */
  record Download(long offset, long length, String group, String name, boolean peer)
      implements StorageRequest {
    public byte command() {
      return peer ? Command.PEER_DOWNLOAD : Command.DOWNLOAD_FILE;
    }
  }

  /** 12. */
  record Delete(String group, String name) implements StorageRequest {
    public byte command() {
      return Command.DELETE_FILE;
    }
  }

  /** 15. */
  record GetMetadata(String group, String name) implements StorageRequest {
    public byte command() {
      return Command.GET_METADATA;
    }
  }

  /**
   * 13: {@code merge} ('M') or overwrite ('O') with the encoded {@link Metadata} list {@code raw}.
   */
  record SetMetadata(String group, String name, boolean merge, byte[] raw)
      implements StorageRequest {
    public byte command() {
      return Command.SET_METADATA;
    }
  }

  /** 22: {@code skipCrc} travels as bit 0 of the header's status byte. */
  record QueryFileInfo(String group, String name, boolean skipCrc) implements StorageRequest {
    public byte command() {
      return Command.QUERY_FILE_INFO;
    }
  }

  /** 36. */
  record Truncate(String name, long newSize) implements StorageRequest {
    public byte command() {
      return Command.TRUNCATE_FILE;
    }
  }

  /** 38. */
  record RegenerateAppenderName(String name) implements StorageRequest {
    public byte command() {
      return Command.REGENERATE_APPENDER_FILENAME;
    }
  }

  /**
   * 120: a new file streamed to a peer while it is uploaded; {@code size} bytes, then a {@link
   * ReplicaTrailer}.
   */
  record ReplicaUpload(long size, int storePathIndex) implements StorageRequest {
    public byte command() {
      return Command.REPLICA_UPLOAD;
    }

    /** The content and the trailer that names it. */
    public long contentLength() {
      return size + StorageCodec.REPLICA_TRAILER;
    }
  }

  /** What ends a {@link ReplicaUpload}: the name the source placed its copy under, and its time. */
  record ReplicaTrailer(long mtimeSeconds, String name) {}

  /**
   * 121: up to {@code maxBytes} of the binlog from {@code offset}, for storage {@code requesterId}.
   */
  record BinlogFetch(int requesterId, long offset, int maxBytes) implements StorageRequest {
    public byte command() {
      return Command.BINLOG_FETCH;
    }
  }

  /**
   * 125: a page of the snapshot: up to {@code limit} entries of {@code section} (store path index;
   * one past the last = recent deletes) after {@code after}. {@code position} is the binlog offset
   * the first page answered (-1 on the first page): the requester's position while it reads the
   * snapshot.
   */
  record SnapshotFetch(int requesterId, int section, long position, int limit, String after)
      implements StorageRequest {
    public byte command() {
      return Command.SNAPSHOT_FETCH;
    }
  }

  /** 123: asks a storage for a nonce to prove group membership with. */
  record PeerAuthChallenge() implements StorageRequest {
    public byte command() {
      return Command.PEER_AUTH_CHALLENGE;
    }
  }

  /**
   * 124: the proof of membership: the member's id, and HMAC-SHA256(cluster secret, nonce ‖ member
   * id) of the nonce the challenge answered ({@link StorageCodec#PEER_PROOF} bytes on the wire).
   */
  record PeerAuthProve(long memberId, byte[] mac) implements StorageRequest {
    public byte command() {
      return Command.PEER_AUTH_PROVE;
    }
  }

  /** 111. */
  record ActiveTest() implements StorageRequest {
    public byte command() {
      return Command.ACTIVE_TEST;
    }
  }

  /** 82: the server closes without answering. */
  record Quit() implements StorageRequest {
    public byte command() {
      return Command.QUIT;
    }
  }
}
