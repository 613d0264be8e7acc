package io.dfstree.http;

import io.vertx.core.http.MimeMapping;
import java.util.Locale;
import java.util.Map;

/**
 * Content-Type by file extension, from Vert.x's {@link MimeMapping} table plus the few common
 * extensions it lacks; text types are served as UTF-8. Everything else is application/octet-stream.
 */
public final class ContentTypes {
  public static final String DEFAULT = "application/octet-stream";

  /** Extensions Vert.x's table does not know (checked against Vert.x 5.1). */
  private static final Map<String, String> MISSING_FROM_VERTX =
      Map.of(
          "avif",
          "image/avif",
          "md",
          "text/markdown",
          "gz",
          "application/gzip",
          "tgz",
          "application/gzip",
          "ts",
          "video/mp2t");

  private ContentTypes() {}

  /**
   * By the extension of {@code fileName} (text after the last dot of its last path segment), in any
   * case.
   */
  public static String of(String fileName) {
    int slash = fileName.lastIndexOf('/');
    int dot = fileName.lastIndexOf('.');
    if (dot <= slash || dot == fileName.length() - 1) {
      return DEFAULT;
    }
    String ext = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    String type = MimeMapping.mimeTypeForExtension(ext);
    if (type == null) {
      type = MISSING_FROM_VERTX.getOrDefault(ext, DEFAULT);
    }
    return type.startsWith("text/") ? type + "; charset=utf-8" : type;
  }
}
