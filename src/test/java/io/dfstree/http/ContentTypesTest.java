package io.dfstree.http;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Content types come from Vert.x's MimeMapping, plus a few extensions it lacks; text is UTF-8. */
class ContentTypesTest {

  @Test
  void everyExtensionTheOldBuiltInTableKnewStillHasAType() {
    String[] known =
        ("jpg jpeg png gif webp bmp ico svg tif tiff avif txt log html htm css csv md xml js json pdf "
                + "zip gz tgz tar 7z rar doc docx xls xlsx ppt pptx mp3 wav ogg flac m4a mp4 m4v webm mov avi mkv flv ts "
                + "m3u8 woff woff2 ttf apk wasm")
            .split(" ");
    for (String ext : known) {
      assertNotEquals(ContentTypes.DEFAULT, ContentTypes.of("M00/00/00/f." + ext), ext);
    }
  }

  @Test
  void commonTypesAsBrowsersExpectThem() {
    assertEquals("image/jpeg", ContentTypes.of("M00/00/00/a.jpg"));
    assertEquals("image/png", ContentTypes.of("a.PNG"));
    assertEquals("video/mp4", ContentTypes.of("a.mp4"));
    assertEquals("application/pdf", ContentTypes.of("a.pdf"));
    assertEquals("application/json", ContentTypes.of("a.json"));
    assertEquals("image/svg+xml", ContentTypes.of("a.svg"));
  }

  @Test
  void textTypesCarryUtf8() {
    assertEquals("text/plain; charset=utf-8", ContentTypes.of("a.txt"));
    assertEquals("text/html; charset=utf-8", ContentTypes.of("a.html"));
    assertEquals("text/javascript; charset=utf-8", ContentTypes.of("a.js"));
    assertEquals("text/markdown; charset=utf-8", ContentTypes.of("a.md"));
  }

  @Test
  void extensionsVertxLacksComeFromOurShortList() {
    assertEquals("image/avif", ContentTypes.of("a.avif"));
    assertEquals("application/gzip", ContentTypes.of("a.tar.gz"));
    assertEquals("video/mp2t", ContentTypes.of("seg-001.ts"));
  }

  @Test
  void noExtensionADotInADirectoryOrATrailingDotIsOctetStream() {
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of("M00/00/00/abc"));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of("M00/a.b/abc"));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of("abc."));
    assertEquals(ContentTypes.DEFAULT, ContentTypes.of("abc.unknownext"));
  }
}
