package io.dfstree.protocol;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.protocol.StorageReply.BinlogChunk;
import io.dfstree.protocol.StorageReply.FileInfo;
import io.dfstree.protocol.StorageReply.StoredFile;
import io.dfstree.protocol.StorageRequest.*;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The storage and peer messages through {@link StorageCodec}, read back the way the storage reads
 * them (a {@link FrameDecoder}: prefix, name, content), as Netty tests its codecs: every message
 * round-trips, in any split of the bytes, two in one buffer, and every malformed length is refused
 * with EINVAL.
 */
class StorageCodecTest {
  static final String NAME = "M00/00/2A/wKgBZmZ0aW5kAAAAAAAAAExGZmU123.txt";
  static final String SLAVE_MASTER = "M00/00/2A/wKgBZmZ0aW5kAAAAAAAAAExGZmU123.jpg";

  static final byte[] MAC = new byte[32];

  static {
    for (int i = 0; i < MAC.length; i++) {
      MAC[i] = (byte) (i * 7 + 1);
    }
  }

  /** A request and the content that follows it on the wire. */
  record Sample(StorageRequest request, byte[] content) {}

  static List<Sample> samples() {
    return List.of(
        new Sample(new Upload(false, 0, 5, "txt"), "hello".getBytes()),
        new Sample(new Upload(true, -1, 3, ""), "abc".getBytes()),
        new Sample(new Upload(false, 2, 0, "tar.gz"), new byte[0]),
        new Sample(new UploadSlave(SLAVE_MASTER, "_150x150", "jpg", 4), "slav".getBytes()),
        new Sample(new WriteAppender(NAME, false, -1, 6), "append".getBytes()),
        new Sample(new WriteAppender(NAME, true, 17, 2), "md".getBytes()),
        new Sample(new Download(0, 0, "group1", NAME, false), new byte[0]),
        new Sample(new Download(10, 20, "group1", NAME, true), new byte[0]),
        new Sample(new Delete("group1", NAME), new byte[0]),
        new Sample(new GetMetadata("g", NAME), new byte[0]),
        new Sample(
            new SetMetadata(
                "group1", NAME, true, Metadata.encode(List.of(Metadata.Entry.of("k", "v")))),
            new byte[0]),
        new Sample(new SetMetadata("group1", NAME, false, new byte[0]), new byte[0]),
        new Sample(new QueryFileInfo("group1", NAME, true), new byte[0]),
        new Sample(new QueryFileInfo("group1", NAME, false), new byte[0]),
        new Sample(new Truncate(NAME, 0), new byte[0]),
        new Sample(new RegenerateAppenderName(NAME), new byte[0]),
        new Sample(new ReplicaUpload(4, 1), "peer".getBytes()),
        new Sample(new BinlogFetch(7, 123456789L, 1 << 20), new byte[0]),
        new Sample(new PeerAuthChallenge(), new byte[0]),
        new Sample(new PeerAuthProve(42, MAC), new byte[0]),
        new Sample(new ActiveTest(), new byte[0]));
  }

  /** Reads requests as the storage does; collects what it decoded and the content that followed. */
  static final class Reader implements FrameDecoder.Listener {
    final FrameDecoder decoder = new FrameDecoder(this);
    final List<StorageRequest> requests = new ArrayList<>();
    final List<Buffer> contents = new ArrayList<>();
    final List<StorageRequest.ReplicaTrailer> trailers = new ArrayList<>();
    PacketHeader header;
    Buffer prefix;
    String step;
    Buffer content;

    @Override
    public void onHeader(PacketHeader h) {
      header = h;
      int p = StorageCodec.prefixLength(h.command());
      if (p == StorageCodec.WHOLE_BODY || p == StorageCodec.NO_BODY) {
        step = "whole";
        decoder.expectFixed((int) h.bodyLength());
      } else {
        step = "prefix";
        decoder.expectFixed(p);
      }
    }

