package io.dfstree.tracker;

import io.dfstree.fileid.FileId;
import io.dfstree.protocol.Errno;
import io.dfstree.protocol.FdfsException;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.LongSupplier;

/**
 * The tracker's event-bus request/reply queries ({@link TrackerVerticle#QUERY_ADDRESS}): the same
 * answers as the TCP protocol's 90/91, 101/104, 102 and 103, as small JSON, for event-bus clients.
 * Errors are failure replies whose code is the FastDFS errno (2 = no such group or storage, 22 =
 * malformed request, 28 = every group full).
 *
 * <ul>
 *   <li>{@code {"op":"groups"}} → the group map ({@link GroupMap#toJson()})
 *   <li>{@code {"op":"store","group":G?}} → {@code {group, host, port, storePathIndex, storageId}}
 *   <li>{@code {"op":"fetch","fileId":F}} → {@code {group, host, port, storageId}}
 *   <li>{@code {"op":"update","fileId":F}} → {@code {group, host, port, storageId}}
 * </ul>
 */
final class EventBusQueries {
  private final GroupMap map;
  private final Routing routing;
  private final LongSupplier clockMs;

  EventBusQueries(GroupMap map, Routing routing, LongSupplier clockMs) {
    this.map = map;
    this.routing = routing;
    this.clockMs = clockMs;
  }

  void handle(Message<JsonObject> m) {
    JsonObject body = m.body();
    String op = body == null ? null : body.getString("op");
    try {
      m.reply(answer(op == null ? "" : op, body));
    } catch (FdfsException e) {
      m.fail(e.errno(), e.getMessage());
    } catch (ClassCastException e) {
      m.fail(Errno.EINVAL, "malformed query: " + e.getMessage());
    }
  }

  JsonObject answer(String op, JsonObject body) {
    switch (op) {
      case "groups":
        return map.toJson();
      case "store":
        {
          String group = body.getString("group");
          if (group != null) {
            FileId.checkGroupName(group);
          }
          UploadTarget t = routing.storeOne(group);
          return address(t.group(), t.first()).put("storePathIndex", t.storePathIndex());
        }
      case "fetch":
        {
          FileId id = fileId(body);
          return address(
              id.group(),
              routing.fetchOne(id.group(), id.remoteName(), clockMs.getAsLong() / 1000));
        }
      case "update":
        {
          FileId id = fileId(body);
          return address(id.group(), routing.update(id.group(), id.remoteName()));
        }
      default:
        throw FdfsException.invalid(
            "unknown op " + op + "; expected groups, store, fetch or update");
    }
  }

  private static FileId fileId(JsonObject body) {
    String text = body.getString("fileId");
    if (text == null) {
      throw FdfsException.invalid("fileId missing");
    }
    return FileId.parse(text);
  }

  private static JsonObject address(String group, StorageEntry s) {
    return new JsonObject()
        .put("group", group)
        .put("host", s.host())
        .put("port", s.port())
        .put("storageId", s.id());
  }
}
