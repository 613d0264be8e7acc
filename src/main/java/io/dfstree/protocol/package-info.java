/**
 * The FastDFS wire: framing ({@link io.dfstree.protocol.FrameDecoder}), the packet header, errno,
 * metadata, and one record per storage and peer command and reply
 * ({@link io.dfstree.protocol.StorageRequest}, {@link io.dfstree.protocol.StorageReply}) whose bytes
 * are laid out once, in {@link io.dfstree.protocol.StorageCodec}. Buffer in, Buffer out: no
 * sockets, nothing server-side; the server, both clients and the peers use it.
 */
package io.dfstree.protocol;
