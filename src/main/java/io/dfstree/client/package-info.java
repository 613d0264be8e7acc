/**
 * The blocking FastDFS client (tracker and storage sessions, {@code FdfsClient}) on the same codecs
 * as the server. Depends on nothing server-side (ArchitectureTest holds it).
 */
package io.dfstree.client;
