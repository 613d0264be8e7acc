#!/usr/bin/env bash
# CPU per operation of the server AND of the benchmark client, S3 beside the FastDFS protocol, per
# phase (PUT/upload, GET/download, DELETE), with the server's system calls per operation.
#
#   flock /work/bench.lock bash benchmark/s3-cpu-split.sh /work/main97.jar /tmp/split 1000
#
# Both clients run on the same cores as the server, so a client that costs more CPU per operation
# lowers its row: this shows both sides. Starts JAR as an all-in-one, warms it (600 objects and a
# 300-object warm-up per kind), then runs `bench` and `bench-s3` once each (N objects of 1 MiB,
# c=16) under a system-wide `perf record` (cpu-clock at 499 Hz, plus every link/sendfile/unlink/
# fsync/fdatasync/write/pwrite64/futex/writev/read entered). The phases are found from the server's
# own calls: PUT = first to last link(2), GET = sendfile(2), DELETE = unlink(2) after the last
# sendfile; each holds N operations. benchmark/s3-cpu-split.py prints, per phase: ms of CPU per
# operation of the server, of the client and of everything else on the machine (the load), the
# server's thread kinds, and its system calls per operation. Needs perf and root.
set -euo pipefail
JAR=$(realpath "$1"); OUT=$(realpath -m "$2"); N=${3:-1000}
mkdir -p "$OUT"
HERE=$(cd "$(dirname "$0")" && pwd)
read -r TPORT SPORT THTTP SHTTP S3PORT < <(python3 -c 'import socket
ss=[socket.socket() for _ in range(5)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))')
DIR=$(mktemp -d /tmp/s3-cpu-split.XXXX)
(cd "$DIR" && exec java -Xmx1g -jar "$JAR" all-in-one \
  --set tracker.port=$TPORT --set storage.port=$SPORT --set tracker.httpPort=$THTTP \
  --set storage.httpPort=$SHTTP --set s3.port=$S3PORT --set storage.storePaths=$DIR/data \
  > "$DIR/server.log" 2>&1) &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 1 120); do grep -q " started" "$DIR/server.log" && break; sleep 1; done
grep -q " started" "$DIR/server.log" || { cat "$DIR/server.log"; echo "error: server did not start" >&2; exit 1; }
KEY=$(grep -o "access key [A-Za-z0-9]*" "$DIR/server.log" | head -1 | awk '{print $3}')
SECRET=$(grep -o "secret [A-Za-z0-9/+]*" "$DIR/server.log" | head -1 | awk '{print $2}')
client() { # kind n warm (exec: run it in a subshell, so that $! is the client's JVM)
  if [[ $1 == protocol ]]; then
    exec java -jar "$JAR" bench --tracker 127.0.0.1:$TPORT -n "$2" -s 1M -c 16 --warmup "$3" --server-pid $PID
  else
    exec java -jar "$JAR" bench-s3 --endpoint http://127.0.0.1:$S3PORT --access-key "$KEY" \
      --secret-key "$SECRET" -n "$2" -s 1M -c 16 --warmup "$3" --server-pid $PID
  fi
}
for kind in protocol s3; do (client $kind 600 300) > "$OUT/$kind-warm.txt" 2>&1 || true; done
# every system call entered counted (-c 1), the CPU sampled every 2 ms (499 Hz, as the .py assumes)
EVENTS=(-c 1 -e cpu-clock/period=2003992/)
for s in link sendfile64 unlink fsync fdatasync write pwrite64 futex writev read; do
  EVENTS+=(-e "syscalls:sys_enter_$s")
done
for kind in protocol s3; do
  echo "== $kind (load $(cut -d' ' -f1-3 /proc/loadavg))"
  perf record -a "${EVENTS[@]}" -o "$OUT/$kind.data" >/dev/null 2>&1 &
  RP=$!
  sleep 1
  (client $kind "$N" 0) > "$OUT/$kind.txt" 2>&1 &
  CP=$!
  wait $CP || true
  sleep 0.5
  kill -INT $RP 2>/dev/null || { echo "error: perf record ended early" >&2; exit 1; }
  wait $RP || true
  grep -E "^(upload|download|put|get|delete) " "$OUT/$kind.txt" || true
  echo "$PID $CP" > "$OUT/$kind.pids" # server, client: to run s3-cpu-split.py again
  python3 "$HERE/s3-cpu-split.py" "$OUT/$kind.data" $PID $CP "$N"
done
