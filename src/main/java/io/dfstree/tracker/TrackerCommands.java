package io.dfstree.tracker;

import io.dfstree.config.TrackerOptions;
import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Command;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.dfstree.protocol.Wire;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one complete tracker request against the {@link GroupMap}: validates the body, applies
 * the {@link Routing} policies and encodes the answer. No sockets here; {@link TrackerConnection}
 * does the framing.
 */
public final class TrackerCommands {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerCommands.class);
  static final int GROUP = Wire.GROUP_NAME_LEN;
  /** File names in 102/103/105 must be 22..127 bytes, as upstream checks. */
  static final int MIN_FILE_NAME = 22;
  static final int MAX_FILE_NAME = 127;
  /** Storage id or IP filter in 92/93: fewer than 16 bytes. */
  static final int MAX_FILTER = 15;

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
   * @param body    the whole request body
   * @param nowMs   the tracker's clock, for the sync rule of downloads
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
    switch (command) {
      case Command.QUIT & 0xFF:
        return Reply.closeSilently();
      case Command.ACTIVE_TEST & 0xFF:
        requireLength(body, 0);
        return Reply.empty();
      case Command.QUERY_STORE_WITHOUT_GROUP_ONE & 0xFF:
        requireLength(body, 0);
        return Reply.ok(ResponseBodies.storeOne(routing.storeOne(null)));
      case Command.QUERY_STORE_WITH_GROUP_ONE & 0xFF:
        requireLength(body, GROUP);
        return Reply.ok(ResponseBodies.storeOne(routing.storeOne(group(body))));
      case Command.QUERY_STORE_WITHOUT_GROUP_ALL & 0xFF:
        requireLength(body, 0);
        return Reply.ok(ResponseBodies.storeAll(routing.storeAll(null)));
      case Command.QUERY_STORE_WITH_GROUP_ALL & 0xFF:
        requireLength(body, GROUP);
        return Reply.ok(ResponseBodies.storeAll(routing.storeAll(group(body))));
      case Command.QUERY_FETCH_ONE & 0xFF: {
        String group = fileQueryGroup(body);
        return Reply.ok(ResponseBodies.storageAddress(group, routing.fetchOne(group, fileName(body), nowSec)));
      }
      case Command.QUERY_UPDATE & 0xFF: {
        String group = fileQueryGroup(body);
        return Reply.ok(ResponseBodies.storageAddress(group, routing.update(group, fileName(body))));
      }
      case Command.QUERY_FETCH_ALL & 0xFF: {
        String group = fileQueryGroup(body);
        return Reply.ok(ResponseBodies.fetchAll(group, routing.fetchAll(group, fileName(body), nowSec)));
      }
      case Command.LIST_ALL_GROUPS & 0xFF:
        requireLength(body, 0);
        return Reply.ok(listGroups());
      case Command.LIST_ONE_GROUP & 0xFF:
        requireLength(body, GROUP);
        return Reply.ok(layout.groupStat(existingGroup(group(body))));
      case Command.LIST_STORAGE & 0xFF:
        return Reply.ok(listStorages(body));
      case Command.DELETE_STORAGE & 0xFF:
        return deleteStorage(body);
      case Command.GET_LEADER & 0xFF:
        requireLength(body, 0);
        return Reply.ok(ResponseBodies.leader(options.host(), options.port()));
      case Command.FETCH_STORAGE_IDS & 0xFF:
        return Reply.ok(fetchStorageIds(body));
      case Command.PARAMETER_REQ & 0xFF:
        requireLength(body, 0);
        return Reply.ok(ResponseBodies.parameters(options));
      default:
        throw FdfsException.invalid("unknown command " + command);
    }
  }

  private Buffer listGroups() {
    Buffer out = Buffer.buffer();
    for (StorageGroup g : map.groups()) {
      out.appendBuffer(layout.groupStat(g));
    }
    return out;
  }

  private Buffer listStorages(Buffer body) {
    if (body.length() < GROUP || body.length() > GROUP + MAX_FILTER) {
      throw FdfsException.invalid("list storages body must be 16..31 bytes, got " + body.length());
    }
    StorageGroup g = existingGroup(group(body));
    String filter = body.length() > GROUP ? text(body, GROUP, body.length()) : "";
    Buffer out = Buffer.buffer();
    for (StorageEntry e : filter.isEmpty() ? List.copyOf(g.members()) : map.find(g.name(), filter)) {
      out.appendBuffer(layout.storageStat(e, map.lastSyncedTimestamp(e)));
    }
    if (out.length() == 0) {
      throw FdfsException.notFound("no storage " + filter + " in group " + g.name());
    }
    return out;
  }

  private Reply deleteStorage(Buffer body) {
    if (body.length() <= GROUP || body.length() > GROUP + MAX_FILTER) {
      throw FdfsException.invalid("delete storage body must be 17..31 bytes, got " + body.length());
    }
    String group = group(body);
    String idOrHost = text(body, GROUP, body.length());
    if (idOrHost.isEmpty()) {
      throw FdfsException.invalid("delete storage without a storage id");
    }
    map.delete(group, idOrHost).forEach(changes);
    return Reply.empty();
  }

  private Buffer fetchStorageIds(Buffer body) {
    if (body.length() != 4 && body.length() != 5) {
      throw FdfsException.invalid("fetch storage ids body must be 4 or 5 bytes, got " + body.length());
    }
    int start = body.getInt(0);
    if (start < 0) {
      throw FdfsException.invalid("negative start index " + start);
    }
    return ResponseBodies.storageIds(map.storages(), start);
  }

  private static void requireLength(Buffer body, int expected) {
    if (body.length() != expected) {
      throw FdfsException.invalid("body must be " + expected + " bytes, got " + body.length());
    }
  }

  private StorageGroup existingGroup(String name) {
    StorageGroup g = map.group(name);
    if (g == null) {
      throw FdfsException.notFound("no group " + name);
    }
    return g;
  }

  private static String fileQueryGroup(Buffer body) {
    int nameLen = body.length() - GROUP;
    if (nameLen < MIN_FILE_NAME || nameLen > MAX_FILE_NAME) {
      throw FdfsException.invalid("file query body must carry a 22..127 byte name, got " + nameLen);
    }
    return group(body);
  }

  private static String fileName(Buffer body) {
    return text(body, GROUP, body.length());
  }

  /** The NUL-padded group name at the start of {@code body}, validated. */
  static String group(Buffer body) {
    if (!Wire.isCleanFixed(body, 0, GROUP)) {
      throw FdfsException.invalid("group name field is not NUL padded");
    }
    String name = Wire.readFixed(body, 0, GROUP);
    FileId.checkGroupName(name);
    return name;
  }

  /** Variable-length text, ignoring NUL padding some clients add. */
  private static String text(Buffer body, int from, int to) {
    int end = from;
    while (end < to && body.getByte(end) != 0) {
      end++;
    }
    return Wire.ascii(body, from, end).trim();
  }
}
