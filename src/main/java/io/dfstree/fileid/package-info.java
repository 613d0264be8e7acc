/**
 * FastDFS file IDs and names, bit-exact: {@code group/Mxx/AA/BB/name}, the encoded source id, time,
 * size and CRC32 ({@code FileName}), and trunk (packed slot) IDs ({@code TrunkId}). Pure; every ID
 * from outside is parsed here before it names a path.
 */
package io.dfstree.fileid;
