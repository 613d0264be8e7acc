package io.dfstree.s3;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The namespace in a SQL database over JDBC: the schema, buckets, objects and the trash here; an
 * object's row layout in {@link ObjectRows}; the connections, their pools and transactions in
 * {@link JdbcConnections}; the multipart tables in {@link MultipartRows}; SQLite's group commit in
 * {@link SqliteGroupCommit}. The namespace lives on worker threads of its own (never an event
 * loop):
 *
 * <ul>
 *   <li><b>SQLite</b> (the embedded default): one file, WAL journal with {@code synchronous=FULL},
 *       so a commit is on disk before the client is answered; it survives kill -9 and power loss.
 *       One writer connection (SQLite has one writer anyway), several readers.
 *   <li><b>PostgreSQL</b> (several machines, one namespace): row locks ({@code FOR UPDATE})
 *       serialise writers of one key; durability is the server's ({@code synchronous_commit}).
 * </ul>
 *
 * Keys compare in UTF-8 byte order in both (SQLite's BINARY collation, {@code COLLATE "C"}).
 *
 * <p>Buckets, objects and the trash stay in this one class on purpose: every change that lets go of
 * a file records it in the trash in the same transaction, so they share one connection, one lock
 * discipline and one commit.
 */
public final class JdbcNamespaceStore implements NamespaceStore {
  public enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  @FunctionalInterface
  public interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private final Dialect dialect;

  /** The connections, their worker pools, and how work runs on them. */
  private final JdbcConnections db;

  private final MultipartRows multipart = new MultipartRows(this);

  /** Recent object rows; only where this process is the namespace's one writer (SQLite). */
  private final ObjectRowCache cache;

  /** Rows the cache keeps at most (a few MB). */
  static final int CACHED_ROWS = 10_000;

  private JdbcNamespaceStore(Vertx vertx, JdbcConnections.Settings settings) throws SQLException {
    this.dialect = settings.dialect();
    this.db = new JdbcConnections(vertx, settings, this::createSchema);
    this.cache = dialect == Dialect.SQLITE ? new ObjectRowCache(CACHED_ROWS) : null;
  }

  /** Blocking: opens (creating if needed) the SQLite file at {@code file}. */
  public static JdbcNamespaceStore sqlite(Vertx vertx, Path file) throws Exception {
    Files.createDirectories(file.toAbsolutePath().getParent());
    return new JdbcNamespaceStore(
        vertx,
        new JdbcConnections.Settings(
            Dialect.SQLITE, "jdbc:sqlite:" + file.toAbsolutePath(), null, null, 1, 4));
  }

  /**
   * Blocking: connects to PostgreSQL ({@code jdbc:postgresql://host:port/db}) and creates the
   * tables if missing.
   */
  public static JdbcNamespaceStore postgresql(
      Vertx vertx, String url, String user, String password, int connections) throws Exception {
    int n = Math.max(2, connections);
    return new JdbcNamespaceStore(
        vertx,
        new JdbcConnections.Settings(Dialect.POSTGRESQL, url, user, password, n / 2, n - n / 2));
  }

  @Override
  public String describe() {
    return db.describe();
  }

  /** PostgreSQL advisory-lock key taken while creating the schema ("dfsT" in ASCII). */
  private static final long SCHEMA_LOCK = 0x64667354L;

  /** The tables and index, created when missing (on the first connection opened). */
  private Void createSchema(Connection c) throws SQLException {
    String key = dialect == Dialect.POSTGRESQL ? "TEXT COLLATE \"C\"" : "TEXT";
    try (Statement s = c.createStatement()) {
      if (dialect == Dialect.POSTGRESQL) {
        // CREATE TABLE IF NOT EXISTS is not safe against itself in PostgreSQL: two storages
        // starting at once both see no table and one fails on pg_type's unique index (seen in
        // CI). A transaction-scoped advisory lock makes the second wait for the first's commit.
        s.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
      }
      s.execute(
          "CREATE TABLE IF NOT EXISTS buckets (name "
              + key
              + " PRIMARY KEY, created_ms BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS objects (bucket "
              + key
              + " NOT NULL REFERENCES buckets(name), "
              + "object_key "
              + key
              + " NOT NULL, file_id TEXT NOT NULL, size BIGINT NOT NULL, etag TEXT NOT NULL, "
              + "content_type TEXT, meta TEXT, modified_ms BIGINT NOT NULL, manifest TEXT, PRIMARY KEY (bucket, object_key))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS uploads (upload_id TEXT PRIMARY KEY, bucket "
              + key
              + " NOT NULL REFERENCES buckets(name), object_key "
              + key
              + " NOT NULL, content_type TEXT, meta TEXT, "
              + "created_ms BIGINT NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS parts (upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE, "
              + "part_number INT NOT NULL, file_id TEXT NOT NULL, size BIGINT NOT NULL, etag TEXT NOT NULL, "
              + "PRIMARY KEY (upload_id, part_number))");
      s.execute(
          "CREATE TABLE IF NOT EXISTS trash (file_id TEXT PRIMARY KEY, freed_ms BIGINT NOT NULL)");
      s.execute("CREATE INDEX IF NOT EXISTS uploads_by_bucket ON uploads (bucket, object_key)");
    }
    c.commit();
    return null;
  }

  // ---- running work on the pools ({@link JdbcConnections}) ---------------------------------------

  private <T> Future<T> write(SqlWork<T> work) {
    return db.write(work);
  }

  private <T> Future<T> read(SqlWork<T> work) {
    return db.read(work);
  }

  String forUpdate() {
    return db.forUpdate();
  }

  private String forShare() {
    return db.forShare();
  }

  // ---- buckets
  // ---------------------------------------------------------------------------------------

  @Override
  public Future<List<Bucket>> listBuckets() {
    return read(
        c -> {
          List<Bucket> out = new ArrayList<>();
          try (PreparedStatement ps =
                  c.prepareStatement("SELECT name, created_ms FROM buckets ORDER BY name");
              ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new Bucket(rs.getString(1), rs.getLong(2)));
            }
          }
          return out;
        });
  }

  @Override
  public Future<Void> createBucket(String name, long nowMillis) {
    return write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO buckets (name, created_ms) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
            ps.setString(1, name);
            ps.setLong(2, nowMillis);
            if (ps.executeUpdate() == 0) {
              throw new S3Exception(
                  409,
                  "BucketAlreadyOwnedByYou",
                  "Your previous request to create the named bucket succeeded and you already own it: "
                      + name);
            }
          }
          return null;
        });
  }

  @Override
  public Future<Optional<Bucket>> bucket(String name) {
    return read(c -> Optional.ofNullable(bucketRow(c, name, "")));
  }

  private static Bucket bucketRow(Connection c, String name, String lock) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT name, created_ms FROM buckets WHERE name = ?" + lock)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Bucket(rs.getString(1), rs.getLong(2)) : null;
      }
    }
  }

  void requireBucket(Connection c, String name) throws SQLException {
    if (bucketRow(c, name, forShare()) == null) {
      throw S3Exception.noSuchBucket(name);
    }
  }

  @Override
  public Future<Void> deleteBucket(String name) {
    return write(
        c -> {
          if (bucketRow(c, name, forUpdate()) == null) {
            throw S3Exception.noSuchBucket(name);
          }
          if (exists(c, "SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", name)
              || exists(c, "SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1", name)) {
            throw new S3Exception(
                409, "BucketNotEmpty", "The bucket you tried to delete is not empty: " + name);
          }
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM buckets WHERE name = ?")) {
            ps.setString(1, name);
            ps.executeUpdate();
          }
          return null;
        });
  }

  private static boolean exists(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  // ---- objects
  // ---------------------------------------------------------------------------------------

  @Override
  public Future<Optional<ObjectEntry>> object(String bucket, String key) {
    if (cache == null) {
      return read(c -> Optional.ofNullable(objectRow(c, bucket, key, "")));
    }
    ObjectEntry cached = cache.get(bucket, key);
    if (cached != null) {
      return Future.succeededFuture(Optional.of(cached));
    }
    long started = cache.readStarts();
    return read(c -> Optional.ofNullable(objectRow(c, bucket, key, "")))
        .andThen(ar -> cache.read(started, ar.succeeded() ? ar.result().orElse(null) : null));
  }

  /**
   * Runs {@code work}, a change of object {@code bucket}/{@code key}, keeping the row cache right:
   * the key is dropped when the change runs on the writer and set to {@code after} (null: dropped)
   * once it is committed, before the caller hears of it.
   */
  private <T> Future<T> changeObject(
      String bucket, String key, ObjectEntry after, SqlWork<T> work) {
    if (cache == null) {
      return write(work);
    }
    long[] order = {0};
    return write(
            (SqlWork<T>)
                c -> {
                  order[0] = cache.writing(bucket, key);
                  return work.run(c);
                })
        .andThen(ar -> cache.written(bucket, key, order[0], ar.succeeded() ? after : null));
  }

  private static ObjectEntry objectRow(Connection c, String bucket, String key, String lock)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + ObjectRows.COLUMNS
                + " FROM objects WHERE bucket = ? AND object_key = ?"
                + lock)) {
      ps.setString(1, bucket);
      ps.setString(2, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? ObjectRows.entry(rs) : null;
      }
    }
  }

  @Override
  public Future<List<String>> putObject(ObjectEntry e) {
    return changeObject(
        e.bucket(),
        e.key(),
        e,
        c -> {
          requireBucket(c, e.bucket());
          List<String> freed = replaceObject(c, e);
          trash(c, freed);
          return freed;
        });
  }

  /** Inserts or replaces the row; returns the replaced object's files. */
  List<String> replaceObject(Connection c, ObjectEntry e) throws SQLException {
    ObjectEntry old = objectRow(c, e.bucket(), e.key(), forUpdate());
    if (old == null) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO objects ("
                  + ObjectRows.COLUMNS
                  + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bucket, object_key) DO NOTHING")) {
        ObjectRows.bind(ps, e);
        if (ps.executeUpdate() == 1) {
          return List.of();
        }
      }
      // another writer inserted it meanwhile: lock it and replace it
      old = objectRow(c, e.bucket(), e.key(), forUpdate());
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE objects SET bucket = ?, object_key = ?, file_id = ?, size = ?, "
                + "etag = ?, content_type = ?, meta = ?, modified_ms = ?, manifest = ? WHERE bucket = ? AND object_key = ?")) {
      ObjectRows.bind(ps, e);
      ps.setString(10, e.bucket());
      ps.setString(11, e.key());
      ps.executeUpdate();
    }
    List<String> freed = new ArrayList<>(old == null ? List.of() : old.fileIds());
    freed.removeAll(e.fileIds()); // never trash what the new entry owns
    return freed;
  }

  @Override
  public Future<List<String>> deleteObject(String bucket, String key) {
    return changeObject(
        bucket,
        key,
        null,
        c -> {
          requireBucket(c, bucket);
          ObjectEntry old = objectRow(c, bucket, key, forUpdate());
          if (old == null) {
            return List.of();
          }
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM objects WHERE bucket = ? AND object_key = ?")) {
            ps.setString(1, bucket);
            ps.setString(2, key);
            ps.executeUpdate();
          }
          trash(c, old.fileIds());
          return old.fileIds();
        });
  }

  @Override
  public Future<List<ObjectEntry>> scan(String bucket, String after, boolean inclusive, int limit) {
    return read(
        c -> {
          String sql =
              "SELECT "
                  + ObjectRows.COLUMNS
                  + " FROM objects WHERE bucket = ?"
                  + (after == null
                      ? ""
                      : inclusive ? " AND object_key >= ?" : " AND object_key > ?")
                  + " ORDER BY object_key LIMIT ?";
          List<ObjectEntry> out = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, bucket);
            if (after != null) {
              ps.setString(i++, after);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(ObjectRows.entry(rs));
              }
            }
          }
          return out;
        });
  }

  // ---- multipart (the SQL is in MultipartRows)
  // -------------------------------------------------------

  @Override
  public Future<Void> createUpload(MultipartUpload u) {
    return write(c -> multipart.createUpload(c, u));
  }

  @Override
  public Future<Optional<MultipartUpload>> upload(String uploadId) {
    return read(c -> Optional.ofNullable(MultipartRows.uploadRow(c, uploadId, "")));
  }

  @Override
  public Future<List<MultipartUpload>> uploads(String bucket) {
    return read(c -> MultipartRows.uploads(c, bucket));
  }

  @Override
  public Future<List<String>> putPart(String uploadId, Part p) {
    return write(c -> multipart.putPart(c, uploadId, p));
  }

  @Override
  public Future<List<Part>> parts(String uploadId) {
    return read(c -> MultipartRows.parts(c, uploadId));
  }

  @Override
  public Future<List<String>> completeUpload(String uploadId, ObjectEntry entry) {
    return changeObject(
        entry.bucket(), entry.key(), null, c -> multipart.complete(c, uploadId, entry));
  }

  @Override
  public Future<List<String>> abortUpload(String uploadId) {
    return write(c -> multipart.abort(c, uploadId));
  }

  // ---- trash
  // -----------------------------------------------------------------------------------------

  static void trash(Connection c, List<String> fileIds) throws SQLException {
    if (fileIds.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO trash (file_id, freed_ms) VALUES (?, ?) ON CONFLICT (file_id) DO NOTHING")) {
      long now = System.currentTimeMillis();
      for (String id : fileIds) {
        if (id == null || id.isEmpty()) {
          continue;
        }
        ps.setString(1, id);
        ps.setLong(2, now);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Override
  public Future<List<String>> trash(int limit) {
    return read(
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement("SELECT file_id FROM trash ORDER BY freed_ms LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(rs.getString(1));
              }
            }
          }
          return out;
        });
  }

  @Override
  public Future<Void> forget(List<String> fileIds) {
    if (fileIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return write(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM trash WHERE file_id = ?")) {
            for (String id : fileIds) {
              ps.setString(1, id);
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  @Override
  public void close() {
    db.close();
  }
}
