package io.dfstree.client;

/**
 * What a storage reports about a file (query file info, 22) or what a normal file's name says; the
 * answer of both clients ({@link FdfsClient} and the event-bus client).
 *
 * @param size bytes
 * @param createTime unix seconds
 * @param crc32 unsigned CRC32 of the content (0 when the server was told not to compute it)
 * @param sourceIp address of the storage that first stored the file (may be empty)
 */
public record StoredFileInfo(long size, long createTime, long crc32, String sourceIp) {}
