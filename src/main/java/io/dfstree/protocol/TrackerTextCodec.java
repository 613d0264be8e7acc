package io.dfstree.protocol;

import io.dfstree.protocol.TrackerReply.Leader;
import io.dfstree.protocol.TrackerReply.Parameters;
import io.dfstree.protocol.TrackerReply.StorageId;
import io.dfstree.protocol.TrackerReply.StorageIds;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracker answers whose bodies are ASCII text rather than fixed fields, both directions
 * (fastdfs-protocol.md §2): 69 storage ids ({@code <id> <group> <host>:<port>} lines after two
 * counts), 75 parameters ({@code name=value} lines) and 95 leader ({@code host:port}). {@link
 * TrackerCodec} dispatches here.
 */
final class TrackerTextCodec {
  private TrackerTextCodec() {}

  /** 69 answer body. */
  static Buffer storageIdsBody(StorageIds ids) {
    StringBuilder lines = new StringBuilder();
    for (StorageId s : ids.ids()) {
      lines
          .append(s.id())
          .append(' ')
          .append(s.group())
          .append(' ')
          .append(s.host())
          .append(':')
          .append(s.port())
          .append('\n');
    }
    return Buffer.buffer()
        .appendInt(ids.total())
        .appendInt(ids.ids().size())
        .appendBytes(lines.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** 75 answer body. */
  static Buffer parametersBody(Parameters p) {
    StringBuilder text = new StringBuilder();
    p.values().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    return Buffer.buffer(text.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** 95 answer body. */
  static Buffer leaderBody(Leader l) {
    String h = l.host().contains(":") ? "[" + l.host() + "]" : l.host();
    return Buffer.buffer((h + ":" + l.port()).getBytes(StandardCharsets.US_ASCII));
  }

  /** 69: i32 total, i32 count, then {@code <id> <group> <host>:<port>} lines. */
  static StorageIds decodeStorageIds(Buffer body) {
    if (body.length() < 8) {
      throw FdfsException.invalid(
          "storage ids answer of " + body.length() + " bytes is shorter than 8");
    }
    int total = body.getInt(0);
    int count = body.getInt(4);
    List<StorageId> ids = new ArrayList<>();
    for (String line : text(body, 8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(" +");
      int colon = f.length < 3 ? -1 : f[2].lastIndexOf(':');
      if (colon < 0) {
        throw FdfsException.invalid("storage ids line is not <id> <group> <host>:<port>: " + line);
      }
      ids.add(
          new StorageId(
              f[0], f[1], unbracket(f[2].substring(0, colon)), port(f[2].substring(colon + 1))));
    }
    if (ids.size() != count || total < count) {
      throw FdfsException.invalid(
          "storage ids answer counts " + count + " of " + total + " but carries " + ids.size());
    }
    return new StorageIds(total, ids);
  }

  /** 75: {@code name=value} lines. */
  static Parameters decodeParameters(Buffer body) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : text(body, 0).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1));
      } else if (!line.isBlank()) {
        throw FdfsException.invalid("parameter line without '=': " + line);
      }
    }
    return new Parameters(values);
  }

  /** 95: {@code host:port}, IPv6 hosts in brackets. */
  static Leader decodeLeader(Buffer body) {
    String text = text(body, 0);
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw FdfsException.invalid("leader answer is not host:port: " + text);
    }
    return new Leader(unbracket(text.substring(0, colon)), port(text.substring(colon + 1)));
  }

  private static String text(Buffer body, int from) {
    return body.getString(from, body.length(), "US-ASCII");
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int port(String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw FdfsException.invalid("port is not a number: " + text);
    }
  }
}
