package io.dfstree.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dfstree.api.GroupView;
import io.dfstree.api.MemberView;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the tracker tells storages ({@code {"op":"groups"}}) is written and read through the typed
 * records of {@code api}: the tracker's map turns into JSON and back unchanged, through the
 * event-bus wire form (encoded text), and an older tracker's shorter answer reads with defaults.
 */
class GroupViewTest {
  @Test
  void groupMapAnswerRoundTripsThroughTheWire() {
    GroupMap map = new GroupMap(10_000);
    map.apply(
        Beats.beat(1, "g1", "ACTIVE", List.of(Beats.path(0, 50)), 1, Map.of("2", 1_700_000_050L)),
        1000);
    map.apply(Beats.beat(2, "g1", "WAIT_SYNC", List.of(Beats.path(0, 70)), 1, Map.of()), 1000);
    map.apply(Beats.active(3, "g2"), 1000);
    map.leave(3);

    List<GroupView> views = map.views();
    JsonObject wire = new JsonObject(map.toJson().encode());
    List<GroupView> read = GroupView.listFromJson(wire);

    assertEquals(views, read);
    assertEquals(2, read.size());
    GroupView g1 = read.get(0);
    assertEquals("g1", g1.name());
    assertEquals(2, g1.storages().size());
    MemberView one = g1.storages().get(0);
    assertEquals(1, one.id());
    assertEquals("127.0.0.1", one.host());
    assertEquals(23000, one.port());
    assertEquals(8888, one.httpPort());
    assertEquals("ACTIVE", one.state());
    assertEquals(Map.of("2", 1_700_000_050L), one.syncedUntil());
    assertTrue(one.present());
    assertFalse(read.get(1).storages().get(0).present(), "a storage that left is not waited for");
    // the JSON keys monitors and the console read stay what they were
    assertEquals(
        Set.of("name", "totalMb", "freeMb", "readable", "writable", "storages"),
        wire.getJsonArray("groups").getJsonObject(0).fieldNames());
    assertEquals(
        Set.of(
            "id",
            "host",
            "port",
            "httpPort",
            "state",
            "totalMb",
            "freeMb",
            "reservedMb",
            "lastBeatMs",
            "lastSyncedTimestamp",
            "syncedUntil"),
        wire.getJsonArray("groups")
            .getJsonObject(0)
            .getJsonArray("storages")
            .getJsonObject(0)
            .fieldNames());
  }

  @Test
  void recordsRoundTripAlone() {
    MemberView m =
        new MemberView(7, "10.0.0.7", 23000, 0, "OFFLINE", 100, 40, 1, 123L, 456L, Map.of("8", 9L));
    assertEquals(m, MemberView.fromJson(new JsonObject(m.toJson().encode())));
    GroupView g = new GroupView("g", 100, 40, 0, 0, List.of(m));
    assertEquals(g, GroupView.fromJson(new JsonObject(g.toJson().encode())));
    assertEquals(List.of(g), GroupView.listFromJson(GroupView.toJson(List.of(g))));
  }

  @Test
  void missingFieldsReadAsEmpty() {
    List<GroupView> read =
        GroupView.listFromJson(
            new JsonObject(
                "{\"groups\":[{\"name\":\"g\",\"storages\":[{\"id\":4,\"state\":\"ACTIVE\"}]}]}"));
    MemberView m = read.get(0).storages().get(0);
    assertEquals(new MemberView(4, "", 0, 0, "ACTIVE", 0, 0, 0, 0, 0, Map.of()), m);
    assertEquals(List.of(), GroupView.listFromJson(new JsonObject()));
  }
}
