#!/usr/bin/env bash
# The tracker's CPU per query with the split client's shape and without the client's own cost: a C
# loop (tracker-loop.c) opens a tracker connection, writes QUERY_FETCH_ONE's header and body in two
# writes (Nagle on), reads the answer and closes, N times. First against ours (an all-in-one from
# JAR on free ports, fsync off; the tracker's event-loop thread's CPU from /proc/<pid>/task), then
# against FastDFS's tracker (../shared/fastdfs-peer, its process's user/system time), each after a
# 100,000-query warm-up, three runs of N each. With PERF=1 also 8 s of `perf record -g` on ours
# (JIT symbols from `jcmd Compiler.perfmap`) for benchmark/conn-cost-split.py. Run under `flock
# /work/bench.lock` like every timing run.
#
#   bash benchmark/tracker-cost.sh JAR NAME [N]        # N defaults to 20,000
set -uo pipefail
JAR=$(realpath "$1"); NAME=$2; N=${3:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
PEER=${FASTDFS_PEER:-$HERE/../../shared/fastdfs-peer/fastdfs-peer}
D=$(mktemp -d "/tmp/tracker-cost-$NAME-XXXX"); L=$D/tracker-loop
gcc -O2 -o "$L" "$HERE/tracker-loop.c"
PH=${FASTDFS_PEER_HOME:-$HOME/.cache/fastdfs-peer}
BIN=$("$PEER" bin)
export LD_LIBRARY_PATH=$BIN/../lib
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
sed -e "s#^tracker_server = .*#tracker_server = 127.0.0.1:$TP#" -e "s#^base_path = .*#base_path = $D#" "$PH"/conf/client.conf > "$D/client.conf"
head -c 4096 /dev/urandom > "$D/f.bin"
ID=$("$BIN/fdfs_upload_file" "$D/client.conf" "$D/f.bin")
echo "$NAME: pid $PID, tracker port $TP, file $ID"
G=${ID%%/*}; F=${ID#*/}
"$L" "$TP" 100000 60 127.0.0.1 "$G" "$F"  # warm-up
sleep 2
cpu_threads() { # tid|name cpu-ticks, one line per thread
  for t in /proc/$PID/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    n=${s#*(}; n=${n%)*}; rest=${s##*) }
    echo "${t##*/}|${n// /_} $(echo "$rest" | awk '{print $12+$13}')"
  done
}
for r in 1 2 3; do
  cpu_threads > t0; out=$("$L" "$TP" "$N" 30 127.0.0.1 "$G" "$F"); cpu_threads > t1
  n=$(echo "$out" | awk '{print $1}')
  echo "$NAME run $r: $out; by thread (us/query): $(join t0 t1 | awk -v n="$n" '{d=($3-$2)*10000/n; if (d>=1) printf "%s %.1f, ", $1, d}')"
done
if [ -n "${PERF:-}" ]; then
  perf record -F 4999 -g -p "$PID" -o "$D/perf.data" -- sleep 8 > /dev/null 2>&1 &
  PP=$!; sleep 0.3
  "$L" "$TP" 200000 7.5 127.0.0.1 "$G" "$F" | tee "$D/perf.queries"
  wait $PP
  jcmd "$PID" Compiler.perfmap > /dev/null
  perf script -i "$D/perf.data" -F comm,tid,ip,sym > "$D/perf.txt" 2> /dev/null
  echo "perf: $D/perf.txt"
fi
kill $PID; wait $PID 2>/dev/null
# FastDFS's tracker with the same loop
"$PEER" start > /dev/null
FID=$("$BIN/fdfs_upload_file" "$PH"/conf/client.conf "$D/f.bin")
TPID=$(tr -dc 0-9 < "$PH"/data/tracker/data/fdfs_trackerd.pid)
"$L" 22122 100000 60 127.0.0.10 "${FID%%/*}" "${FID#*/}" > /dev/null
for r in 1 2 3; do
  c0=$(awk '{print $14" "$15}' /proc/$TPID/stat)
  out=$("$L" 22122 "$N" 30 127.0.0.10 "${FID%%/*}" "${FID#*/}")
  c1=$(awk '{print $14" "$15}' /proc/$TPID/stat); n=$(echo "$out" | awk '{print $1}')
  echo "fastdfs run $r: $out; tracker user/sys us/query: $(echo $c0 $c1 | awk -v n=$n '{printf "%.1f/%.1f", ($3-$1)*10000/n, ($4-$2)*10000/n}')"
done
"$PEER" stop > /dev/null
echo DONE
