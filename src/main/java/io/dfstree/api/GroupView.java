package io.dfstree.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One group as a tracker sees it, in the answer to {@code {"op":"groups"}} on {@link
 * Addresses#TRACKER_QUERY}: the tracker writes it, storages (waiting for their peers at start-up),
 * the console and monitors read it.
 *
 * @param name group name
 * @param totalMb capacity over its members
 * @param freeMb free space over them
 * @param readable members that may serve downloads
 * @param writable members that may take uploads
 * @param storages every member the tracker knows, in any state
 */
public record GroupView(
    String name, long totalMb, long freeMb, int readable, int writable, List<MemberView> storages) {
  public GroupView {
    storages = List.copyOf(storages);
  }

  public JsonObject toJson() {
    JsonArray members = new JsonArray();
    storages.forEach(m -> members.add(m.toJson()));
    return new JsonObject()
        .put("name", name)
        .put("totalMb", totalMb)
        .put("freeMb", freeMb)
        .put("readable", readable)
        .put("writable", writable)
        .put("storages", members);
  }

  /** Reads what {@link #toJson()} wrote; absent fields read as empty or 0. */
  public static GroupView fromJson(JsonObject json) {
    List<MemberView> members = new ArrayList<>();
    json.getJsonArray("storages", new JsonArray())
        .forEach(m -> members.add(MemberView.fromJson((JsonObject) m)));
    return new GroupView(
        json.getString("name", ""),
        json.getLong("totalMb", 0L),
        json.getLong("freeMb", 0L),
        json.getInteger("readable", 0),
        json.getInteger("writable", 0),
        members);
  }

  /** The whole answer: {@code {"groups":[...]}}. */
  public static JsonObject toJson(List<GroupView> groups) {
    JsonArray gs = new JsonArray();
    groups.forEach(g -> gs.add(g.toJson()));
    return new JsonObject().put("groups", gs);
  }

  /** Reads the whole answer {@link #toJson(List)} wrote. */
  public static List<GroupView> listFromJson(JsonObject json) {
    List<GroupView> out = new ArrayList<>();
    json.getJsonArray("groups", new JsonArray()).forEach(g -> out.add(fromJson((JsonObject) g)));
    return out;
  }
}
