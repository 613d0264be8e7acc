package io.dfstree.badinput;

import static io.dfstree.RawClient.cat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dfstree.RawClient;
import io.dfstree.protocol.TrackerRequest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A storage whose reserve (100000 TiB) can never be met: uploads are refused before the body is
 * read.
 */
class StorageNoSpaceTest {
  static final int ENOSPC = 28;
  static Servers servers;
  static List<String> baseline;

  @BeforeAll
  static void start() throws Exception {
    servers = Servers.start(s -> s.put("reservedSpace", "100000T"));
    baseline = servers.storedFiles(); // the init markers only
  }

  @AfterAll
  static void stop() throws Exception {
    servers.close();
  }

  @AfterEach
  void stillServes() throws Exception {
    RawClient.activeTest(servers.storagePort);
    assertEquals(baseline, servers.storedFiles());
    assertEquals(List.of(), servers.tmpFiles());
  }

  @ParameterizedTest
  @ValueSource(ints = {11, 23})
  void uploadIsEnospcAndTheNextRequestOnTheSameConnectionIsParsed(int cmd) throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(
          cat(
              RawClient.upload(cmd == 23, -1, "bin", RawClient.bytes(1 << 20, 1)),
              RawClient.activeTestBytes()));
      r.expect(ENOSPC);
      r.expect(0);
    }
  }

  @Test
  void uploadToTheRequestedPathIsEnospcToo() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(
          cat(
              RawClient.upload(false, 0, "bin", RawClient.bytes(100_000, 2)),
              RawClient.activeTestBytes()));
      r.expect(ENOSPC);
      r.expect(0);
    }
  }

  @Test
  void zeroByteUploadIsEnospc() throws Exception {
    try (RawClient r = RawClient.open(servers.storagePort)) {
      r.send(cat(RawClient.upload("", new byte[0]), RawClient.activeTestBytes()));
      r.expect(ENOSPC);
      r.expect(0);
    }
  }

  @Test
  void trackerStoreQueryIsEnospc() throws Exception {
    try (RawClient r = RawClient.open(servers.trackerPort)) {
      r.send(new TrackerRequest.QueryStore(null, false));
      r.expect(ENOSPC);
      r.activeTest();
    }
  }
}
