package io.dfstree.http;

import java.util.Locale;
import java.util.Map;

/** Content-Type by file extension: a small built-in table; everything else is application/octet-stream. */
public final class ContentTypes {
  public static final String DEFAULT = "application/octet-stream";

  private static final Map<String, String> TABLE = Map.ofEntries(
      Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("png", "image/png"),
      Map.entry("gif", "image/gif"), Map.entry("webp", "image/webp"), Map.entry("bmp", "image/bmp"),
      Map.entry("ico", "image/x-icon"), Map.entry("svg", "image/svg+xml"), Map.entry("tif", "image/tiff"),
      Map.entry("tiff", "image/tiff"), Map.entry("avif", "image/avif"),
      Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("log", "text/plain; charset=utf-8"),
      Map.entry("html", "text/html; charset=utf-8"), Map.entry("htm", "text/html; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"), Map.entry("csv", "text/csv; charset=utf-8"),
      Map.entry("md", "text/markdown; charset=utf-8"), Map.entry("xml", "application/xml"),
      Map.entry("js", "text/javascript; charset=utf-8"), Map.entry("json", "application/json"),
      Map.entry("pdf", "application/pdf"), Map.entry("zip", "application/zip"), Map.entry("gz", "application/gzip"),
      Map.entry("tgz", "application/gzip"), Map.entry("tar", "application/x-tar"), Map.entry("7z", "application/x-7z-compressed"),
      Map.entry("rar", "application/vnd.rar"), Map.entry("doc", "application/msword"),
      Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
      Map.entry("xls", "application/vnd.ms-excel"),
      Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
      Map.entry("ppt", "application/vnd.ms-powerpoint"),
      Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
      Map.entry("mp3", "audio/mpeg"), Map.entry("wav", "audio/wav"), Map.entry("ogg", "audio/ogg"),
      Map.entry("flac", "audio/flac"), Map.entry("m4a", "audio/mp4"), Map.entry("mp4", "video/mp4"),
      Map.entry("m4v", "video/mp4"), Map.entry("webm", "video/webm"), Map.entry("mov", "video/quicktime"),
      Map.entry("avi", "video/x-msvideo"), Map.entry("mkv", "video/x-matroska"), Map.entry("flv", "video/x-flv"),
      Map.entry("ts", "video/mp2t"), Map.entry("m3u8", "application/vnd.apple.mpegurl"),
      Map.entry("woff", "font/woff"), Map.entry("woff2", "font/woff2"), Map.entry("ttf", "font/ttf"),
      Map.entry("apk", "application/vnd.android.package-archive"), Map.entry("wasm", "application/wasm"));

  private ContentTypes() {}

  /** By the extension of {@code fileName} (text after the last dot of its last path segment). */
  public static String of(String fileName) {
    int slash = fileName.lastIndexOf('/');
    int dot = fileName.lastIndexOf('.');
    if (dot <= slash || dot == fileName.length() - 1) {
      return DEFAULT;
    }
    return TABLE.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
  }
}
