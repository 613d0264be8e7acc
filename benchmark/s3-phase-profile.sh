#!/usr/bin/env bash
# Where a PUT's or a GET's server CPU goes, S3 beside the FastDFS protocol, per operation.
#
#   bash benchmark/s3-phase-profile.sh --phase get            # 3000 x 1 MiB, c=16
#   bash benchmark/s3-phase-profile.sh --phase put -n 1500 --seconds 4
#
# Starts target/dfstree.jar as an all-in-one (as s3-compare.sh does), then for each of `bench`
# (protocol) and `bench-s3`: one warm run (--warmup 300), then a second run during whose PUT or GET
# phase `perf record -g` samples the server's CPU (cpu-clock, 999 Hz, so a sample is ~1 ms) for
# --seconds, together with a tracepoint that marks one operation: link(2) for a PUT/upload (each
# new file is linked into place once), sendfile(2) for a GET/download. benchmark/perf-per-op.py
# then prints ms of CPU per operation by thread kind (event loop, disk, namespace, JIT...) and by
# where (user, kernel, inside sendfile), and the leaf frames that cost most. Counts per operation
# stay comparable on a loaded machine where rates do not; the JIT threads show how warm it was.
# Take -n large enough that the phase outlasts ~3 s + --seconds (attaching perf to the server's
# threads takes a while under load): a window outside the phase shows 0 operations.
# Needs perf and root. Options: --jar FILE | --phase put|get | -n N (3000) | --seconds S (3) |
#   --out DIR (kept; default a temporary one) | --top N (leaf frames shown, 20).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/dfstree.jar PHASE=get N=3000 SECONDS_REC=3 OUT="" TOP=20
while (($#)); do
  case $1 in
    --jar) JAR=$2; shift ;;
    --phase) PHASE=$2; shift ;;
    -n) N=$2; shift ;;
    --seconds) SECONDS_REC=$2; shift ;;
    --out) OUT=$2; shift ;;
    --top) TOP=$2; shift ;;
    -h|--help) sed -n "2,/^[^#]/p" "$0" | sed "\$d"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case $PHASE in put) MARK=link ;; get) MARK=sendfile64 ;; *) echo "error: --phase put|get" >&2; exit 2 ;; esac
JAR=$(realpath "$JAR")
[[ -f $JAR ]] || { echo "error: $JAR not found (mvn -q -B package -DskipTests)" >&2; exit 2; }
command -v perf >/dev/null || { echo "error: perf not installed" >&2; exit 2; }
read -r TPORT SPORT THTTP SHTTP S3PORT < <(python3 -c 'import socket
ss=[socket.socket() for _ in range(5)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))')
DIR=$(mktemp -d /tmp/s3-phase-profile.XXXX)
[[ -z $OUT ]] && OUT=$DIR/out
mkdir -p "$OUT"
(cd "$DIR" && exec java -Xmx1g -XX:+PreserveFramePointer -jar "$JAR" all-in-one \
  --set tracker.port=$TPORT --set storage.port=$SPORT --set tracker.httpPort=$THTTP \
  --set storage.httpPort=$SHTTP --set s3.port=$S3PORT --set storage.storePaths=$DIR/data \
  > "$DIR/server.log" 2>&1) &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DIR/data"' EXIT
for _ in $(seq 1 120); do grep -q " started" "$DIR/server.log" && break; sleep 1; done
grep -q " started" "$DIR/server.log" || { cat "$DIR/server.log"; echo "error: server did not start" >&2; exit 1; }
KEY=$(grep -o "access key [A-Za-z0-9]*" "$DIR/server.log" | head -1 | awk '{print $3}')
SECRET=$(grep -o "secret [A-Za-z0-9/+]*" "$DIR/server.log" | head -1 | awk '{print $2}')

record() { # file: wait for the phase, then sample
  if [[ $PHASE == put ]]; then
    sleep 3 # the measured run starts with its PUT phase
  else
    for _ in $(seq 1 900); do
      n=$(perf stat -x, -e syscalls:sys_enter_sendfile64 -p $PID -- sleep 0.2 2>&1 | grep sendfile | cut -d, -f1)
      [[ ${n:-0} -gt 50 ]] && break
    done
  fi
  perf record -F 999 -g -e cpu-clock -e syscalls:sys_enter_$MARK -p $PID -o "$1" -- sleep "$SECONDS_REC" >/dev/null 2>&1
}
for kind in protocol s3; do
  for rep in 1 2; do
    w=0; ((rep == 1)) && w=300
    ((rep == 2)) && { record "$OUT/$kind.data" & RP=$!; }
    if [[ $kind == protocol ]]; then
      java -jar "$JAR" bench --tracker 127.0.0.1:$TPORT -n "$N" -s 1M -c 16 --warmup $w --server-pid $PID > "$OUT/$kind-$rep.txt" 2>&1 || true
    else
      java -jar "$JAR" bench-s3 --endpoint http://127.0.0.1:$S3PORT --access-key "$KEY" --secret-key "$SECRET" \
        -n "$N" -s 1M -c 16 --warmup $w --server-pid $PID > "$OUT/$kind-$rep.txt" 2>&1 || true
    fi
    ((rep == 2)) && wait $RP
    echo "== $kind run $rep (load $(cut -d' ' -f1-3 /proc/loadavg))"
    grep -E "^(upload|download|put|get|delete) " "$OUT/$kind-$rep.txt" || true
  done
done
jcmd $PID Compiler.perfmap >/dev/null 2>&1 || true # Java frames' names for perf script
python3 benchmark/perf-per-op.py "$TOP" "$OUT/protocol.data" "$OUT/s3.data"
echo "perf data in $OUT"
