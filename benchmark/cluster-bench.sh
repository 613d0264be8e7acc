#!/usr/bin/env bash
# Write quorum 1 vs 2 on a loopback cluster, side by side, plus catch-up of a new member.
#
#   mvn -B package -DskipTests && bash benchmark/cluster-bench.sh
#
# For W = 1 and then W = 2 it starts, from target/dfstree.jar on 127.0.0.1, one tracker and one
# group of two storages (fresh data directories each time), waits until both are ACTIVE, and runs
#   bench --warmup 300 --replication -c 16 --max-seconds 60   with -s 4K -n 5000 and -s 1M -n 1000.
# With W = 2 it then uploads 3000 x 64 KiB (--skip-delete), starts a third, empty storage in the
# group and reports its catch-up (the storage's "caught up with" log lines, and overall files/s
# and MiB/s). At the end it prints one table: rows size x operation (upload, replicated,
# download), columns ops/s, MiB/s, p50, p99 for W = 1 and for W = 2, and the cost of W = 2 for
# 1 MiB files against W = 1's upload row and against W = 1's replicated row (the time until the
# peer's asynchronous copy exists too).
#
# Environment:
#   FSYNC=false   storage.fsync (default true)
#   KEEP=1        keep the temporary directory (data, logs, bench JSON) instead of removing it
#   TRACKER_PORT, STORAGE_PORT1/2/3, HZ_PORT   ports (default 22410, 23411/23412/23413, 5931)
#   SERVER_JAVA_OPTS, BENCH_JAVA_OPTS          JVM options (default -Xmx512m each)
#   WARMUP, SMALL_FILES, LARGE_FILES, CATCHUP_FILES   counts (default 300, 5000, 1000, 3000)
#   SUBDIRS       storage.subdirCount (default 32)
#   PIN=1         one source, one replica, each on its own core: every upload goes to storage 1
#                 (tracker.storeServer=2, storage 2 has a lower upload priority), which runs with
#                 the tracker and the bench on CPU 0 while storage 2 runs alone on CPU 1. On one
#                 machine this is the nearest to a peer on another machine (it still shares the
#                 disk); without it both storages take uploads and share both cores with the rest.
#
# Every server binds 127.0.0.1. Every process the script starts is stopped by its PID on exit
# (also on Ctrl-C or an error); every wait has a timeout and every bench a --max-seconds.
set -euo pipefail

cd "$(dirname "$0")/.."
JAR=target/dfstree.jar
if [[ ! -f $JAR ]]; then
  echo "error: $JAR not found: build it first with  mvn -B package -DskipTests" >&2
  exit 2
fi
command -v python3 >/dev/null || { echo "error: python3 is needed to read bench's JSON" >&2; exit 2; }

FSYNC=${FSYNC:-true}
KEEP=${KEEP:-0}
TRACKER_PORT=${TRACKER_PORT:-22410}
STORAGE_PORTS=("${STORAGE_PORT1:-23411}" "${STORAGE_PORT2:-23412}" "${STORAGE_PORT3:-23413}")
HZ_PORT=${HZ_PORT:-5931}
# 32 x 32 data directories per store path instead of the default 256 x 256: creating and removing
# 65536 directories per storage takes many seconds on a small machine, and a few thousand files
# spread over 1024 directories are as spread out as over 65536 (100 files per directory)
SUBDIRS=${SUBDIRS:-32}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:--Xmx512m}
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx512m}
TRACKER=127.0.0.1:$TRACKER_PORT
PIN=${PIN:-0}
PIN_SOURCE=()
PIN_REPLICA=()
TRACKER_EXTRA=()
if [[ $PIN == 1 ]]; then
  command -v taskset >/dev/null || { echo "error: PIN=1 needs taskset (util-linux)" >&2; exit 2; }
  PIN_SOURCE=(taskset -c 0)
  PIN_REPLICA=(taskset -c 1)
  TRACKER_EXTRA=(--set tracker.storeServer=2)
fi

WARMUP=${WARMUP:-300}
SMALL_FILES=${SMALL_FILES:-5000}   # 4 KiB files per bench
LARGE_FILES=${LARGE_FILES:-1000}   # 1 MiB files per bench
CONNECTIONS=16
MAX_SECONDS=60
START_TIMEOUT=120      # seconds for a cluster to show its storages ACTIVE
CATCHUP_TIMEOUT=300    # seconds for the new member to turn ACTIVE
CATCHUP_FILES=${CATCHUP_FILES:-3000}
CATCHUP_KIB=64

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dfstree-cluster-bench.XXXXXX")
RESULTS=$WORK/results
mkdir -p "$RESULTS"
PIDS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Stops one process we started: SIGTERM, then SIGKILL after 15 s.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local i
  # storages first, the tracker (started first) last
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${PIDS[i]}"
  done
  PIDS=()
}

