package io.dfstree.s3;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where S3's names live: buckets, and bucket + key → the FastDFS file(s) holding the bytes with the
 * object's metadata; multipart uploads in progress; and the files that names no longer point to
 * ("trash"), recorded in the same transaction that let go of them so a crash between the commit and
 * the file delete leaks nothing (the next sweep deletes them).
 *
 * <p>Every change is committed durably before its future completes. Failures are {@link
 * S3Exception}s where S3 has a code for them (NoSuchBucket, BucketNotEmpty, NoSuchUpload,
 * BucketAlreadyOwnedByYou). The console (or any other caller) can browse through this interface
 * without speaking S3.
 */
public interface NamespaceStore extends AutoCloseable {

  record Bucket(String name, long createdMillis) {}

  /** One part of a multipart object or upload. */
  record Part(int number, String fileId, long size, String etag) {}

  /**
   * An object: one FastDFS file ({@code parts} empty), or the parts of a completed multipart upload
   * read in order ({@code fileId} empty).
   */
  record ObjectEntry(
      String bucket,
      String key,
      String fileId,
      long size,
      String etag,
      String contentType,
      Map<String, String> meta,
      long modifiedMillis,
      List<Part> parts) {
    public boolean multipart() {
      return !parts.isEmpty();
    }

    /** Every file the object owns. */
    public List<String> fileIds() {
      return parts.isEmpty() ? List.of(fileId) : parts.stream().map(Part::fileId).toList();
    }
  }

  record MultipartUpload(
      String uploadId,
      String bucket,
      String key,
      String contentType,
      Map<String, String> meta,
      long createdMillis) {}

  Future<List<Bucket>> listBuckets();

  /** Creates a bucket; BucketAlreadyOwnedByYou when it exists. */
  Future<Void> createBucket(String name, long nowMillis);

  Future<Optional<Bucket>> bucket(String name);

  /** Deletes an empty bucket: NoSuchBucket, or BucketNotEmpty when objects or uploads remain. */
  Future<Void> deleteBucket(String name);

  Future<Optional<ObjectEntry>> object(String bucket, String key);

  /**
   * Creates or replaces an object; returns the files the replaced object owned (now in the trash).
   */
  Future<List<String>> putObject(ObjectEntry entry);

  /**
   * Removes an object; returns the files it owned (now in the trash), empty when there was none.
   */
  Future<List<String>> deleteObject(String bucket, String key);

  /**
   * Up to {@code limit} objects of a bucket in key order (UTF-8 byte order), from {@code from}
   * (inclusive or not; null: from the start).
   */
  Future<List<ObjectEntry>> scan(String bucket, String from, boolean inclusive, int limit);

  Future<Void> createUpload(MultipartUpload upload);

  Future<Optional<MultipartUpload>> upload(String uploadId);

  /** Multipart uploads in progress in a bucket, by key then creation. */
  Future<List<MultipartUpload>> uploads(String bucket);

  /**
   * Records a part (replacing a part of the same number, whose file goes to the trash);
   * NoSuchUpload.
   */
  Future<List<String>> putPart(String uploadId, Part part);

  Future<List<Part>> parts(String uploadId);

  /**
   * Turns an upload into {@code entry} (whose parts must be parts of the upload): parts not used
   * and the object it replaces go to the trash, whose files are returned. NoSuchUpload.
   */
  Future<List<String>> completeUpload(String uploadId, ObjectEntry entry);

  /** Drops an upload; its parts go to the trash and are returned. NoSuchUpload. */
  Future<List<String>> abortUpload(String uploadId);

  /** Files waiting to be deleted (left by a crash, or by a delete that failed). */
  Future<List<String>> trash(int limit);

  /** The files were deleted from storage: drop them from the trash. */
  Future<Void> forget(List<String> fileIds);

  /** What the store guarantees, for the banner and logs. */
  String describe();

  @Override
  void close();
}
