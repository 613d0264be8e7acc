package io.dfstree.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.internal.PlatformDependent;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NettyMemoryAccessTest {
  @Test
  void saysNothingWhenNettyHasUnsafe() {
    assertEquals(Optional.empty(), NettyMemoryAccess.warning(17, true));
    assertEquals(Optional.empty(), NettyMemoryAccess.warning(25, true));
  }

  @Test
  void onJava25NamesTheFlagThatGivesUnsafeBack() {
    String w = NettyMemoryAccess.warning(25, false).orElseThrow();
    assertTrue(w.contains("Java 25"), w);
    assertTrue(w.contains("Netty's default from Java 25 on"), w);
    assertTrue(w.contains("--sun-misc-unsafe-memory-access=allow"), w);
  }

  @Test
  void onOlderJavaPointsAtTheNettyProperty() {
    String w = NettyMemoryAccess.warning(17, false).orElseThrow();
    assertTrue(w.contains("-Dio.netty.noUnsafe=true"), w);
    assertTrue(!w.contains("--sun-misc-unsafe-memory-access"), w);
  }

  @Test
  void theTestJvmOnJava17To21HasUnsafeSoAServerWarnsNothing() {
    // the build's JDK (17, README) runs Netty with Unsafe: a start there logs no warning
    int feature = Runtime.version().feature();
    if (feature < 24) {
      assertTrue(PlatformDependent.hasUnsafe(), "Netty without Unsafe on Java " + feature);
      assertEquals(
          Optional.empty(), NettyMemoryAccess.warning(feature, PlatformDependent.hasUnsafe()));
    } else {
      assertEquals(
          PlatformDependent.hasUnsafe(),
          NettyMemoryAccess.warning(feature, PlatformDependent.hasUnsafe()).isEmpty());
    }
  }
}
