/**
 * The packed small-file store under {@code storage.PackedBlobEngine}: volumes of slots (header,
 * bytes) appended with one group commit per batch ({@code BatchCommitter}), the in-memory index
 * rebuilt from the volumes on start, compaction and hole punching. Knows files and offsets, not the
 * protocol.
 */
package io.dfstree.storage.packed;
