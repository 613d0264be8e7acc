package io.dfstree.s3;

import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.dfstree.s3.NamespaceStore.Part;
import io.vertx.core.json.JsonObject;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How an object is laid out in a row of the {@code objects} table, the same in SQLite and
 * PostgreSQL: the column list, binding an entry to an INSERT/UPDATE and reading one back, and the
 * text encodings of the two structured columns (user metadata as JSON, a multipart object's parts
 * one per line). The transactions around them stay in {@link JdbcNamespaceStore}.
 */
final class ObjectRows {
  private ObjectRows() {}

  static final String COLUMNS =
      "bucket, object_key, file_id, size, etag, content_type, meta, modified_ms, manifest";

  static ObjectEntry entry(ResultSet rs) throws SQLException {
    return new ObjectEntry(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getLong(4),
        rs.getString(5),
        rs.getString(6),
        decodeMeta(rs.getString(7)),
        rs.getLong(8),
        decodeManifest(rs.getString(9)));
  }

  static void bind(PreparedStatement ps, ObjectEntry e) throws SQLException {
    ps.setString(1, e.bucket());
    ps.setString(2, e.key());
    ps.setString(3, e.fileId());
    ps.setLong(4, e.size());
    ps.setString(5, e.etag());
    ps.setString(6, e.contentType());
    ps.setString(7, encodeMeta(e.meta()));
    ps.setLong(8, e.modifiedMillis());
    ps.setString(9, e.parts().isEmpty() ? null : encodeManifest(e.parts()));
  }

  static String encodeMeta(Map<String, String> meta) {
    return meta == null || meta.isEmpty()
        ? null
        : new JsonObject(new LinkedHashMap<>(meta)).encode();
  }

  static Map<String, String> decodeMeta(String s) {
    if (s == null || s.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    new JsonObject(s).forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    return out;
  }

  /** One line per part: {@code number size etag fileId}. */
  static String encodeManifest(List<Part> parts) {
    StringBuilder sb = new StringBuilder();
    for (Part p : parts) {
      sb.append(p.number())
          .append(' ')
          .append(p.size())
          .append(' ')
          .append(p.etag())
          .append(' ')
          .append(p.fileId())
          .append('\n');
    }
    return sb.toString();
  }

  static List<Part> decodeManifest(String s) {
    if (s == null || s.isEmpty()) {
      return List.of();
    }
    List<Part> out = new ArrayList<>();
    for (String line : s.split("\n")) {
      String[] f = line.split(" ", 4);
      out.add(new Part(Integer.parseInt(f[0]), f[3], Long.parseLong(f[1]), f[2]));
    }
    return out;
  }
}
