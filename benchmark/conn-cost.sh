#!/usr/bin/env bash
# The storage's CPU per client connection, the official client's shape without the client's
# own cost: a C loop (conn-loop.c) opens a storage connection, sends ACTIVE_TEST, reads the
# answer, sends QUIT and closes, N times, against an all-in-one started from JAR on free ports
# (fsync off). Prints the JVM's CPU per connection (utime+stime of /proc/<pid>/stat, the loops'
# share per thread kind) for three runs of N after a 60,000-connection warm-up; with PERF=1 also
# records 8 s of `perf record -g` (JIT symbols from `jcmd Compiler.perfmap`) for
# benchmark/conn-cost-split.py. Run under `flock /work/bench.lock` like every timing run.
#
#   bash benchmark/conn-cost.sh JAR NAME [N]        # N defaults to 20,000 (about 2 s a run)
#   PERF=1 EXTRA_JVM="-XX:-Inline" bash benchmark/conn-cost.sh JAR NAME
set -euo pipefail
JAR=$(realpath "$1"); NAME=$2; N=${3:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d "/tmp/conn-cost-$NAME-XXXX")
gcc -O2 -o "$D/conn-loop" "$HERE/conn-loop.c"
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
echo "$NAME: pid $PID, storage port $SP, files in $D"
"$D/conn-loop" "$SP" 60000 40 > /dev/null # warm-up (JIT)
sleep 2
threads() { # tid|name cpu-ticks, one line per thread
  for t in /proc/$PID/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    name=${s#*(}; name=${name%)*}; rest=${s##*) }
    echo "${t##*/}|${name// /_} $(echo "$rest" | awk '{print $12+$13}')"
  done
}
for r in 1 2 3; do
  threads > "$D/t0.$r"; c0=$(awk '{print $14+$15}' /proc/$PID/stat)
  out=$("$D/conn-loop" "$SP" "$N" 30)
  c1=$(awk '{print $14+$15}' /proc/$PID/stat); threads > "$D/t1.$r"
  n=$(echo "$out" | awk '{print $1}')
  tick_us=$((1000000 / $(getconf CLK_TCK)))
  echo "$NAME run $r: $out; JVM CPU $(( (c1 - c0) * tick_us / n )) us/connection; by thread kind (us):" \
    "$(join "$D/t0.$r" "$D/t1.$r" | awk -v n="$n" -v t="$tick_us" '{split($1,a,"|"); k=a[2]; gsub(/[0-9]+/,"N",k); d[k]+=$3-$2}
      END {for (k in d) if (d[k]*t/n >= 0.5) printf "%s %.1f, ", k, d[k]*t/n}')"
done
if [ -n "${PERF:-}" ]; then
  perf record -F 4999 -g -p "$PID" -o "$D/perf.data" -- sleep 8 > /dev/null 2>&1 &
  PP=$!; sleep 0.3
  "$D/conn-loop" "$SP" 200000 7.5 | tee "$D/perf.connections"
  wait $PP
  jcmd "$PID" Compiler.perfmap > /dev/null
  perf script -i "$D/perf.data" -F comm,tid,ip,sym > "$D/perf.txt" 2> /dev/null
  echo "perf samples: $D/perf.txt (python3 $HERE/conn-cost-split.py $D/perf.txt $(awk '{print $1}' "$D/perf.connections") 200.04)"
fi