cleanup() {
  local rc=$?
  stop_all
  if [[ $KEEP == 1 ]]; then
    echo "kept $WORK (data, logs, bench JSON)"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for p in "$TRACKER_PORT" "${STORAGE_PORTS[@]}"; do
  if port_in_use "$p"; then
    echo "error: port $p on 127.0.0.1 is in use; choose others with TRACKER_PORT / STORAGE_PORT1..3" >&2
    exit 2
  fi
done

# Cluster options shared by every server of one run; the name keeps it apart from any other.
CLUSTER_ARGS=()
cluster_args() {
  CLUSTER_ARGS=(--cluster --set "cluster.name=dfstree-bench-$$-$1-$RANDOM" --set cluster.host=127.0.0.1
    --set "cluster.port=$HZ_PORT" --set cluster.members=127.0.0.1)
}

start_tracker() {
  local logf=$1
  # shellcheck disable=SC2086
  "${PIN_SOURCE[@]}" java $SERVER_JAVA_OPTS -jar "$JAR" tracker "${CLUSTER_ARGS[@]}" "${TRACKER_EXTRA[@]}" \
    --set tracker.host=127.0.0.1 --set "tracker.port=$TRACKER_PORT" >"$logf" 2>&1 &
  PIDS+=($!)
}

# start_storage ID PORT DIR W LOG
start_storage() {
  local pin=("${PIN_SOURCE[@]}") priority=10
  if [[ $1 != 1 && $PIN == 1 ]]; then
    pin=("${PIN_REPLICA[@]}")
    priority=20
  fi
  # shellcheck disable=SC2086
  "${pin[@]}" java $SERVER_JAVA_OPTS -jar "$JAR" storage "${CLUSTER_ARGS[@]}" --set "storage.uploadPriority=$priority" \
    --set "storage.id=$1" --set storage.host=127.0.0.1 --set "storage.port=$2" \
    --set "storage.storePaths=$3" --set "storage.writeQuorum=$4" --set "storage.fsync=$FSYNC" \
    --set storage.reservedSpace=512M --set "storage.subdirCount=$SUBDIRS" >"$5" 2>&1 &
  PIDS+=($!)
}

# active_count: storages the tracker lists as ACTIVE (0 when it does not answer yet)
active_count() {
  local out
  # shellcheck disable=SC2086
  out=$(timeout 30 java $BENCH_JAVA_OPTS -jar "$JAR" monitor --tracker "$TRACKER" --json --timeout 5 2>/dev/null) || { echo 0; return; }
  python3 -c '
import json, sys
try:
    doc = json.loads(sys.stdin.read())
except ValueError:
    print(0); sys.exit()
print(sum(1 for g in doc.get("groups", []) for s in g.get("storages", []) if s.get("status") == "ACTIVE"))
' <<<"$out"
}

# wait_active N TIMEOUT: until the tracker lists N ACTIVE storages; fails after TIMEOUT seconds
wait_active() {
  local want=$1 timeout=$2 start=$SECONDS n
  while true; do
    n=$(active_count)
    if ((n >= want)); then
      return 0
    fi
    for pid in "${PIDS[@]}"; do
      if ! kill -0 "$pid" 2>/dev/null; then
        echo "error: server process $pid exited; see its log above" >&2
        return 1
      fi
    done
    if ((SECONDS - start > timeout)); then
      echo "error: only $n of $want storages ACTIVE after $timeout s" >&2
      return 1
    fi
    sleep 1
  done
}

# content files (data/XX/YY/name) under a store path
content_files() { find "$1" -path '*/data/[0-9A-F][0-9A-F]/[0-9A-F][0-9A-F]/*' -type f ! -name '*-m' 2>/dev/null | wc -l; }

# summarize JSON RC: one line per phase of a bench run, with its first error
summarize() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
path, rc = sys.argv[1], sys.argv[2]
try:
    doc = json.load(open(path))
except (OSError, ValueError):
    print("  bench exit %s, no JSON: %s" % (rc, open(path + ".err").read().strip()[:500]))
    sys.exit()
for p in doc["phases"]:
    mib = "-" if p["mibPerSecond"] is None else "%.1f MiB/s" % p["mibPerSecond"]
    line = "  %-10s %6d ok %4d err %6.2f s %9.1f ops/s %s" % (p["operation"], p["count"], p["errors"], p["seconds"],
                                                              p["opsPerSecond"], mib)
    print(line + ("   first error: " + p["firstError"] if p["firstError"] else ""))
if doc.get("warmupReturned"):
    print("  warning: %d deleted warm-up files came back on a member" % doc["warmupReturned"])
if rc != "0":
    print("  bench exit code " + rc)
EOF
}

