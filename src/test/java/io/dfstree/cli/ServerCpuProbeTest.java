package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServerCpuProbeTest {
  @Test
  void ticksAreUtimePlusStimeCountedFromTheLastParenthesis() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    String line = "4242 (java (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0";
    assertEquals(1234 + 567, ServerCpuProbe.ticks(line));
    assertThrows(IllegalArgumentException.class, () -> ServerCpuProbe.ticks("no parenthesis"));
    assertThrows(IllegalArgumentException.class, () -> ServerCpuProbe.ticks("1 (x) S 1 2"));
  }

  @Test
  void measuresThisProcessAndReportsNothingWithoutPids() {
    ServerCpuProbe none = new ServerCpuProbe(List.of());
    none.start();
    assertTrue(Double.isNaN(none.microsPerOp(10)));
    assertEquals("-", ServerCpuProbe.format(Double.NaN));

    ServerCpuProbe self = new ServerCpuProbe(List.of(ProcessHandle.current().pid()));
    self.start();
    // 0.3 s of this thread's own CPU (30 ticks of 10 ms), however loaded the machine is
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    long until = threads.getCurrentThreadCpuTime() + 300_000_000L;
    long wallLimit = System.nanoTime() + 60_000_000_000L;
    double sink = 0;
    while (threads.getCurrentThreadCpuTime() < until && System.nanoTime() < wallLimit) {
      for (int i = 0; i < 10_000; i++) {
        sink += Math.sqrt(sink + i);
      }
    }
    double micros = self.microsPerOp(1);
    assertTrue(micros >= 250_000 && sink > 0, "0.3 s of spinning measured as " + micros + " us");
  }

  @Test
  void measureKeepsEachPhasesFigureUnderItsOperation() {
    ServerCpuProbe self = new ServerCpuProbe(List.of(ProcessHandle.current().pid()));
    PhaseResult r = self.measure(() -> new PhaseResult("upload", 10, 0, 1.0, 0, null, null));
    assertEquals("upload", r.operation());
    double micros = self.measuredMicrosPerOp("upload");
    assertTrue(micros >= 0, "measured " + micros);
    assertTrue(Double.isNaN(self.measuredMicrosPerOp("download")), "a phase not measured");

    ServerCpuProbe none = new ServerCpuProbe(List.of());
    none.measure(() -> new PhaseResult("upload", 10, 0, 1.0, 0, null, null));
    assertTrue(Double.isNaN(none.measuredMicrosPerOp("upload")), "no --server-pid");
    self.measure(() -> new PhaseResult("none-ran", 0, 3, 1.0, 0, null, "e"));
    assertTrue(Double.isNaN(self.measuredMicrosPerOp("none-ran")), "no operation ran");
  }
}
