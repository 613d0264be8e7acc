package io.dfstree.tracker;

import io.dfstree.config.TrackerOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.PacketHeader;
import io.dfstree.protocol.StorageStat;
import io.dfstree.protocol.TrackerCodec;
import io.dfstree.protocol.TrackerReply;
import io.dfstree.protocol.TrackerReply.GroupStats;
import io.dfstree.protocol.TrackerReply.StorageStats;
import io.dfstree.protocol.TrackerRequest;
import io.dfstree.protocol.TrackerRequest.ActiveTest;
import io.dfstree.protocol.TrackerRequest.DeleteStorage;
import io.dfstree.protocol.TrackerRequest.FetchStorageIds;
import io.dfstree.protocol.TrackerRequest.GetLeader;
import io.dfstree.protocol.TrackerRequest.GetParameters;
import io.dfstree.protocol.TrackerRequest.ListGroups;
import io.dfstree.protocol.TrackerRequest.ListOneGroup;
import io.dfstree.protocol.TrackerRequest.ListStorages;
import io.dfstree.protocol.TrackerRequest.QueryFetch;
import io.dfstree.protocol.TrackerRequest.QueryStore;
import io.dfstree.protocol.TrackerRequest.QueryUpdate;
import io.dfstree.protocol.TrackerRequest.Quit;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one complete tracker request against the {@link GroupMap}: decodes it ({@code
 * protocol.TrackerCodec}), switches on its type, applies the {@link Routing} policies and encodes
 * the answer. No sockets here; {@link TrackerConnection} does the framing.
 */
public final class TrackerCommands {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerCommands.class);

  private final GroupMap map;
  private final Routing routing;
  private final TrackerOptions options;
  private final ListLayout layout;
  private final Consumer<StateChange> changes;

  /**
   * @param changes receives state changes caused by requests (93 delete), for logging
   */
  public TrackerCommands(GroupMap map, TrackerOptions options, Consumer<StateChange> changes) {
    this.map = map;
    this.options = options;
    this.routing = new Routing(map, options);
    this.layout = ListLayout.named(options.listLayout());
    this.changes = changes;
  }

  /**
   * Answers one request. A client's mistake becomes an error status and one log line.
   *
   * @param command the request's command byte (unsigned)
   * @param body the whole request body
   * @param nowMs the tracker's clock, for the sync rule of downloads
   */
  public Reply execute(int command, Buffer body, long nowMs) {
    try {
      return dispatch(command, body, nowMs);
    } catch (FdfsException e) {
      if (e.errno() == Errno.EINVAL) {
        LOG.info("tracker command {} rejected: {}", command, e.getMessage());
      } else {
        LOG.debug("tracker command {}: {}", command, e);
      }
      return Reply.error(e.errno());
    }
  }

  private Reply dispatch(int command, Buffer body, long nowMs) {
    long nowSec = nowMs / 1000;
    TrackerRequest request =
        TrackerCodec.decode(new PacketHeader(body.length(), (byte) command, (byte) 0), body);
    // Java 17: no patterns in switch; the chain is in command order
    if (request instanceof Quit) {
      return Reply.closeSilently();
    } else if (request instanceof ActiveTest) {
      return Reply.empty();
    } else if (request instanceof QueryStore q) {
      String group = q.group() == null ? null : checked(q.group());
      UploadTarget target = q.all() ? routing.storeAll(group) : routing.storeOne(group);
      return ok(q.all() ? TrackerAnswers.storeAll(target) : TrackerAnswers.storeOne(target));
    } else if (request instanceof QueryFetch q) {
      String group = checked(q.group());
      return ok(
          q.all()
              ? TrackerAnswers.fetchAll(group, routing.fetchAll(group, q.name(), nowSec))
              : TrackerAnswers.fetchOne(group, routing.fetchOne(group, q.name(), nowSec)));
    } else if (request instanceof QueryUpdate q) {
      String group = checked(q.group());
      return ok(TrackerAnswers.fetchOne(group, routing.update(group, q.name())));
    } else if (request instanceof ListGroups) {
      return ok(new GroupStats(map.groups().stream().map(layout::groupStat).toList()));
    } else if (request instanceof ListOneGroup l) {
      return ok(new GroupStats(List.of(layout.groupStat(existingGroup(checked(l.group()))))));
    } else if (request instanceof ListStorages l) {
      return ok(listStorages(l));
    } else if (request instanceof DeleteStorage d) {
      map.delete(checked(d.group()), d.idOrHost()).forEach(changes);
      return Reply.empty();
    } else if (request instanceof GetLeader) {
      return ok(new TrackerReply.Leader(options.host(), options.port()));
    } else if (request instanceof FetchStorageIds f) {
      return ok(TrackerAnswers.storageIds(map.storages(), f.startIndex()));
    } else if (request instanceof GetParameters) {
      return ok(TrackerAnswers.parameters(options));
    }
    throw FdfsException.invalid("unknown command " + command);
  }

  private static Reply ok(TrackerReply reply) {
    return Reply.ok(TrackerCodec.replyBody(reply));
  }

  private StorageStats listStorages(ListStorages l) {
    StorageGroup g = existingGroup(checked(l.group()));
    List<StorageStat> out = new ArrayList<>();
    for (StorageEntry e :
        l.filter().isEmpty() ? List.copyOf(g.members()) : map.find(g.name(), l.filter())) {
      out.add(layout.storageStat(e, map.lastSyncedTimestamp(e)));
    }
    if (out.isEmpty()) {
      throw FdfsException.notFound("no storage " + l.filter() + " in group " + g.name());
    }
    return new StorageStats(out);
  }

  private StorageGroup existingGroup(String name) {
    StorageGroup g = map.group(name);
    if (g == null) {
      throw FdfsException.notFound("no group " + name);
    }
    return g;
  }

  /** A group name the tracker accepts (the codec checked its padding). */
  private static String checked(String group) {
    FileId.checkGroupName(group);
    return group;
  }
}