    @Override
    public void onFixed(Buffer part) {
      switch (step) {
        case "prefix" -> {
          int n = StorageCodec.nameLength(header, part);
          if (n > 0) {
            prefix = part;
            step = "name";
            decoder.expectFixed(n);
          } else {
            got(StorageCodec.decode(header, part));
          }
        }
        case "name" -> got(StorageCodec.decode(header, prefix.copy().appendBuffer(part)));
        case "whole" -> got(StorageCodec.decode(header, part));
        default -> {
          trailers.add(StorageCodec.decodeTrailer(part));
          decoder.nextRequest();
        }
      }
    }

    private void got(StorageRequest r) {
      requests.add(r);
      content = Buffer.buffer();
      contents.add(content);
      long n = r instanceof ReplicaUpload u ? u.size() : r.contentLength();
      step = "content";
      decoder.streamBody(n);
    }

    @Override
    public void onBodyChunk(Buffer chunk) {
      content.appendBuffer(chunk);
    }

    @Override
    public void onBodyEnd() {
      if (requests.get(requests.size() - 1) instanceof ReplicaUpload) {
        step = "trailer";
        decoder.expectFixed(StorageCodec.REPLICA_TRAILER);
      } else {
        decoder.nextRequest();
      }
    }
  }

  static Buffer wire(Sample s) {
    Buffer b = StorageCodec.encode(s.request()).appendBytes(s.content());
    if (s.request() instanceof ReplicaUpload) {
      b.appendBuffer(
          StorageCodec.encodeTrailer(new StorageRequest.ReplicaTrailer(1700000000L, NAME)));
    }
    return b;
  }

  /** Records holding arrays compare them by content here. */
  static void assertSame(StorageRequest expected, StorageRequest actual) {
    if (expected instanceof SetMetadata e && actual instanceof SetMetadata a) {
      assertEquals(e.group(), a.group());
      assertEquals(e.name(), a.name());
      assertEquals(e.merge(), a.merge());
      assertArrayEquals(e.raw(), a.raw());
    } else if (expected instanceof PeerAuthProve e && actual instanceof PeerAuthProve a) {
      assertEquals(e.memberId(), a.memberId());
      assertArrayEquals(e.mac(), a.mac());
    } else {
      assertEquals(expected, actual);
    }
  }

  @Test
  void everyRequestRoundTripsWithItsContent() {
    for (Sample s : samples()) {
      Reader r = new Reader();
      r.decoder.feed(wire(s));
      assertEquals(1, r.requests.size(), s.toString());
      assertSame(s.request(), r.requests.get(0));
      assertArrayEquals(s.content(), r.contents.get(0).getBytes(), s.toString());
      assertEquals(
          wire(s).length() - PacketHeader.SIZE,
          PacketHeader.decode(wire(s)).bodyLength(),
          "the header declares the fixed part, the content and a replica's trailer: " + s);
    }
  }

  @Test
  void theReplicaTrailerNamesTheCopy() {
    Reader r = new Reader();
    r.decoder.feed(wire(new Sample(new ReplicaUpload(4, 1), "peer".getBytes())));
    assertEquals(List.of(new StorageRequest.ReplicaTrailer(1700000000L, NAME)), r.trailers);
  }

  @Test
  void everyRequestSurvivesAnySplitOfItsBytes() {
    for (int chunk : new int[] {1, 2, 3, 7, 10, 11, 64}) {
      Buffer all = Buffer.buffer();
      for (Sample s : samples()) {
        all.appendBuffer(wire(s));
      }
      Reader r = new Reader();
      for (int at = 0; at < all.length(); at += chunk) {
        r.decoder.feed(all.getBuffer(at, Math.min(all.length(), at + chunk)));
      }
      assertEquals(samples().size(), r.requests.size(), "split in " + chunk + "-byte reads");
      for (int i = 0; i < samples().size(); i++) {
        assertSame(samples().get(i).request(), r.requests.get(i));
        assertArrayEquals(samples().get(i).content(), r.contents.get(i).getBytes());
      }
    }
  }

