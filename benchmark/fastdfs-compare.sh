#!/usr/bin/env bash
# Ours against the real FastDFS, side by side on this machine (issue 9's benchmark).
#
#   bash benchmark/fastdfs-compare.sh --quick      # smoke: 72 rows of 4 KiB, small counts (~11 min)
#   bash benchmark/fastdfs-compare.sh              # the full table (about an hour on 2 cores)
#   bash benchmark/fastdfs-compare.sh --help       # every option
#
# For each topology (single node; a group of two storages) it starts the real FastDFS through
# ../shared/fastdfs-peer/fastdfs-peer (127.0.0.2/3/10; built on first use, ~2 min), then ours
# from target/dfstree.jar on 127.0.0.1 with defaults (W=2, fsync on), then ours with W=1 and
# fsync off (our group: a tracker and two storages in separate JVMs over Hazelcast on a free port
# block), one after the other. Against each it runs upload, download (every byte checked) and
# delete with three clients -- official (Java client 1.27, a storage connection per operation),
# pooled (kept connections) and split (new tracker and storage connections per operation, header
# and body in two TCP writes) -- at each concurrency and size, and prints ops/s, MiB/s, p50/p99,
# server CPU us per operation (every thread's time on a CPU, in ns, from /proc/<pid>/task/*/schedstat
# of every server process) and the ratios to FastDFS's row. Every phase is bounded in count and
# time (--max-seconds).
# After each measured phase it waits (up to --tail-max SECONDS, 10; 0 turns it off) until the
# servers' CPU over a 200 ms window is back near their idle rate (at most twice it, and at least
# 30 ms/s above it), and charges the CPU of that wait above the idle rate to the phase: the copies
# an asynchronous group (FastDFS, our W=1) still makes after its uploads are answered, a trash's
# unlinks. Nothing is charged when the first window is already quiet. Each row then prints a
# "tail:" line; the TSV's tail_s and tail_cpu_us_op columns say how long and how much (included in
# cpu_us_op). Without the wait that work ran inside the next phase and was charged to it.
# Each row also prints "disk per op:" (requests written, cache flushes and their us, busy us per
# operation over the phase and its tail, from /sys/block/*/stat; TSV: dev_writes_op,
# dev_flushes_op, dev_flush_us_op, dev_busy_us_op): the device time an fsync'd row waits for.
# Under the table, "disk cache flush:" gives one flush's median time over the rows that flushed.
# Warm-up: one pass per measured size at a c=1 row's file count (at most 128 MiB), then --warmup
# N files per storage of 4 KiB at c=4 (in that order: run first, this bulk left the download path
# at tier 3 with a 4 KiB profile and the first measured row paid its C2 compile; PROFILE.md,
# firstrow27), then more rounds (4 KiB and every measured size, every client kind and concurrency
# measured) until the servers' JIT compiler threads (C1/C2, read from /proc/<pid>/task/*/stat)
# used at most --jit-quiet PERCENT (3) of one core over a round of at least a second, bounded by
# --jit-quiet-max SECONDS (120; 0 turns it off). One line says how long it took and whether the
# JIT went quiet; without it the c=1 rows, measured first, ran on a JVM still compiling.
# For ours, also until every server process has run --warmup-past SECONDS (90; 0: off): past the
# storages' first one-minute maintenance pass, whose rare branches make C2 recompile the commit
# path 10-25 s later (it landed in the first measured rows).
# Disk: before each system starts, before its idle reading and before each block of measured
# phases it runs `sync` and waits (up to --settle-max SECONDS, 60; 0 turns it off) until Dirty +
# Writeback in /proc/meminfo is at most 8 MiB, and logs it: FastDFS writes without fsync, and the
# dirty pages it left were flushed while the next system forced its own writes. Those lines and
# each stop also print the disk's writes, discards and flushes since the line before.
#
# The driver is io.dfstree.benchmark.PeerBench in the test sources (the official client is a test
# dependency); it is not a test and never runs in `mvn verify`. This script compiles it and
# builds its class path with Maven, so it needs nothing the repository does not already install.
# Options: --quick | --topologies single,group | --systems fastdfs,ours,ours-w1 (suffix -packed or -plain: packing on or off) |
#   --clients official,pooled,split | -c 1,16 | -s 4K,64K,1M | --scale F (file counts) |
#   --max-seconds S (per phase) | --warmup N (per storage, 6000) | --jit-quiet PERCENT | --jit-quiet-max S | --warmup-past S |
#   --settle-max S | --tail-max S | --steal-wait-max S (before each block of measured phases, wait up to S s, 30, for a
#   second with at most 2% host steal; every row prints its steal) | --rounds N (every system N times, rotated: N = number of systems puts each in each position; medians) |
#   --interleave (all systems of a topology up at once, each warmed; then row by row, each row's
#   phases for every system in each round's rotated order, --rounds times, before the next row:
#   the same row of two systems seconds apart, no start, stop or data directory removed between
#   them. The systems not measured idle beside it -- each turn prints their CPU, ours 50-90 ms/s,
#   FastDFS 0-10 -- which slightly favours whoever runs while fewer JVMs idle. At most one
#   FastDFS. Default: sequential, one system after the other; the TSV's last column says which) |
#   --threads N (top server thread kinds per row) |
#   --jfr DIR | --subdirs N | --baseline-jar OLD.jar (adds base, base-w1) | --out FILE.tsv |
#   --jar-as NAME=JAR (adds NAME, NAME-w1: one more build of ours in the same run; repeatable) |
#   --jvm-as NAME="OPTS" (adds NAME, NAME-w1: ours with these JVM options after --server-jvm's; repeatable) |
#   --server-jvm "-Xmx512m ..." | --dump-latencies DIR (per measured phase: each op's start and latency)
# Environment: FASTDFS_PEER (path of the fastdfs-peer script), KEEP=1 (keep our data and logs),
#   PEERBENCH_JAVA_OPTS="-Dpeerbench.jfc=FILE.jfc" (JFR settings for --jfr; default "profile").
set -euo pipefail
cd "$(dirname "$0")/.."
for a in "$@"; do
  if [[ $a == --help || $a == -h ]]; then sed -n "2,65p" "$0"; exit 0; fi
done
PEER=${FASTDFS_PEER:-../shared/fastdfs-peer/fastdfs-peer}
[[ -x $PEER ]] || { echo "error: $PEER not found (set FASTDFS_PEER to the fastdfs-peer script)" >&2; exit 2; }
if [[ ! -f target/dfstree.jar ]]; then
  mvn -q -B package -DskipTests
fi
"$PEER" build >/dev/null
mvn -q -B test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/peer-bench.classpath -Dmdep.includeScope=test
exec java -Xmx1g ${PEERBENCH_JAVA_OPTS:-} -cp "target/test-classes:target/classes:$(cat target/peer-bench.classpath)" \
  io.dfstree.benchmark.PeerBench --jar target/dfstree.jar --fastdfs-peer "$PEER" "$@"
