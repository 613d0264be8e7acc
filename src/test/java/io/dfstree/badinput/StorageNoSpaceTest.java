package io.dfstree.badinput;

import static io.dfstree.badinput.Raw.cat;
import static io.dfstree.badinput.Raw.fixed;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A storage whose reserve (100000 TiB) can never be met: uploads are refused before the body is read. */
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
    Raw.activeTest(servers.storagePort);
    assertEquals(baseline, servers.storedFiles());
    assertEquals(List.of(), servers.tmpFiles());
  }

  @ParameterizedTest
  @ValueSource(ints = {11, 23})
  void uploadIsEnospcAndTheNextRequestOnTheSameConnectionIsParsed(int cmd) throws Exception {
    try (Raw r = Raw.open(servers.storagePort)) {
      r.send(cat(Req.upload(cmd, 0xFF, fixed("bin", 6), Req.bytes(1 << 20, 1)), Req.activeTest()));
      r.expect(ENOSPC);
      r.expect(0);
    }
  }

  @Test
  void uploadToTheRequestedPathIsEnospcToo() throws Exception {
    try (Raw r = Raw.open(servers.storagePort)) {
      r.send(cat(Req.upload(11, 0, fixed("bin", 6), Req.bytes(100_000, 2)), Req.activeTest()));
      r.expect(ENOSPC);
      r.expect(0);
    }
  }

  @Test
  void zeroByteUploadIsEnospc() throws Exception {
    try (Raw r = Raw.open(servers.storagePort)) {
      r.send(cat(Req.upload("", new byte[0]), Req.activeTest()));
      r.expect(ENOSPC);
      r.expect(0);
    }
  }

  @Test
  void trackerStoreQueryIsEnospc() throws Exception {
    try (Raw r = Raw.open(servers.trackerPort)) {
      r.send(Raw.header(0, 101, 0));
      r.expect(ENOSPC);
      r.activeTest();
    }
  }
}
