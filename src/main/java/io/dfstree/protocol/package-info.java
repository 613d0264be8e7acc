/**
 * The FastDFS wire: framing ({@link io.dfstree.protocol.FrameDecoder}, and {@link
 * io.dfstree.protocol.WholeFrames} over it for ports whose requests are read whole), the packet
 * header, errno, metadata, and one record per command and reply whose bytes are laid out once:
 * storage and peer commands, the member proof included ({@link io.dfstree.protocol.StorageRequest},
 * {@link io.dfstree.protocol.StorageReply}) in {@link io.dfstree.protocol.StorageCodec}, tracker
 * commands ({@link io.dfstree.protocol.TrackerRequest}, {@link io.dfstree.protocol.TrackerReply})
 * in {@link io.dfstree.protocol.TrackerCodec}. Buffer in, Buffer out: no sockets, nothing
 * server-side; both servers, the clients, the peers and the tests' raw client use it.
 */
package io.dfstree.protocol;
