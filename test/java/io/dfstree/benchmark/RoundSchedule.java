package io.dfstree.benchmark;

import java.util.ArrayList;
import java.util.List;

/**
 * Which system measures which row when (pure: tests): the rows of a run, the rotated order of a
 * round, and the interleaved mode's turns.
 */
final class RoundSchedule {
  private RoundSchedule() {}

  /**
   * A measured row: client kind, concurrency and file size (its phases: upload, download, delete).
   */
  record RowSpec(BenchClient.Kind kind, int concurrency, long size) {}

  /** The rows of a topology in the order measured: by client kind, then concurrency, then size. */
  static List<RowSpec> rows(BenchSettings s) {
    List<RowSpec> rows = new ArrayList<>();
    for (BenchClient.Kind kind : s.clients) {
      for (int c : s.concurrencies) {
        for (long size : s.sizes) {
          rows.add(new RowSpec(kind, c, size));
        }
      }
    }
    return rows;
  }

  /** One system's turn in the interleaved mode: row index (into {@link #rows}), round, system. */
  record Turn(int row, int round, String system) {}

  /**
   * The interleaved schedule: row by row; within a row rounds 1..{@code rounds}, each the systems
   * in {@link #roundOrder}. With a multiple of the number of systems as rounds, every system runs
   * each row in every position equally often (pure: tests).
   */
  static List<Turn> interleavedTurns(List<String> systems, int rows, int rounds) {
    List<Turn> turns = new ArrayList<>();
    for (int row = 0; row < rows; row++) {
      for (int round = 1; round <= rounds; round++) {
        for (String system : roundOrder(systems, round)) {
          turns.add(new Turn(row, round, system));
        }
      }
    }
    return turns;
  }

  /**
   * The systems in the order of a round. Position in a run matters on a shared machine (session 13:
   * the same jar lost when it ran last, after FastDFS's unforced writes or in a later minute of a
   * drifting load), so rounds 1..n (n systems) rotate the list by one each, putting every system in
   * every position once, and rounds n+1..2n run those orders reversed, so that every system also
   * follows every other one equally often (a Williams design: with 2n rounds each ordered pair of
   * neighbours occurs exactly twice). With two systems this is as given, then reversed.
   */
  static List<String> roundOrder(List<String> systems, int round) {
    int n = systems.size();
    int shift = (round - 1) % n;
    List<String> order = new ArrayList<>(systems.subList(shift, n));
    order.addAll(systems.subList(0, shift));
    if (((round - 1) / n) % 2 == 1) {
      java.util.Collections.reverse(order);
    }
    return order;
  }

  /** Rounds that put every system in every position equally often: a multiple of their number. */
  static boolean positionsBalanced(int systems, int rounds) {
    return rounds % systems == 0;
  }
}
