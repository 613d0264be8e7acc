#!/usr/bin/env python3
"""The JIT compiler threads' share of each system's measured server CPU in a benchmark log.

  bash benchmark/fastdfs-compare.sh ... --threads 14 > BENCH.log
  python3 benchmark/jit-share.py BENCH.log [MIN_US]

Sums, per system, the rows' server CPU per operation and the "C1/C2 CompilerThre" entries of
their "server threads" lines (each row lists its top thread kinds only, so the JIT figure is a
lower bound), and lists the rows whose compiler threads took at least MIN_US (default 50) us per
operation: compiles during measured phases, after the warm-up went quiet (benchmark/PROFILE.md,
session 32).
"""
import collections
import re
import sys

ROW = re.compile(r"(group|single)\s+(\w+)\s+(\d+)\s+(\S+ \S+)\s+(\w+)\s+(\S+)\s+\|"
                 r"\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S+)")


def main(path, min_us):
    rows, cur = [], None
    for line in open(path):
        m = ROW.match(line)
        if m:
            cur = m.groups()
            continue
        if cur and "server threads" in line:
            jit = sum(int(x) for x in re.findall(r"C\d? CompilerThre (\d+)", line))
            rows.append((cur, float(cur[6]), jit))
            cur = None
    total = collections.defaultdict(lambda: [0.0, 0, 0])
    for (topo, client, c, size, op, system, _), cpu, jit in rows:
        t = total[system]
        t[0] += cpu
        t[1] += jit
        t[2] += 1
    for system, (cpu, jit, n) in total.items():
        print("%-10s %3d rows: server CPU per op summed %8.0f us, JIT %6d us (%.1f%%)"
              % (system, n, cpu, jit, 100.0 * jit / cpu if cpu else 0))
    for (topo, client, c, size, op, system, _), cpu, jit in rows:
        if jit >= min_us:
            print("  %-6s %-8s c=%-2s %-7s %-8s %-8s JIT %4d of %6.0f us/op"
                  % (topo, client, c, size, op, system, jit, cpu))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 50)