  @Test
  void twoRequestsInOneBufferAreBothRead() {
    Sample a = new Sample(new Upload(false, 0, 5, "txt"), "hello".getBytes());
    Sample b = new Sample(new Delete("group1", NAME), new byte[0]);
    Reader r = new Reader();
    r.decoder.feed(wire(a).appendBuffer(wire(b)));
    assertEquals(2, r.requests.size());
    assertSame(a.request(), r.requests.get(0));
    assertSame(b.request(), r.requests.get(1));
    assertEquals("hello", r.contents.get(0).toString());
  }

  /**
   * Every declared body length but the right one is refused at the prefix, before any content is
   * read.
   */
  @Test
  void everyWrongBodyLengthOfAStreamedRequestIsEinval() {
    for (Sample s : samples()) {
      int p = StorageCodec.prefixLength(s.request().command());
      if (p <= 0) {
        continue;
      }
      Buffer packet = StorageCodec.encode(s.request());
      long right = PacketHeader.decode(packet).bodyLength();
      Buffer prefix = packet.getBuffer(PacketHeader.SIZE, PacketHeader.SIZE + p);
      for (long len = p; len <= right + 40; len++) {
        if (len == right) {
          continue;
        }
        PacketHeader h = new PacketHeader(len, s.request().command(), (byte) 0);
        FdfsException e =
            assertThrows(
                FdfsException.class,
                () -> StorageCodec.nameLength(h, prefix),
                s + " with body " + len);
        assertEquals(Errno.EINVAL, e.errno());
      }
    }
  }

  @Test
  void namesOutOfRangeNegativeSizesAndDirtyFieldsAreEinval() {
    // slave: master name length 43 and 128
    for (long masterLen : new long[] {0, 43, 128, -1}) {
      Buffer prefix =
          Buffer.buffer()
              .appendLong(masterLen)
              .appendLong(4)
              .appendBytes(new byte[16])
              .appendBytes(new byte[6]);
      assertEinval(
          () ->
              StorageCodec.nameLength(
                  new PacketHeader(
                      38 + Math.max(0, masterLen) + 4, Command.UPLOAD_SLAVE_FILE, (byte) 0),
                  prefix));
    }
    // appender: name length and negative offset
    Buffer modify = Buffer.buffer().appendLong(44).appendLong(-1).appendLong(2);
    assertEinval(
        () ->
            StorageCodec.nameLength(
                new PacketHeader(24 + 44 + 2, Command.MODIFY_FILE, (byte) 0), modify));
    Buffer append = Buffer.buffer().appendLong(200).appendLong(2);
    assertEinval(
        () ->
            StorageCodec.nameLength(
                new PacketHeader(16 + 200 + 2, Command.APPEND_FILE, (byte) 0), append));
    // upload: negative size; an extension with a NUL in the middle
    Buffer negative = Buffer.buffer().appendByte((byte) 0).appendLong(-5).appendBytes(new byte[6]);
    assertEinval(
        () ->
            StorageCodec.nameLength(
                new PacketHeader(15 - 5, Command.UPLOAD_FILE, (byte) 0), negative));
    Buffer dirty =
        Buffer.buffer()
            .appendByte((byte) 0)
            .appendLong(1)
            .appendBytes(new byte[] {'a', 0, 'b', 0, 0, 0});
    assertEinval(
        () -> StorageCodec.nameLength(new PacketHeader(16, Command.UPLOAD_FILE, (byte) 0), dirty));
    // replica: negative size
    Buffer replica = Buffer.buffer().appendLong(-1).appendByte((byte) 0);
    assertEinval(
        () ->
            StorageCodec.nameLength(
                new PacketHeader(
                    9 - 1 + StorageCodec.REPLICA_TRAILER, Command.REPLICA_UPLOAD, (byte) 0),
                replica));
  }

