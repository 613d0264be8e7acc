package io.dfstree.s3;

import io.dfstree.s3.NamespaceStore.MultipartUpload;
import io.dfstree.s3.NamespaceStore.ObjectEntry;
import io.dfstree.s3.NamespaceStore.Part;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The multipart tables ({@code uploads}, {@code parts}) of {@link JdbcNamespaceStore}: each method
 * is the body of one transaction, run by the store on one of its connections (it commits, retries
 * and picks the pool). Completing an upload writes the object's row through the store, so objects
 * stay in one place.
 */
final class MultipartRows {
  private final JdbcNamespaceStore store;

  MultipartRows(JdbcNamespaceStore store) {
    this.store = store;
  }

  Void createUpload(Connection c, MultipartUpload u) throws SQLException {
    store.requireBucket(c, u.bucket());
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO uploads (upload_id, bucket, object_key, content_type, meta, "
                + "created_ms) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, u.uploadId());
      ps.setString(2, u.bucket());
      ps.setString(3, u.key());
      ps.setString(4, u.contentType());
      ps.setString(5, ObjectRows.encodeMeta(u.meta()));
      ps.setLong(6, u.createdMillis());
      ps.executeUpdate();
    }
    return null;
  }

  static MultipartUpload uploadRow(Connection c, String uploadId, String lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT upload_id, bucket, object_key, content_type, meta, created_ms "
                + "FROM uploads WHERE upload_id = ?"
                + lock)) {
      ps.setString(1, uploadId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? upload(rs) : null;
      }
    }
  }

  private static MultipartUpload upload(ResultSet rs) throws SQLException {
    return new MultipartUpload(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        ObjectRows.decodeMeta(rs.getString(5)),
        rs.getLong(6));
  }

  static List<MultipartUpload> uploads(Connection c, String bucket) throws SQLException {
    List<MultipartUpload> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT upload_id, bucket, object_key, content_type, meta, created_ms "
                + "FROM uploads WHERE bucket = ? ORDER BY object_key, created_ms LIMIT 10000")) {
      ps.setString(1, bucket);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(upload(rs));
        }
      }
    }
    return out;
  }

  private MultipartUpload lockUpload(Connection c, String uploadId) throws SQLException {
    MultipartUpload u = uploadRow(c, uploadId, store.forUpdate());
    if (u == null) {
      throw S3Exception.noSuchUpload(uploadId);
    }
    return u;
  }

  List<String> putPart(Connection c, String uploadId, Part p) throws SQLException {
    lockUpload(c, uploadId);
    String old = null;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT file_id FROM parts WHERE upload_id = ? AND part_number = ?")) {
      ps.setString(1, uploadId);
      ps.setInt(2, p.number());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          old = rs.getString(1);
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            old == null
                ? "INSERT INTO parts (file_id, size, etag, upload_id, part_number) VALUES (?, ?, ?, ?, ?)"
                : "UPDATE parts SET file_id = ?, size = ?, etag = ? WHERE upload_id = ? AND part_number = ?")) {
      ps.setString(1, p.fileId());
      ps.setLong(2, p.size());
      ps.setString(3, p.etag());
      ps.setString(4, uploadId);
      ps.setInt(5, p.number());
      ps.executeUpdate();
    }
    List<String> freed = old == null || old.equals(p.fileId()) ? List.of() : List.of(old);
    JdbcNamespaceStore.trash(c, freed);
    return freed;
  }

  static List<Part> parts(Connection c, String uploadId) throws SQLException {
    if (uploadRow(c, uploadId, "") == null) {
      throw S3Exception.noSuchUpload(uploadId);
    }
    return partRows(c, uploadId);
  }

  private static List<Part> partRows(Connection c, String uploadId) throws SQLException {
    List<Part> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT part_number, file_id, size, etag FROM parts WHERE upload_id = ? "
                + "ORDER BY part_number")) {
      ps.setString(1, uploadId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Part(rs.getInt(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
        }
      }
    }
    return out;
  }

  List<String> complete(Connection c, String uploadId, ObjectEntry entry) throws SQLException {
    lockUpload(c, uploadId);
    store.requireBucket(c, entry.bucket());
    List<String> freed = new ArrayList<>();
    for (Part p : partRows(c, uploadId)) {
      if (!entry.fileIds().contains(p.fileId())) {
        freed.add(p.fileId());
      }
    }
    deleteUploadRows(c, uploadId);
    freed.addAll(store.replaceObject(c, entry));
    JdbcNamespaceStore.trash(c, freed);
    return freed;
  }

  List<String> abort(Connection c, String uploadId) throws SQLException {
    lockUpload(c, uploadId);
    List<String> freed = partRows(c, uploadId).stream().map(Part::fileId).toList();
    deleteUploadRows(c, uploadId);
    JdbcNamespaceStore.trash(c, freed);
    return freed;
  }

  private static void deleteUploadRows(Connection c, String uploadId) throws SQLException {
    for (String sql :
        new String[] {
          "DELETE FROM parts WHERE upload_id = ?", "DELETE FROM uploads WHERE upload_id = ?"
        }) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, uploadId);
        ps.executeUpdate();
      }
    }
  }
}
