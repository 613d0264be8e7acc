package io.dfstree.storage;

/**
 * What a storage reports to its metrics as requests finish, whatever protocol carried them ({@code
 * fdfs}, {@code http}, {@code ws}). Called on event loops: implementations must be cheap and
 * thread-safe.
 */
public interface StorageEvents {
  StorageEvents NONE = new StorageEvents() {};

  /** A new file was stored (or failed to be). */
  default void upload(String protocol, boolean ok, long bytes, long nanos) {}

  /** A file (or a range of it) was sent (or failed to be). */
  default void download(String protocol, boolean ok, long bytes, long nanos) {}

  /** A request failed with this FastDFS errno. */
  default void error(String protocol, int errno) {}
}
