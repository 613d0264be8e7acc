/**
 * The {@code dfstree} command line (picocli): serve, upload, download, delete, meta, info, monitor,
 * and the benchmark commands. Uses everything; nothing uses it.
 */
package io.dfstree.cli;