  /**
   * Whole-body requests: every body shorter than their fixed fields, and every inconsistent inner
   * length.
   */
  @Test
  void everyTruncatedOrInconsistentSmallRequestIsEinval() {
    int[][] minimum = {
      {Command.DOWNLOAD_FILE, 33},
      {Command.PEER_DOWNLOAD, 33},
      {Command.DELETE_FILE, 17},
      {Command.GET_METADATA, 17},
      {Command.QUERY_FILE_INFO, 17},
      {Command.SET_METADATA, 33},
      {Command.TRUNCATE_FILE, 17}
    };
    for (int[] m : minimum) {
      for (int len = 0; len < m[1]; len++) {
        int n = len;
        assertEinval(
            () ->
                StorageCodec.decode(
                    new PacketHeader(n, (byte) m[0], (byte) 0), Buffer.buffer(new byte[n])));
      }
    }
    for (int len = 0; len < 40; len++) {
      if (len != 16) {
        int n = len;
        assertEinval(
            () ->
                StorageCodec.decode(
                    new PacketHeader(n, Command.BINLOG_FETCH, (byte) 0),
                    Buffer.buffer(new byte[n])));
      }
    }
    // set metadata: every name length and metadata length that do not add up to the body (a
    // split of the right total elsewhere is a valid layout: the name check refuses it later)
    byte[] meta = "k\u0002v".getBytes();
    for (long nameLen = -1; nameLen <= 130; nameLen++) {
      for (long metaLen : new long[] {-1, 0, meta.length - 1L, meta.length, meta.length + 1L}) {
        if (nameLen + metaLen == NAME.length() + meta.length
            && nameLen >= 1
            && nameLen <= 127
            && metaLen >= 0) {
          continue;
        }
        Buffer b = Buffer.buffer().appendLong(nameLen).appendLong(metaLen).appendByte((byte) 'O');
        Wire.appendFixed(b, "group1", 16).appendString(NAME).appendBytes(meta);
        assertEinval(
            () ->
                StorageCodec.decode(
                    new PacketHeader(b.length(), Command.SET_METADATA, (byte) 0), b));
      }
    }
    // truncate: name length must be the rest of the body; the size not negative
    for (long nameLen = 0; nameLen <= 60; nameLen++) {
      if (nameLen == NAME.length()) {
        continue;
      }
      Buffer b = Buffer.buffer().appendLong(nameLen).appendLong(0).appendString(NAME);
      assertEinval(
          () ->
              StorageCodec.decode(
                  new PacketHeader(b.length(), Command.TRUNCATE_FILE, (byte) 0), b));
    }
    Buffer negative = Buffer.buffer().appendLong(NAME.length()).appendLong(-1).appendString(NAME);
    assertEinval(
        () ->
            StorageCodec.decode(
                new PacketHeader(negative.length(), Command.TRUNCATE_FILE, (byte) 0), negative));
    // download: negative offset or length
    Buffer dl = StorageCodec.body(new Download(0, 0, "group1", NAME, false));
    dl.setLong(0, -1);
    assertEinval(
        () ->
            StorageCodec.decode(
                new PacketHeader(dl.length(), Command.DOWNLOAD_FILE, (byte) 0), dl));
    // active test with a body; an unknown command
    assertEinval(
        () ->
            StorageCodec.decode(
                new PacketHeader(1, Command.ACTIVE_TEST, (byte) 0), Buffer.buffer(new byte[1])));
    assertEquals(StorageCodec.UNKNOWN, StorageCodec.prefixLength((byte) 99));
    assertEinval(
        () -> StorageCodec.decode(new PacketHeader(0, (byte) 99, (byte) 0), Buffer.buffer()));
  }

