package io.dfstree.client.eventbus;

/**
 * What the storage reports about a file (FastDFS query file info).
 *
 * @param size       bytes
 * @param createTime unix seconds
 * @param crc32      unsigned CRC32 of the content
 * @param sourceIp   address of the storage that first stored the file (may be empty)
 */
public record FileInfo(long size, long createTime, long crc32, String sourceIp) {}
