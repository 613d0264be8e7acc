/**
 * The storage role. Front ends reach it two ways: HTTP, WebSocket (and S3) call {@link
 * io.dfstree.storage.StorageService}; the FastDFS port is a thin {@code StorageConnection} that
 * frames and decodes a message ({@code RequestStart} decides what follows a header, one {@code
 * ConnectionExchange} holds each request's state) and hands it to {@code StorageCommands} (no
 * sockets). Every new file goes through one pipeline, {@link io.dfstree.storage.Upload}. Blobs live
 * behind the engine seam, {@link io.dfstree.storage.BlobEngine} / {@link
 * io.dfstree.storage.NewBlob}, chosen by {@link io.dfstree.storage.BlobEngines}: one file per blob
 * ({@code FileBlobEngine}) with the packed small-file engine in front of it. Files on disk: {@code
 * StoredFiles} and its rooms {@code FileChanges} (link into place, binlog line, tombstones), {@code
 * AppenderFiles}, {@code MetadataFiles}, {@code PeerChanges}, {@code PlacingNames}. Also here:
 * store paths, the binlog and tombstones, and what the storage answers its peers (replica receive,
 * binlog fetch, the member proof {@code PeerAuth}, whose bytes {@code protocol.StorageCodec} lays
 * out). What it asks of its peers (catch-up, fan-out, quorum, fetch-on-miss) sits behind the port
 * {@link io.dfstree.storage.Replication}, implemented in {@code io.dfstree.replication}, which sees
 * the store through {@link io.dfstree.storage.ReplicaStore}.
 */
package io.dfstree.storage;