  @Test
  void everyReplyRoundTrips() {
    StoredFile f = new StoredFile("group1", NAME);
    assertEquals(f, StorageCodec.decodeStoredFile(StorageCodec.replyBody(f)));
    FileInfo i = new FileInfo(123, 1700000000L, 0xFFFFFFF0L, "10.0.0.1");
    assertEquals(i, StorageCodec.decodeFileInfo(StorageCodec.replyBody(i)));
    BinlogChunk c = new BinlogChunk(5, 6, "1700000000 C M00/00/00/x\n".getBytes());
    BinlogChunk back = StorageCodec.decodeBinlogChunk(StorageCodec.replyBody(c));
    assertEquals(5, back.peerNowSeconds());
    assertEquals(6, back.binlogSize());
    assertArrayEquals(c.lines(), back.lines());
    assertArrayEquals(
        new byte[] {1, 2},
        StorageCodec.replyBody(new StorageReply.RawMetadata(new byte[] {1, 2})).getBytes());
    Buffer packet = StorageCodec.encodeReply(f);
    PacketHeader h = PacketHeader.decode(packet);
    assertEquals(Command.RESP, h.command());
    assertEquals(packet.length() - PacketHeader.SIZE, h.bodyLength());
    assertEquals(0, StorageCodec.encodeReply(new StorageReply.Empty()).getLong(0));
  }

  @Test
  void fileInfoFromAnIpv6WideServerIsRead() {
    Buffer body = Buffer.buffer().appendLong(1).appendLong(2).appendLong(3);
    Wire.appendFixed(body, "fe80::1", Wire.IPV6_LEN);
    assertEquals(new FileInfo(1, 2, 3, "fe80::1"), StorageCodec.decodeFileInfo(body));
  }

  @Test
  void everyMalformedReplyLengthIsEinval() {
    for (int len = 0; len <= 16; len++) {
      int n = len;
      assertEinval(() -> StorageCodec.decodeStoredFile(Buffer.buffer(new byte[n])));
    }
    for (int len = 0; len < 100; len++) {
      if (len != 40 && len != 70) {
        int n = len;
        assertEinval(() -> StorageCodec.decodeFileInfo(Buffer.buffer(new byte[n])));
      }
    }
    for (int len = 0; len < 16; len++) {
      int n = len;
      assertEinval(() -> StorageCodec.decodeBinlogChunk(Buffer.buffer(new byte[n])));
    }
    assertEinval(
        () ->
            StorageCodec.decodeTrailer(Buffer.buffer(new byte[StorageCodec.REPLICA_TRAILER - 1])));
  }

  @Test
  void theMemberProofIsTheIdThenTheMacAndAnyOtherSizeIsRefusedAsAWrongProof() {
    Buffer body = StorageCodec.body(new PeerAuthProve(0x0102030405060708L, MAC));
    assertEquals(StorageCodec.PEER_PROOF, body.length());
    assertEquals(0x0102030405060708L, body.getLong(0));
    assertArrayEquals(MAC, body.getBytes(8, 40));
    for (int n : new int[] {0, 8, 39, 41}) {
      FdfsException x =
          assertThrows(
              FdfsException.class,
              () ->
                  StorageCodec.decode(
                      new PacketHeader(n, Command.PEER_AUTH_PROVE, (byte) 0),
                      Buffer.buffer(new byte[n])));
      assertEquals(Errno.EACCES, x.errno(), "a proof of " + n + " bytes");
    }
  }

  @Test
  void theStatusByteCarriesQueryFileInfoFlagsOnly() {
    assertEquals(1, StorageCodec.encode(new QueryFileInfo("g", NAME, true)).getByte(9));
    for (Sample s : samples()) {
      if (!(s.request() instanceof QueryFileInfo)) {
        assertEquals(0, StorageCodec.encode(s.request()).getByte(9), s.toString());
      }
    }
    assertEquals(15, StorageCodec.prefixLength(Command.UPLOAD_FILE));
  }

  private static void assertEinval(org.junit.jupiter.api.function.Executable e) {
    FdfsException x = assertThrows(FdfsException.class, e);
    assertEquals(Errno.EINVAL, x.errno());
  }
}
