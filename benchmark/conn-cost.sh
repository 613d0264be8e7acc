#!/usr/bin/env bash
# A server's CPU per client connection without the client's own cost, against an all-in-one
# started from JAR on free ports (fsync off). A C loop does one thing per connection, N times:
#   storage (default): conn-loop.c opens a storage connection, sends ACTIVE_TEST, reads the answer,
#     sends QUIT and closes (the official client's shape);
#   tracker: tracker-loop.c opens a tracker connection, writes QUERY_FETCH_ONE's header and body in
#     two writes with Nagle on (the split client's shape), reads the answer and closes; then the
#     same loop against FastDFS's tracker (../shared/fastdfs-peer, its process's user/system time).
# Prints the JVM's CPU per connection (utime+stime of /proc/<pid>/stat, the share per thread kind)
# for three runs of N after a warm-up (60,000 connections; 100,000 queries); with PERF=1 also
# records 8 s of `perf record -g` (JIT symbols from `jcmd Compiler.perfmap`) for
# benchmark/conn-cost-split.py. Run under `flock /work/bench.lock` like every timing run.
#
#   bash benchmark/conn-cost.sh JAR NAME [N] [storage|tracker]   # N defaults to 20,000 (~2 s a run)
#   PERF=1 EXTRA_JVM="-XX:-Inline" bash benchmark/conn-cost.sh JAR NAME
set -euo pipefail
JAR=$(realpath "$1"); NAME=$2; N=${3:-20000}; MODE=${4:-storage}
[[ $MODE == storage || $MODE == tracker ]] || { echo "error: mode is storage or tracker" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d "/tmp/conn-cost-$NAME-XXXX")
gcc -O2 -o "$D/conn-loop" "$HERE/conn-loop.c"
gcc -O2 -o "$D/tracker-loop" "$HERE/tracker-loop.c"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
TP=$(free_port); SP=$(free_port); H1=$(free_port); H2=$(free_port)
cd "$D"
# shellcheck disable=SC2086
java -Xmx512m -XX:+PreserveFramePointer ${EXTRA_JVM:-} -jar "$JAR" all-in-one \
  --set tracker.host=127.0.0.1 --set tracker.port="$TP" --set tracker.httpPort="$H1" \
  --set storage.host=127.0.0.1 --set storage.port="$SP" --set storage.httpPort="$H2" \
  --set storage.storePaths="$D/store" --set storage.fsync=false --set storage.reservedSpace=256M \
  > "$D/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do grep -q " started" "$D/server.log" && break; sleep 0.2; done
if [[ $MODE == tracker ]]; then
  PEER=${FASTDFS_PEER:-$HERE/../../shared/fastdfs-peer/fastdfs-peer}
  PH=${FASTDFS_PEER_HOME:-$HOME/.cache/fastdfs-peer}
  BIN=$("$PEER" bin)
  export LD_LIBRARY_PATH=$BIN/../lib
  # a stored file for the queries to name, uploaded with FastDFS's own client
  sed -e "s#^tracker_server = .*#tracker_server = 127.0.0.1:$TP#" -e "s#^base_path = .*#base_path = $D#" \
    "$PH/conf/client.conf" > "$D/client.conf"
  head -c 4096 /dev/urandom > "$D/f.bin"
  ID=$("$BIN/fdfs_upload_file" "$D/client.conf" "$D/f.bin")
  loop() { "$D/tracker-loop" "$TP" "$1" "$2" 127.0.0.1 "${ID%%/*}" "${ID#*/}"; }
  WARM=100000
else
  loop() { "$D/conn-loop" "$SP" "$1" "$2"; }
  WARM=60000
fi
echo "$NAME: pid $PID, $MODE port $([[ $MODE == tracker ]] && echo "$TP" || echo "$SP"), files in $D"
loop "$WARM" 60 > /dev/null # warm-up (JIT)
sleep 2
threads() { # tid|name cpu-ticks, one line per thread
  for t in /proc/$PID/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    name=${s#*(}; name=${name%)*}; rest=${s##*) }
    echo "${t##*/}|${name// /_} $(echo "$rest" | awk '{print $12+$13}')"
  done
}
tick_us=$((1000000 / $(getconf CLK_TCK)))
for r in 1 2 3; do
  threads > "$D/t0.$r"; c0=$(awk '{print $14+$15}' /proc/$PID/stat)
  out=$(loop "$N" 30)
  c1=$(awk '{print $14+$15}' /proc/$PID/stat); threads > "$D/t1.$r"
  n=$(echo "$out" | awk '{print $1}')
  echo "$NAME run $r: $out; JVM CPU $(( (c1 - c0) * tick_us / n )) us/connection; by thread kind (us):" \
    "$(join "$D/t0.$r" "$D/t1.$r" | awk -v n="$n" -v t="$tick_us" '{split($1,a,"|"); k=a[2]; gsub(/[0-9]+/,"N",k); d[k]+=$3-$2}
      END {for (k in d) if (d[k]*t/n >= 0.5) printf "%s %.1f, ", k, d[k]*t/n}')"
done
if [ -n "${PERF:-}" ]; then
  perf record -F 4999 -g -p "$PID" -o "$D/perf.data" -- sleep 8 > /dev/null 2>&1 &
  PP=$!; sleep 0.3
  loop 200000 7.5 | tee "$D/perf.connections"
  wait $PP
  jcmd "$PID" Compiler.perfmap > /dev/null
  perf script -i "$D/perf.data" -F comm,tid,ip,sym > "$D/perf.txt" 2> /dev/null
  echo "perf samples: $D/perf.txt (python3 $HERE/conn-cost-split.py $D/perf.txt $(awk '{print $1}' "$D/perf.connections") 200.04)"
fi
if [[ $MODE == tracker ]]; then
  kill "$PID"; wait "$PID" 2>/dev/null || true
  "$PEER" start > /dev/null
  trap '"$PEER" stop > /dev/null' EXIT
  FID=$("$BIN/fdfs_upload_file" "$PH/conf/client.conf" "$D/f.bin")
  TPID=$(tr -dc 0-9 < "$PH/data/tracker/data/fdfs_trackerd.pid")
  floop() { "$D/tracker-loop" 22122 "$1" "$2" 127.0.0.10 "${FID%%/*}" "${FID#*/}"; }
  floop "$WARM" 60 > /dev/null
  for r in 1 2 3; do
    read -r u0 s0 < <(awk '{print $14, $15}' /proc/"$TPID"/stat)
    out=$(floop "$N" 30)
    read -r u1 s1 < <(awk '{print $14, $15}' /proc/"$TPID"/stat)
    n=$(echo "$out" | awk '{print $1}')
    echo "fastdfs run $r: $out; tracker CPU $(( (u1 - u0 + s1 - s0) * tick_us / n )) us/connection" \
      "(user $(( (u1 - u0) * tick_us / n )), system $(( (s1 - s0) * tick_us / n )))"
  done
fi
