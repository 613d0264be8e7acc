package io.dfstree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The table bench and bench-s3 print, as text and as bench --json's phase objects. */
class ResultTableTest {
  static Histogram millis(long... ms) {
    Histogram h = new Histogram(PhaseResult.LATENCY_DIGITS);
    for (long m : ms) {
      h.recordValue(m * 1_000_000L);
    }
    return h;
  }

  static final PhaseResult UPLOAD =
      new PhaseResult("upload", 4, 0, 2.0, 1 << 20, millis(1, 2, 3, 4), null);
  static final PhaseResult REPLICATED =
      new PhaseResult(
          "replicated", 3, 1, 3.0, 1 << 20, null, "1 of 4 files not on 127.0.0.1:23001");
  static final PhaseResult DELETE =
      new PhaseResult("delete", 2, 2, 0.5, 0, millis(5, 5), "java.io.IOException: reset");

  static String text(List<PhaseResult> rows, ServerCpuProbe cpu) {
    StringWriter s = new StringWriter();
    ResultTable.print(new PrintWriter(s, true), rows, cpu);
    return s.toString();
  }

  @Test
  void rowsThenTheFirstErrorOfEachPhaseThatHadOne() {
    String out = text(List.of(UPLOAD, REPLICATED, DELETE), new ServerCpuProbe(List.of()));
    assertEquals(
        String.join(
            System.lineSeparator(),
            "operation     count  errors      ops/s     MiB/s    p50 ms    p99 ms",
            "upload            4       0        2.0      2.00      2.00      4.00",
            "replicated        3       1        1.0      1.00         -         -",
            "delete            2       2        4.0         -      5.00      5.00",
            "first replicated error: 1 of 4 files not on 127.0.0.1:23001",
            "first delete error: java.io.IOException: reset",
            ""),
        out);
  }

  @Test
  void theServerCpuColumnShowsWhatWasMeasuredAndADashForTheRest() throws Exception {
    ServerCpuProbe cpu = new ServerCpuProbe(List.of(ProcessHandle.current().pid()));
    cpu.measure(() -> UPLOAD);
    String[] lines = text(List.of(UPLOAD, REPLICATED), cpu).split(System.lineSeparator());
    assertEquals(
        "operation     count  errors      ops/s     MiB/s    p50 ms    p99 ms  srv us/op",
        lines[0]);
    String upload = lines[1].substring(lines[1].length() - 11);
    assertEquals(
        ServerCpuProbe.format(cpu.measuredMicrosPerOp("upload")), upload.trim(), lines[1]);
    assertEquals(" " + String.format("%10s", "-"), lines[2].substring(lines[2].length() - 11));
  }

  @Test
  void jsonGivesNullForWhatWasNotMeasured() {
    ServerCpuProbe none = new ServerCpuProbe(List.of());
    Map<String, Object> up = ResultTable.json(UPLOAD, none);
    assertEquals("upload", up.get("operation"));
    assertEquals(4, up.get("count"));
    assertEquals(2.0, (double) up.get("opsPerSecond"), 1e-9);
    assertEquals(2.0, (double) up.get("mibPerSecond"), 1e-9);
    assertEquals(2.0, (double) up.get("p50Ms"), 0.01);
    assertNull(up.get("serverCpuMicrosPerOp"));
    assertNull(up.get("firstError"));
    Map<String, Object> repl = ResultTable.json(REPLICATED, none);
    assertNull(repl.get("p50Ms"));
    assertNull(repl.get("p99Ms"));
    assertEquals("1 of 4 files not on 127.0.0.1:23001", repl.get("firstError"));
    assertNull(ResultTable.json(DELETE, none).get("mibPerSecond"), "a delete moves no content");
    assertEquals(
        List.of(
            "operation",
            "count",
            "errors",
            "seconds",
            "opsPerSecond",
            "mibPerSecond",
            "p50Ms",
            "p99Ms",
            "serverCpuMicrosPerOp",
            "firstError"),
        List.copyOf(up.keySet()));
  }
}
