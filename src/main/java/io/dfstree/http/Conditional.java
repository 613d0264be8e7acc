package io.dfstree.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Validators of a stored file (ETag, Last-Modified) and the conditional GET that answers 304. */
public final class Conditional {
  private Conditional() {}

  /**
   * A strong ETag from what identifies the bytes: size, mtime and (when known) the CRC32 in the
   * name.
   */
  public static String etag(long size, long mtimeSeconds, long crc32) {
    return "\""
        + Long.toHexString(size)
        + "-"
        + Long.toHexString(mtimeSeconds)
        + (crc32 >= 0 ? "-" + Long.toHexString(crc32) : "")
        + "\"";
  }

  public static String httpDate(long epochSeconds) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.ofInstant(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
  }

  /**
   * True when the client's copy is current: If-None-Match (which wins when present, RFC 9110
   * §13.2.2) lists this ETag or {@code *}; else If-Modified-Since is at or after the mtime.
   */
  public static boolean notModified(
      String ifNoneMatch, String ifModifiedSince, String etag, long mtimeSeconds) {
    if (ifNoneMatch != null) {
      for (String t : ifNoneMatch.split(",")) {
        String tag = t.trim();
        if (tag.startsWith("W/")) {
          tag = tag.substring(2); // weak comparison for GET
        }
        if (tag.equals("*") || tag.equals(etag)) {
          return true;
        }
      }
      return false;
    }
    if (ifModifiedSince != null) {
      try {
        long since =
            ZonedDateTime.parse(ifModifiedSince.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                .toEpochSecond();
        return mtimeSeconds <= since;
      } catch (DateTimeParseException e) {
        return false; // invalid date: ignore the header
      }
    }
    return false;
  }

  /** {@code attachment} with a quoted ASCII fallback name and the exact name in RFC 5987 form. */
  public static String attachment(String filename) {
    StringBuilder ascii = new StringBuilder();
    StringBuilder encoded = new StringBuilder();
    for (byte b : filename.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-._~".indexOf(c) >= 0;
      encoded.append(plain ? String.valueOf((char) c) : String.format("%%%02X", c));
    }
    for (char c : filename.toCharArray()) {
      ascii.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? c : '_');
    }
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }
}
