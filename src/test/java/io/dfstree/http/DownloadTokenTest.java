package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.csource.fastdfs.ProtoCommon;
import org.junit.jupiter.api.Test;

class DownloadTokenTest {
  static final String NAME = "M00/00/00/wKgBaFxyz0123456789abcdefghi.jpg";

  @Test
  void sameTokenAsTheOfficialJavaClient() throws Exception {
    assertEquals(
        ProtoCommon.getToken(NAME, 1700000000, "secret"),
        DownloadToken.sign(NAME, "secret", 1700000000L));
  }

  @Test
  void verdicts() {
    String t = DownloadToken.sign(NAME, "s", 1000);
    assertEquals(DownloadToken.Verdict.OK, DownloadToken.check(NAME, "s", 600, t, "1000", 1500));
    assertEquals(
        DownloadToken.Verdict.EXPIRED, DownloadToken.check(NAME, "s", 600, t, "1000", 1601));
    assertEquals(
        DownloadToken.Verdict.OK,
        DownloadToken.check(NAME, "s", 600, t, "1000", 10)); // future ts accepted
    assertEquals(
        DownloadToken.Verdict.BAD,
        DownloadToken.check(NAME, "s", 600, t.toUpperCase(), "1000", 1500));
    assertEquals(
        DownloadToken.Verdict.BAD, DownloadToken.check(NAME, "other", 600, t, "1000", 1500));
    assertEquals(
        DownloadToken.Verdict.MISSING, DownloadToken.check(NAME, "s", 600, null, "1000", 1500));
    assertEquals(
        DownloadToken.Verdict.MALFORMED, DownloadToken.check(NAME, "s", 600, t, "x", 1500));
    String zero = DownloadToken.sign(NAME, "s", 0);
    assertEquals(
        DownloadToken.Verdict.OK,
        DownloadToken.check(NAME, "s", 600, zero, "0", Long.MAX_VALUE / 2));
  }

  @Test
  void contentTypesAndConditionals() {
    assertEquals("image/jpeg", ContentTypes.of("M00/00/00/abc.JPG"));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of("M00/00/00/abc"));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of("M00/00/00/abc.unknownext"));
    String etag = Conditional.etag(10, 20, 30);
    assertEquals(true, Conditional.notModified("W/" + etag, null, etag, 20));
    assertEquals(
        false, Conditional.notModified("\"x\"", Conditional.httpDate(30), etag, 20)); // ETag wins
    assertEquals(true, Conditional.notModified(null, Conditional.httpDate(30), etag, 20));
    assertEquals(false, Conditional.notModified(null, "garbage", etag, 20));
  }
}
