package io.dfstree.protocol;

import io.dfstree.protocol.StorageReply.BinlogChunk;
import io.dfstree.protocol.StorageReply.FileInfo;
import io.dfstree.protocol.StorageReply.StoredFile;
import io.dfstree.protocol.StorageRequest.ActiveTest;
import io.dfstree.protocol.StorageRequest.BinlogFetch;
import io.dfstree.protocol.StorageRequest.Delete;
import io.dfstree.protocol.StorageRequest.Download;
import io.dfstree.protocol.StorageRequest.GetMetadata;
import io.dfstree.protocol.StorageRequest.QueryFileInfo;
import io.dfstree.protocol.StorageRequest.Quit;
import io.dfstree.protocol.StorageRequest.RegenerateAppenderName;
import io.dfstree.protocol.StorageRequest.ReplicaTrailer;
import io.dfstree.protocol.StorageRequest.ReplicaUpload;
import io.dfstree.protocol.StorageRequest.SetMetadata;
import io.dfstree.protocol.StorageRequest.Truncate;
import io.dfstree.protocol.StorageRequest.Upload;
import io.dfstree.protocol.StorageRequest.UploadSlave;
import io.dfstree.protocol.StorageRequest.WriteAppender;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * The one place where the storage commands' bytes are laid out (fastdfs-protocol.md §3; the peer
 * commands 120–122 are ours). Both sides use it: the storage decodes requests and encodes replies,
 * clients and peers encode requests and decode replies.
 *
 * <p>A server reads a request in up to three steps, so a file's content is never buffered: {@link
 * #prefixLength} bytes of fixed prefix after the header, then {@link #nameLength} bytes of a name
 * whose length the prefix declares, then {@link #decode} of both together; the {@linkplain
 * StorageRequest#contentLength() content} follows. Requests without content are read whole ({@link
 * #WHOLE_BODY}). Every malformed length is an {@link FdfsException} EINVAL with a message that says
 * which.
 */
public final class StorageCodec {
  /** {@link #prefixLength}: the body is small and is read whole, then decoded. */
  public static final int WHOLE_BODY = 0;

  /** {@link #prefixLength}: the command has no body (active test, quit). */
  public static final int NO_BODY = -1;

  /** {@link #prefixLength}: not a storage command. */
  public static final int UNKNOWN = -2;

  /** Remote names are 44 (generated) to 127 bytes (with a slave's prefix and extension). */
  public static final int MIN_NAME = 44;

  public static final int MAX_NAME = 127;

  /** The replica trailer: mtime, then the name in a 128-byte field. */
  public static final int REPLICA_TRAILER = 8 + 128;

  /** The member proof (124): member id, then a 32-byte HMAC-SHA256. */
  public static final int PEER_PROOF = 8 + 32;

  static final int NAME_FIELD = 128;

  private static final int GROUP = Wire.GROUP_NAME_LEN;

  private StorageCodec() {}

  // ---- requests: server side -------------------------------------------------------------------

  /**
   * Bytes of fixed prefix to read after the header of {@code command}, or one of the constants
   * above.
   */
  public static int prefixLength(byte command) {
    return switch (command) {
      case Command.UPLOAD_FILE, Command.UPLOAD_APPENDER_FILE -> 1 + 8 + Wire.EXT_LEN;
      case Command.UPLOAD_SLAVE_FILE -> 8 + 8 + Wire.PREFIX_LEN + Wire.EXT_LEN;
      case Command.APPEND_FILE -> 8 + 8;
      case Command.MODIFY_FILE -> 8 + 8 + 8;
      case Command.REPLICA_UPLOAD -> 8 + 1;
      case Command.DELETE_FILE,
          Command.SET_METADATA,
          Command.DOWNLOAD_FILE,
          Command.GET_METADATA,
          Command.QUERY_FILE_INFO,
          Command.TRUNCATE_FILE,
          Command.REGENERATE_APPENDER_FILENAME,
          Command.BINLOG_FETCH,
          Command.PEER_DOWNLOAD,
          Command.PEER_AUTH_CHALLENGE,
          Command.PEER_AUTH_PROVE,
          Command.SNAPSHOT_FETCH ->
          WHOLE_BODY;
      case Command.ACTIVE_TEST, Command.QUIT -> NO_BODY;
      default -> UNKNOWN;
    };
  }

  /**
   * Checks a streamed request's prefix against its header and answers how many bytes of name follow
   * it before the content (0 when none).
   */
  public static int nameLength(PacketHeader h, Buffer prefix) {
    long rest = h.bodyLength() - prefix.length(); // body bytes after the prefix
    switch (h.command()) {
      case Command.UPLOAD_FILE, Command.UPLOAD_APPENDER_FILE -> {
        long size = prefix.getLong(1);
        if (size < 0 || size != rest) {
          throw FdfsException.invalid(
              "file size " + size + " does not match body length " + h.bodyLength());
        }
        cleanField(prefix, 9, Wire.EXT_LEN, "extension");
        return 0;
      }
      case Command.UPLOAD_SLAVE_FILE -> {
        long masterLen = prefix.getLong(0);
        long size = prefix.getLong(8);
        if (masterLen < MIN_NAME || masterLen > MAX_NAME) {
          throw FdfsException.invalid("master file name length " + masterLen + " out of range");
        }
        if (size < 0 || masterLen + size != rest) {
          throw FdfsException.invalid("slave sizes do not add up to the body length");
        }
        cleanField(prefix, 16, Wire.PREFIX_LEN, "prefix");
        cleanField(prefix, 32, Wire.EXT_LEN, "extension");
        return (int) masterLen;
      }
      case Command.APPEND_FILE, Command.MODIFY_FILE -> {
        boolean modify = h.command() == Command.MODIFY_FILE;
        long nameLen = prefix.getLong(0);
        long offset = modify ? prefix.getLong(8) : -1;
        long bytes = prefix.getLong(modify ? 16 : 8);
        if (nameLen < MIN_NAME || nameLen > MAX_NAME) {
          throw FdfsException.invalid(
              "appender file name length "
                  + nameLen
                  + " out of range "
                  + MIN_NAME
                  + ".."
                  + MAX_NAME);
        }
        if (bytes < 0 || (modify && offset < 0) || nameLen + bytes != rest) {
          throw FdfsException.invalid("appender sizes do not add up to the body length");
        }
        return (int) nameLen;
      }
      case Command.REPLICA_UPLOAD -> {
        long size = prefix.getLong(0);
        if (size < 0 || size + REPLICA_TRAILER != rest) {
          throw FdfsException.invalid("replica sizes do not add up to the body length");
        }
        return 0;
      }
      default -> throw FdfsException.invalid("command " + h.commandCode() + " has no prefix");
    }
  }

  /**
   * Decodes a request from its header and its fixed part: the prefix and name of a streamed request
   * (checked by {@link #nameLength} first), or the whole body of any other.
   */
  public static StorageRequest decode(PacketHeader h, Buffer b) {
    return switch (h.command()) {
      case Command.UPLOAD_FILE, Command.UPLOAD_APPENDER_FILE -> {
        int raw = b.getByte(0) & 0xFF;
        yield new Upload(
            h.command() == Command.UPLOAD_APPENDER_FILE,
            raw == 0xFF ? -1 : raw,
            b.getLong(1),
            Wire.readFixed(b, 9, Wire.EXT_LEN));
      }
      case Command.UPLOAD_SLAVE_FILE ->
          new UploadSlave(
              Wire.ascii(b, 38, b.length()),
              Wire.readFixed(b, 16, Wire.PREFIX_LEN),
              Wire.readFixed(b, 32, Wire.EXT_LEN),
              b.getLong(8));
      case Command.APPEND_FILE ->
          new WriteAppender(Wire.ascii(b, 16, b.length()), false, -1, b.getLong(8));
      case Command.MODIFY_FILE ->
          new WriteAppender(Wire.ascii(b, 24, b.length()), true, b.getLong(8), b.getLong(16));
      case Command.REPLICA_UPLOAD -> new ReplicaUpload(b.getLong(0), b.getByte(8) & 0xFF);
      case Command.DOWNLOAD_FILE, Command.PEER_DOWNLOAD -> {
        need(b, 33);
        String group = group(b, 16);
        long offset = b.getLong(0);
        long length = b.getLong(8);
        if (offset < 0 || length < 0) {
          throw FdfsException.invalid("negative download offset or length");
        }
        yield new Download(
            offset,
            length,
            group,
            Wire.ascii(b, 32, b.length()),
            h.command() == Command.PEER_DOWNLOAD);
      }
      case Command.DELETE_FILE -> {
        need(b, 17);
        yield new Delete(group(b, 0), Wire.ascii(b, 16, b.length()));
      }
      case Command.GET_METADATA -> {
        need(b, 17);
        yield new GetMetadata(group(b, 0), Wire.ascii(b, 16, b.length()));
      }
      case Command.QUERY_FILE_INFO -> {
        need(b, 17);
        yield new QueryFileInfo(group(b, 0), Wire.ascii(b, 16, b.length()), (h.status() & 1) != 0);
      }
      case Command.SET_METADATA -> {
        need(b, 33);
        long nameLen = b.getLong(0);
        long metaLen = b.getLong(8);
        byte op = b.getByte(16);
        if (nameLen < 1
            || nameLen > MAX_NAME
            || metaLen < 0
            || metaLen != b.length() - 33 - nameLen) {
          throw FdfsException.invalid("metadata lengths do not add up");
        }
        if (op != 'O' && op != 'M') {
          throw FdfsException.invalid("metadata operation must be 'O' or 'M'");
        }
        int nameEnd = 33 + (int) nameLen;
        yield new SetMetadata(
            group(b, 17), Wire.ascii(b, 33, nameEnd), op == 'M', b.getBytes(nameEnd, b.length()));
      }
      case Command.TRUNCATE_FILE -> {
        need(b, 17);
        long nameLen = b.getLong(0);
        long newSize = b.getLong(8);
        if (nameLen != b.length() - 16 || newSize < 0) {
          throw FdfsException.invalid("truncate lengths do not add up");
        }
        yield new Truncate(Wire.ascii(b, 16, b.length()), newSize);
      }
      case Command.REGENERATE_APPENDER_FILENAME ->
          new RegenerateAppenderName(Wire.ascii(b, 0, b.length()));
      case Command.BINLOG_FETCH -> {
        if (b.length() != 16) {
          throw FdfsException.invalid("binlog fetch body must be 16 bytes");
        }
        yield new BinlogFetch(b.getInt(0), b.getLong(4), b.getInt(12));
      }
      case Command.SNAPSHOT_FETCH -> {
        if (b.length() < 20 || b.length() > 20 + NAME_FIELD) {
          throw FdfsException.invalid(
              "snapshot fetch body must be 20 bytes and a name of at most " + NAME_FIELD);
        }
        yield new StorageRequest.SnapshotFetch(
            b.getInt(0), b.getInt(4), b.getLong(8), b.getInt(16), Wire.ascii(b, 20, b.length()));
      }
      case Command.ACTIVE_TEST -> {
        if (b.length() != 0) {
          throw FdfsException.invalid("active test with a body");
        }
        yield new ActiveTest();
      }
      case Command.PEER_AUTH_CHALLENGE -> new StorageRequest.PeerAuthChallenge();
      case Command.PEER_AUTH_PROVE -> {
        if (b.length() != PEER_PROOF) {
          // refused like a wrong proof (EACCES, then closed): a guess of the wrong size is a guess
          throw new FdfsException(Errno.EACCES, "peer proof of " + b.length() + " bytes");
        }
        yield new StorageRequest.PeerAuthProve(b.getLong(0), b.getBytes(8, PEER_PROOF));
      }
      case Command.QUIT -> new Quit();
      default -> throw FdfsException.invalid("unknown command " + h.commandCode());
    };
  }

  public static ReplicaTrailer decodeTrailer(Buffer t) {
    if (t.length() != REPLICA_TRAILER) {
      throw FdfsException.invalid(
          "replica trailer of " + t.length() + " bytes (expected " + REPLICA_TRAILER + ")");
    }
    return new ReplicaTrailer(t.getLong(0), Wire.readFixed(t, 8, NAME_FIELD));
  }

  // ---- requests: client and peer side
  // ------------------------------------------------------------

  /**
   * The header and fixed part of {@code r}; the header declares the whole body, so a request with
   * content is followed by its {@linkplain StorageRequest#contentLength() content} (and, for a
   * replica upload, by {@link #encodeTrailer}).
   */
  public static Buffer encode(StorageRequest r) {
    Buffer body = Buffer.buffer(64);
    byte status = 0;
    // Java 17: no patterns in switch; the chain is in command order
    if (r instanceof Upload u) {
      Wire.appendFixed(
          body.appendByte((byte) u.storePathIndex()).appendLong(u.size()), u.ext(), Wire.EXT_LEN);
    } else if (r instanceof UploadSlave s) {
      byte[] master = ascii(s.master());
      body.appendLong(master.length).appendLong(s.size());
      Wire.appendFixed(body, s.prefix(), Wire.PREFIX_LEN);
      Wire.appendFixed(body, s.ext(), Wire.EXT_LEN).appendBytes(master);
    } else if (r instanceof WriteAppender w) {
      byte[] name = ascii(w.name());
      body.appendLong(name.length);
      if (w.modify()) {
        body.appendLong(w.offset());
      }
      body.appendLong(w.size()).appendBytes(name);
    } else if (r instanceof Download d) {
      Wire.appendFixed(body.appendLong(d.offset()).appendLong(d.length()), d.group(), GROUP)
          .appendBytes(ascii(d.name()));
    } else if (r instanceof Delete d) {
      Wire.appendFixed(body, d.group(), GROUP).appendBytes(ascii(d.name()));
    } else if (r instanceof GetMetadata g) {
      Wire.appendFixed(body, g.group(), GROUP).appendBytes(ascii(g.name()));
    } else if (r instanceof QueryFileInfo q) {
      Wire.appendFixed(body, q.group(), GROUP).appendBytes(ascii(q.name()));
      status = (byte) (q.skipCrc() ? 1 : 0);
    } else if (r instanceof SetMetadata m) {
      byte[] name = ascii(m.name());
      body.appendLong(name.length)
          .appendLong(m.raw().length)
          .appendByte((byte) (m.merge() ? 'M' : 'O'));
      Wire.appendFixed(body, m.group(), GROUP).appendBytes(name).appendBytes(m.raw());
    } else if (r instanceof Truncate t) {
      byte[] name = ascii(t.name());
      body.appendLong(name.length).appendLong(t.newSize()).appendBytes(name);
    } else if (r instanceof RegenerateAppenderName g) {
      body.appendBytes(ascii(g.name()));
    } else if (r instanceof ReplicaUpload u) {
      body.appendLong(u.size()).appendByte((byte) u.storePathIndex());
    } else if (r instanceof BinlogFetch f) {
      body.appendInt(f.requesterId()).appendLong(f.offset()).appendInt(f.maxBytes());
    } else if (r instanceof StorageRequest.SnapshotFetch f) {
      body.appendInt(f.requesterId())
          .appendInt(f.section())
          .appendLong(f.position())
          .appendInt(f.limit())
          .appendBytes(ascii(f.after()));
    } else if (r instanceof StorageRequest.PeerAuthProve p) {
      body.appendLong(p.memberId()).appendBytes(p.mac());
    } // ActiveTest, Quit, PeerAuthChallenge: no body
    long declared = body.length() + r.contentLength();
    return Buffer.buffer(PacketHeader.SIZE + body.length())
        .appendLong(declared)
        .appendByte(r.command())
        .appendByte(status)
        .appendBuffer(body);
  }

  /** The body of {@code r} alone (no header), for callers that frame it themselves. */
  public static Buffer body(StorageRequest r) {
    Buffer whole = encode(r);
    return whole.getBuffer(PacketHeader.SIZE, whole.length());
  }

  public static Buffer encodeTrailer(ReplicaTrailer t) {
    return Wire.appendFixed(
        Buffer.buffer(REPLICA_TRAILER).appendLong(t.mtimeSeconds()), t.name(), NAME_FIELD);
  }

  // ---- replies
  // -----------------------------------------------------------------------------------

  /** The body of a successful answer. */
  public static Buffer replyBody(StorageReply r) {
    if (r instanceof StoredFile s) {
      return Wire.appendFixed(Buffer.buffer(GROUP + s.remoteName().length()), s.group(), GROUP)
          .appendString(s.remoteName());
    }
    if (r instanceof FileInfo f) {
      return Wire.appendFixed(
          Buffer.buffer(40).appendLong(f.size()).appendLong(f.mtimeSeconds()).appendLong(f.crc32()),
          f.sourceIp(),
          Wire.IP_LEN);
    }
    if (r instanceof BinlogChunk c) {
      return Buffer.buffer(16 + c.lines().length)
          .appendLong(c.peerNowSeconds())
          .appendLong(c.binlogSize())
          .appendBytes(c.lines());
    }
    if (r instanceof StorageReply.SnapshotPage p) {
      byte[] after = ascii(p.nextAfter());
      return Buffer.buffer(22 + after.length + p.lines().length)
          .appendLong(p.binlogOffset())
          .appendLong(p.peerNowSeconds())
          .appendInt(p.nextSection())
          .appendShort((short) after.length)
          .appendBytes(after)
          .appendBytes(p.lines());
    }
    if (r instanceof StorageReply.RawMetadata m) {
      return Buffer.buffer(m.raw());
    }
    if (r instanceof StorageReply.Challenge c) {
      return Buffer.buffer(c.nonce());
    }
    return Buffer.buffer(); // Empty
  }

  /** Header and body of a successful answer, one buffer for one write. */
  public static Buffer encodeReply(StorageReply r) {
    return PacketHeader.response(replyBody(r));
  }

  public static StoredFile decodeStoredFile(Buffer body) {
    if (body.length() <= GROUP) {
      throw FdfsException.invalid(
          "stored-file answer of " + body.length() + " bytes has no file name");
    }
    return new StoredFile(
        Wire.readFixed(body, 0, GROUP), body.getString(GROUP, body.length(), "UTF-8"));
  }

  /** 40 bytes, or 70 from a server with IPv6-wide address fields. */
  public static FileInfo decodeFileInfo(Buffer body) {
    int ipLen;
    if (body.length() == 24 + Wire.IP_LEN) {
      ipLen = Wire.IP_LEN;
    } else if (body.length() == 24 + Wire.IPV6_LEN) {
      ipLen = Wire.IPV6_LEN;
    } else {
      throw FdfsException.invalid(
          "file info answer of " + body.length() + " bytes (expected 40 or 70)");
    }
    return new FileInfo(
        body.getLong(0),
        body.getLong(8),
        body.getLong(16) & 0xFFFFFFFFL,
        Wire.readFixed(body, 24, ipLen));
  }

  public static BinlogChunk decodeBinlogChunk(Buffer body) {
    if (body.length() < 16) {
      throw FdfsException.invalid(
          "binlog answer of " + body.length() + " bytes is shorter than 16");
    }
    return new BinlogChunk(body.getLong(0), body.getLong(8), body.getBytes(16, body.length()));
  }

  public static StorageReply.SnapshotPage decodeSnapshotPage(Buffer body) {
    if (body.length() < 22 || body.length() < 22 + body.getUnsignedShort(20)) {
      throw FdfsException.invalid(
          "snapshot page of " + body.length() + " bytes is shorter than its fixed part");
    }
    int afterLen = body.getUnsignedShort(20);
    return new StorageReply.SnapshotPage(
        body.getLong(0),
        body.getLong(8),
        body.getInt(16),
        body.getString(22, 22 + afterLen, "US-ASCII"),
        body.getBytes(22 + afterLen, body.length()));
  }

  // ---- fields
  // --------------------------------------------------------------------------------------

  private static String group(Buffer b, int at) {
    cleanField(b, at, GROUP, "group name");
    return Wire.readFixed(b, at, GROUP);
  }

  private static void cleanField(Buffer b, int at, int width, String what) {
    if (!Wire.isCleanFixed(b, at, width)) {
      throw FdfsException.invalid("malformed " + what + " field");
    }
  }

  private static void need(Buffer b, int min) {
    if (b.length() < min) {
      throw FdfsException.invalid("body of " + b.length() + " bytes is shorter than " + min);
    }
  }

  private static byte[] ascii(String s) {
    // names, groups, extensions are ASCII by construction; UTF-8 keeps any stray byte intact
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
