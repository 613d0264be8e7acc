/**
 * The storage role. Front ends reach it two ways: HTTP, WebSocket (and S3) call
 * {@link io.dfstree.storage.StorageService}; the FastDFS port is a thin
 * {@code StorageConnection} that decodes a message and hands it to {@code StorageCommands}
 * (no sockets). Every new file goes through one pipeline, {@link io.dfstree.storage.Upload}.
 * Blobs live behind the engine seam, {@link io.dfstree.storage.BlobEngine} /
 * {@link io.dfstree.storage.NewBlob}, chosen by {@link io.dfstree.storage.BlobEngines}: today one
 * file per blob ({@code FileBlobEngine}); a packed small-file engine goes in front of it.
 * Also here: store paths, the binlog, and catch-up, fetch-on-miss and quorum fan-out
 * ({@code Replicator}, {@code ReplicaFanout}, {@code PeerPool}), which still use the store's
 * package-private parts.
 */
package io.dfstree.storage;
