package io.dfstree.storage;

import io.dfstree.fileid.FileName;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The end of every new upload, whatever protocol brought it: name the file to the peers and count their copies. */
final class WriteQuorum {
  private static final Logger LOG = LoggerFactory.getLogger(WriteQuorum.class);

  private WriteQuorum() {}

  /**
   * Names the file to the peers and waits for their copies. Fewer acknowledgements than the
   * quorum: accepted with a warning (peers catch up from the binlog), or, when the group
   * refuses degraded writes, the local copy is removed and the caller gets an error.
   */
  static Future<String> await(StorageNode node, Context ctx, ReplicaFanout f, String remoteName) {
    if (f == null) {
      return Future.succeededFuture(remoteName);
    }
    StoredFiles files = node.files;
    long mtime = FileName.decode(remoteName).createTime() & 0xFFFFFFFFL;
    return f.finish(remoteName, mtime).compose(acks -> {
      if (acks >= f.required() && acks >= node.options.writeQuorum() - 1) {
        return Future.succeededFuture(remoteName);
      }
      int copies = acks + 1;
      if ("refuse".equals(node.options.whenDegraded())) {
        LOG.warn("storage: upload {} reached {} of {} copies; refused and removed", remoteName, copies, node.options.writeQuorum());
        return files.retract(ctx, files.validate(files.group(), remoteName)).transform(x ->
            Future.failedFuture(new FdfsException(Errno.EIO, "write quorum not reached (" + copies + " of "
                + node.options.writeQuorum() + " copies)")));
      }
      LOG.warn("storage: upload {} acknowledged with {} of {} copies (degraded); peers will catch up",
          remoteName, copies, node.options.writeQuorum());
      return Future.succeededFuture(remoteName);
    });
  }
}