# run_bench W LABEL SIZE N: one bench run, its JSON kept in $RESULTS/wW-LABEL.json
run_bench() {
  local w=$1 label=$2 size=$3 n=$4 out=$RESULTS/w$1-$2.json rc=0
  log "W=$w: bench -s $size -n $n -c $CONNECTIONS --warmup $WARMUP --replication --max-seconds $MAX_SECONDS"
  # shellcheck disable=SC2086
  timeout $((MAX_SECONDS * 8 + 600)) "${PIN_SOURCE[@]}" java $BENCH_JAVA_OPTS -jar "$JAR" bench --tracker "$TRACKER" -s "$size" -n "$n" \
    -c "$CONNECTIONS" --warmup "$WARMUP" --replication --max-seconds "$MAX_SECONDS" --json >"$out" 2>"$out.err" || rc=$?
  summarize "$out" "$rc"
}

# server_problems W DIR: counts the servers' error answers and warnings other than start-up noise
server_problems() {
  local lines
  lines=$(grep -hE ' (WARN|ERROR) |EEXIST|EBUSY|EIO ' "$2"/logs/*.log 2>/dev/null \
    | grep -vE 'c\.hazelcast|c\.h\.|MeterRegistry|MessageConsumerImpl|Discarding message' || true)
  if [[ -n $lines ]]; then
    log "W=$1: $(wc -l <<<"$lines") server warnings or error answers in the logs, first ones:"
    head -n 5 <<<"$lines" | cut -c1-300 | sed 's/^/    /'
  fi
}

# run_w W: a fresh cluster with storage.writeQuorum=W, the two bench runs, and for W=2 the catch-up
run_w() {
  local w=$1 dir=$WORK/w$1
  mkdir -p "$dir/logs"
  cluster_args "w$w"
  log "W=$w: starting tracker 127.0.0.1:$TRACKER_PORT and storages 1, 2 on ${STORAGE_PORTS[0]}, ${STORAGE_PORTS[1]} (fsync $FSYNC)"
  start_tracker "$dir/logs/tracker.log"
  start_storage 1 "${STORAGE_PORTS[0]}" "$dir/store1" "$w" "$dir/logs/storage1.log"
  start_storage 2 "${STORAGE_PORTS[1]}" "$dir/store2" "$w" "$dir/logs/storage2.log"
  if ! wait_active 2 "$START_TIMEOUT"; then
    tail -n 20 "$dir"/logs/*.log >&2
    return 1
  fi
  log "W=$w: both storages ACTIVE"
  run_bench "$w" 4K 4K "$SMALL_FILES"
  run_bench "$w" 1M 1M "$LARGE_FILES"
  sleep 2
  log "W=$w: content files left after the benches' deletes: store1 $(content_files "$dir/store1"), store2 $(content_files "$dir/store2")"

  if [[ $w == 2 ]]; then
    local crc=0
    log "W=2: catch-up: uploading $CATCHUP_FILES x $CATCHUP_KIB KiB (kept), then starting storage 3 empty"
    # shellcheck disable=SC2086
    timeout $((MAX_SECONDS * 4 + 300)) java $BENCH_JAVA_OPTS -jar "$JAR" bench --tracker "$TRACKER" -s "${CATCHUP_KIB}K" \
      -n "$CATCHUP_FILES" -c "$CONNECTIONS" --skip-delete --max-seconds "$MAX_SECONDS" --json \
      >"$RESULTS/catchup-load.json" 2>"$RESULTS/catchup-load.err" || crc=$?
    summarize "$RESULTS/catchup-load.json" "$crc"
    local t0ns
    t0ns=$(date +%s%N)
    start_storage 3 "${STORAGE_PORTS[2]}" "$dir/store3" "$w" "$dir/logs/storage3.log"
    if wait_active 3 "$CATCHUP_TIMEOUT"; then
      local wall
      wall=$(python3 -c "import sys; print('%.1f' % ((int(sys.argv[2]) - int(sys.argv[1])) / 1e9))" "$t0ns" "$(date +%s%N)")
      echo "$wall" >"$RESULTS/catchup-wall"
      log "W=2: storage 3 ACTIVE at the tracker ${wall} s after its process started"
    else
      log "W=2: storage 3 did not turn ACTIVE within $CATCHUP_TIMEOUT s"
    fi
    grep -h 'caught up with' "$dir/logs/storage3.log" | sed 's/^.* - //' >"$RESULTS/catchup-lines" || true
    echo "$(content_files "$dir/store3")" >"$RESULTS/catchup-files-on-3"
  fi

  stop_all
  server_problems "$w" "$dir"
  if [[ $KEEP != 1 ]]; then
    rm -rf "$dir"/store*
  fi
  log "W=$w: servers stopped, data removed"
}

log "dfstree cluster bench: $(java -version 2>&1 | head -1), $(nproc) cores, fsync=$FSYNC, work dir $WORK"
run_w 1
run_w 2

python3 - "$RESULTS" "$FSYNC" "$CATCHUP_FILES" "$CATCHUP_KIB" "$PIN" <<'EOF'
import json, os, re, sys
res, fsync, catchup_files, catchup_kib, pin = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def load(w, label):
    try:
        doc = json.load(open(os.path.join(res, "w%d-%s.json" % (w, label))))
        return {p["operation"]: p for p in doc["phases"]}
    except (OSError, ValueError):
        return {}

def cell(p, key, fmt):
    if p is None or p.get(key) is None:
        return "-"
    return fmt % p[key]

sizes = [("4K", "4 KiB"), ("1M", "1 MiB")]
data = {(w, s): load(w, s) for w in (1, 2) for s, _ in sizes}
print()
print("=" * 104)
print("W=1 vs W=2: 1 tracker + 1 group x 2 storages on 127.0.0.1, bench -c 16 --warmup --replication, "
      "fsync=%s" % fsync)
print("(replicated = until every file is on both members, timed from the start of the upload phase)")
if pin == "1":
    print("PIN=1: uploads all go to storage 1 (CPU 0, with tracker and bench); storage 2 is the replica, alone on CPU 1")
print("=" * 104)
head = "%-6s %-11s | %9s %8s %8s %8s | %9s %8s %8s %8s" % (
    "size", "operation", "ops/s", "MiB/s", "p50 ms", "p99 ms", "ops/s", "MiB/s", "p50 ms", "p99 ms")
print("%-18s | %-38s | %-38s" % ("", "W=1 (async replication)", "W=2 (both copies before ack)"))
print(head)
print("-" * len(head))
for s, name in sizes:
    for op in ("upload", "replicated", "download"):
        row = "%-6s %-11s" % (name, op)
        for w in (1, 2):
            p = data[(w, s)].get(op)
            errs = p is not None and p.get("errors")
            row += " | %9s %8s %8s %8s" % (cell(p, "opsPerSecond", "%.1f"), cell(p, "mibPerSecond", "%.1f"),
                                           cell(p, "p50Ms", "%.2f"), cell(p, "p99Ms", "%.2f"))
            if errs:
                row += " (%d errors)" % p["errors"]
        print(row)
print("-" * len(head))

def cost(w2, w1):
    if not w1 or not w2 or not w1.get("mibPerSecond") or w2.get("mibPerSecond") is None:
        return "n/a"
    return "%.1f%%" % ((1 - w2["mibPerSecond"] / w1["mibPerSecond"]) * 100)

for s, name in reversed(sizes):
    w1, w2 = data[(1, s)], data[(2, s)]
    tag = " (goal: at most 30%)" if s == "1M" else ""
    print("W=2 cost vs W=1 (%s upload): %s   [W=2 upload vs W=1 upload]%s" % (name, cost(w2.get("upload"), w1.get("upload")), tag))
    print("W=2 cost vs W=1 replicated (%s): %s   [W=2 replicated vs W=1 replicated: both copies made]"
          % (name, cost(w2.get("replicated"), w1.get("replicated"))))

print()
print("Catch-up of a new, empty member (W=2 group, %d x %d KiB uploaded first):" % (catchup_files, catchup_kib))
lines = []
try:
    lines = [l.strip() for l in open(os.path.join(res, "catchup-lines")) if l.strip()]
except OSError:
    pass
files = mib = 0.0
longest = 0.0
for l in lines:
    print("  " + l)
    m = re.search(r"caught up with \S+: (\d+) files, ([\d.]+) MiB in ([\d.]+) s", l)
    if m:
        files += int(m.group(1)); mib += float(m.group(2)); longest = max(longest, float(m.group(3)))
if not lines:
    print("  (no 'caught up with' line in storage 3's log)")
if longest > 0:
    print("  overall: %d files, %.1f MiB in %.1f s (peers copied in parallel): %.1f MiB/s, %.0f files/s"
          % (files, mib, longest, mib / longest, files / longest))
try:
    wall = float(open(os.path.join(res, "catchup-wall")).read())
    on3 = int(open(os.path.join(res, "catchup-files-on-3")).read())
    print("  wall clock, process start to ACTIVE at the tracker (JVM start and cluster join included): %.1f s,"
          " %d files on storage 3: %.0f files/s, %.1f MiB/s" % (wall, on3, on3 / wall, on3 * catchup_kib / 1024 / wall))
except (OSError, ValueError):
    pass
EOF
