/**
 * The S3 API: {@code S3Api} routes to object and multipart operations, SigV4 and aws-chunked
 * decoding (pure), and the bucket/key namespace kept in SQLite or PostgreSQL ({@code
 * NamespaceStore}). It reaches stored bytes only through {@code StorageServiceBytes}.
 */
package io.dfstree.s3;
