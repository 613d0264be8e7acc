package io.dfstree.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * --interleave: each row measured for every system, rotated, --rounds times, before the next row,
 * so that the same row of two systems is measured seconds apart (benchmark/PROFILE.md, "interleave
 * (session 24)").
 */
class PeerBenchInterleaveTest {
  private static final List<String> SYSTEMS = List.of("fastdfs", "a", "b");

  @Test
  void everyRoundOfARowRunsBeforeTheNextRowAndEachRoundInItsRotatedOrder() {
    List<RoundSchedule.Turn> turns = RoundSchedule.interleavedTurns(SYSTEMS, 2, 3);
    assertEquals(18, turns.size());
    List<String> row0 = turns.subList(0, 9).stream().map(RoundSchedule.Turn::system).toList();
    assertEquals(List.of("fastdfs", "a", "b", "a", "b", "fastdfs", "b", "fastdfs", "a"), row0);
    for (int i = 0; i < 18; i++) {
      RoundSchedule.Turn t = turns.get(i);
      assertEquals(i / 9, t.row(), "row of turn " + i);
      assertEquals(i % 9 / 3 + 1, t.round(), "round of turn " + i);
      assertEquals(RoundSchedule.roundOrder(SYSTEMS, t.round()).get(i % 3), t.system());
    }
    assertEquals(
        turns.subList(0, 9).stream().map(RoundSchedule.Turn::system).toList(),
        turns.subList(9, 18).stream().map(RoundSchedule.Turn::system).toList(),
        "every row gets the same rotation");
  }

  @Test
  void eachSystemRunsEachRowOnceARoundAndInEveryPositionWhenTheRoundsAreBalanced() {
    int rows = 4;
    for (int rounds : List.of(3, 6)) {
      List<RoundSchedule.Turn> turns = RoundSchedule.interleavedTurns(SYSTEMS, rows, rounds);
      assertEquals(rows * rounds * SYSTEMS.size(), turns.size());
      assertEquals(turns.size(), new HashSet<>(turns).size(), "no (row, round, system) twice");
      Map<String, Map<Integer, Integer>> positions = new HashMap<>();
      for (int i = 0; i < turns.size(); i++) {
        RoundSchedule.Turn t = turns.get(i);
        positions
            .computeIfAbsent(t.system() + "@" + t.row(), k -> new HashMap<>())
            .merge(i % SYSTEMS.size(), 1, Integer::sum);
      }
      for (String system : SYSTEMS) {
        for (int row = 0; row < rows; row++) {
          Map<Integer, Integer> at = positions.get(system + "@" + row);
          for (int p = 0; p < SYSTEMS.size(); p++) {
            assertEquals(
                rounds / SYSTEMS.size(),
                at.getOrDefault(p, 0),
                system + " in position " + p + " of row " + row + ", " + rounds + " rounds");
          }
        }
      }
    }
  }

  @Test
  void twoSystemsTakeTurnsFirstInTheOrderOfTheRounds() {
    List<String> order =
        RoundSchedule.interleavedTurns(List.of("a", "b"), 1, 4).stream()
            .map(RoundSchedule.Turn::system)
            .toList();
    // rounds as given, reversed, then (n+1..2n) reversed again: a-b, b-a, b-a, a-b
    assertEquals(List.of("a", "b", "b", "a", "b", "a", "a", "b"), order);
    Set<Integer> rounds = new HashSet<>();
    RoundSchedule.interleavedTurns(List.of("a", "b"), 1, 4).forEach(t -> rounds.add(t.round()));
    assertEquals(Set.of(1, 2, 3, 4), rounds);
  }

  @Test
  void theRowsAreByClientThenConcurrencyThenSize() {
    BenchSettings s =
        BenchSettings.parse(
            new String[] {"--clients", "official,pooled", "-c", "1,16", "-s", "4K,64K"});
    List<RoundSchedule.RowSpec> rows = RoundSchedule.rows(s);
    assertEquals(8, rows.size());
    assertEquals(new RoundSchedule.RowSpec(BenchClient.Kind.OFFICIAL, 1, 4096), rows.get(0));
    assertEquals(new RoundSchedule.RowSpec(BenchClient.Kind.OFFICIAL, 1, 65536), rows.get(1));
    assertEquals(new RoundSchedule.RowSpec(BenchClient.Kind.OFFICIAL, 16, 4096), rows.get(2));
    assertEquals(new RoundSchedule.RowSpec(BenchClient.Kind.POOLED, 16, 65536), rows.get(7));
  }

  @Test
  void interleaveIsAnOptionOffByDefaultWithOneFastDfsAndNoNameTwice() {
    assertFalse(BenchSettings.parse(new String[0]).interleave, "sequential by default");
    assertTrue(BenchSettings.parse(new String[] {"--interleave"}).interleave);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            BenchSettings.parse(
                new String[] {"--interleave", "--systems", "fastdfs,fastdfs-packed"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchSettings.parse(new String[] {"--interleave", "--systems", "ours,ours"}));
    assertEquals(
        List.of("fastdfs", "a", "b"),
        BenchSettings.parse(
                new String[] {
                  "--interleave",
                  "--jar-as",
                  "a=x.jar",
                  "--jar-as",
                  "b=x.jar",
                  "--systems",
                  "fastdfs,a,b"
                })
            .systems);
  }

  @Test
  void jvmAsNamesASystemOfOursWithMoreJvmOptions() {
    BenchSettings s =
        BenchSettings.parse(
            new String[] {
              "--interleave",
              "--jvm-as",
              "serial= -XX:+UseSerialGC  -Xss512k",
              "--systems",
              "fastdfs,ours,serial,serial-w1"
            });
    assertEquals(List.of("-XX:+UseSerialGC", "-Xss512k"), s.namedJvm.get("serial"));
    assertEquals(List.of("fastdfs", "ours", "serial", "serial-w1"), s.systems);
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchSettings.parse(new String[] {"--systems", "fastdfs,serial"}),
        "an unknown name without --jvm-as");
    assertThrows(
        IllegalArgumentException.class, () -> BenchSettings.parse(new String[] {"--jvm-as", "x="}));
  }

  @Test
  void javaAsNamesASystemOfOursOnAnotherRuntime() {
    String home = System.getProperty("java.home");
    BenchSettings s =
        BenchSettings.parse(
            new String[] {"--java-as", "other=" + home, "--systems", "fastdfs,other,other-w1"});
    assertEquals(java.nio.file.Path.of(home, "bin", "java"), s.namedJava.get("other"));
    assertEquals(List.of("fastdfs", "other", "other-w1"), s.systems);
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchSettings.parse(new String[] {"--java-as", "x=/nonexistent/jdk"}),
        "a runtime without bin/java");
  }
}
