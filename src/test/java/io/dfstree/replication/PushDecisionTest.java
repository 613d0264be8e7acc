package io.dfstree.replication;

import static org.junit.jupiter.api.Assertions.*;

import io.dfstree.config.Config;
import io.dfstree.config.StorageOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * Which uploads a write quorum of 1 pushes to its peers by default: the small ones, sent whole once
 * placed here; larger ones, which would pace the client's upload to the peer's writes, are left
 * to catch-up.
 */
class PushDecisionTest {
  static StorageOptions options(JsonObject changes) {
    JsonObject c = Config.defaults().getJsonObject("storage").copy();
    changes.forEach(e -> c.put(e.getKey(), e.getValue()));
    return StorageOptions.from(c);
  }

  static StorageOptions w1(JsonObject more) {
    return options(more.copy().put("writeQuorum", 1));
  }

  @Test
  void aWriteQuorumOfOnePushesSmallUploadsByDefault() {
    StorageOptions o = w1(new JsonObject());
    assertTrue(o.pushCopies());
    assertEquals(64 * 1024, o.pushCopiesMaxSize());
    assertTrue(QuorumFanout.pushes(o, 0));
    assertTrue(QuorumFanout.pushes(o, 4096));
    assertTrue(QuorumFanout.pushes(o, ReplicaFanout.SEND_WHOLE_MAX));
  }

  @Test
  void largerUploadsAndUnknownSizesAreLeftToCatchUp() {
    StorageOptions o = w1(new JsonObject());
    assertFalse(QuorumFanout.pushes(o, ReplicaFanout.SEND_WHOLE_MAX + 1));
    assertFalse(QuorumFanout.pushes(o, 1 << 20));
    assertFalse(QuorumFanout.pushes(o, -1)); // size known only at the end: never pushed
  }

  @Test
  void theLimitAndTheSwitchAreSettings() {
    assertTrue(
        QuorumFanout.pushes(w1(new JsonObject().put("pushCopiesMaxSize", "1M")), 1 << 20));
    assertFalse(QuorumFanout.pushes(w1(new JsonObject().put("pushCopies", false)), 4096));
  }

  @Test
  void aWriteQuorumAboveOneNeverPushes() {
    assertFalse(QuorumFanout.pushes(options(new JsonObject().put("writeQuorum", 2)), 4096));
  }
}
