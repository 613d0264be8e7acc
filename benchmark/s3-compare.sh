#!/usr/bin/env bash
# S3 against our FastDFS-protocol path on one all-in-one (issue 11's speed line).
#
#   bash benchmark/s3-compare.sh                     # 4 runs of each, 1 MiB, c=16 (~5 min quiet)
#   bash benchmark/s3-compare.sh --rounds 2 -n 500   # quicker
#   bash benchmark/s3-compare.sh --jfr /tmp/prof     # plus a JFR recording of every run
#
# Starts target/dfstree.jar (or --jar) as an all-in-one in a temporary directory on free loopback
# ports, then runs `bench` (FastDFS protocol: upload, verified download, delete) and `bench-s3`
# (PUT, verified GET, DELETE) against it in ABBA order -- protocol then S3 in odd rounds, S3 then
# protocol in even ones -- so that a load that drifts over the run weighs on both alike. Both
# commands get --server-pid and report the server's CPU per operation (utime+stime from
# /proc/<pid>/stat over the phase) next to ops/s and p50/p99; the load average is printed before
# each run. At the end one table pairs every round's rows, with the S3/protocol ratio of ops/s and
# of CPU per operation, and the geometric mean of the ratios over the rounds.
# Options: --jar FILE | -n N (files per run, default 1000) | -s SIZE (1M) | -c N (16) |
#   --rounds R (4) | --warmup N (200, before the first run of each kind) |
#   --server-jvm "ARGS" (default -Xmx1g) | --jfr DIR (jdk.ExecutionSample every 2 ms, one file per run)
# Environment: KEEP=1 keeps the server's directory and log.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/dfstree.jar N=1000 SIZE=1M C=16 ROUNDS=4 WARMUP=200 SERVER_JVM="-Xmx1g" JFR=""
while (($#)); do
  case $1 in
    --jar) JAR=$2; shift ;;
    -n) N=$2; shift ;;
    -s) SIZE=$2; shift ;;
    -c) C=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --server-jvm) SERVER_JVM=$2; shift ;;
    --jfr) JFR=$(realpath -m "$2"); shift ;;
    -h|--help) sed -n "2,20p" "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
JAR=$(realpath "$JAR")
[[ -f $JAR ]] || { echo "error: $JAR not found (mvn -q -B package -DskipTests)" >&2; exit 2; }
free_ports() { python3 -c 'import socket
ss=[socket.socket() for _ in range(5)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))'; }
read -r TPORT SPORT THTTP SHTTP S3PORT < <(free_ports)
DIR=$(mktemp -d /tmp/s3-compare.XXXX)
OUT=$DIR/results
: > "$OUT"
PID=""
cleanup() {
  if [[ -n $PID ]]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
[[ -n $JFR ]] && mkdir -p "$JFR" && cat > "$JFR/fine.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="fine sampling">
  <event name="jdk.ExecutionSample"><setting name="enabled">true</setting><setting name="period">2 ms</setting></event>
  <event name="jdk.NativeMethodSample"><setting name="enabled">true</setting><setting name="period">2 ms</setting></event>
  <event name="jdk.ThreadPark"><setting name="enabled">false</setting></event>
</configuration>
JFC
# shellcheck disable=SC2086
(cd "$DIR" && exec java $SERVER_JVM -jar "$JAR" all-in-one \
  --set tracker.port=$TPORT --set storage.port=$SPORT --set tracker.httpPort=$THTTP \
  --set storage.httpPort=$SHTTP --set s3.port=$S3PORT --set storage.storePaths=$DIR/data \
  > "$DIR/server.log" 2>&1) &
PID=$!
for _ in $(seq 1 120); do grep -q " started" "$DIR/server.log" && break; sleep 1; done
grep -q " started" "$DIR/server.log" || { cat "$DIR/server.log"; echo "error: server did not start" >&2; exit 1; }
KEY=$(grep -o "access key [A-Za-z0-9]*" "$DIR/server.log" | head -1 | awk '{print $3}')
SECRET=$(grep -o "secret [A-Za-z0-9/+]*" "$DIR/server.log" | head -1 | awk '{print $2}')
echo "server pid $PID: tracker 127.0.0.1:$TPORT, s3 http://127.0.0.1:$S3PORT; $N x $SIZE, c=$C, $ROUNDS rounds ABBA"

run() { # kind round warmup
  local kind=$1 round=$2 warm=$3 jfr_name="$1-round$2"
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== round $round $kind (load $load)"
  [[ -n $JFR ]] && jcmd "$PID" JFR.start name="$jfr_name" settings="$JFR/fine.jfc" >/dev/null
  local text
  if [[ $kind == protocol ]]; then
    text=$(java -jar "$JAR" bench --tracker "127.0.0.1:$TPORT" -n "$N" -s "$SIZE" -c "$C" \
      --warmup "$warm" --server-pid "$PID" 2>&1) || true
  else
    text=$(java -jar "$JAR" bench-s3 --endpoint "http://127.0.0.1:$S3PORT" --access-key "$KEY" \
      --secret-key "$SECRET" -n "$N" -s "$SIZE" -c "$C" --warmup "$warm" --server-pid "$PID" 2>&1) || true
  fi
  [[ -n $JFR ]] && jcmd "$PID" JFR.stop name="$jfr_name" filename="$JFR/$jfr_name.jfr" >/dev/null
  echo "$text" | grep -E "^(operation|upload|download|delete|put|get|first|error)"
  # round kind op ops/s p50 p99 cpu load1
  echo "$text" | awk -v r="$round" -v k="$kind" -v l="${load%% *}" '
    $1 ~ /^(upload|put)$/ {o="write"} $1 ~ /^(download|get)$/ {o="read"} $1=="delete" {o="delete"}
    $1 ~ /^(upload|put|download|get|delete)$/ {print r, k, o, $4, $6, $7, $8, l; o=""}' >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  wp=0; ws=0; ((r == 1)) && wp=$WARMUP && ws=$WARMUP
  if ((r % 2 == 1)); then run protocol "$r" $wp; run s3 "$r" $ws; else run s3 "$r" 0; run protocol "$r" 0; fi
done
echo
echo "S3 / FastDFS protocol, same server, ABBA rounds (cpu = server CPU us per operation)"
awk '
  {k=$1" "$3; if ($2=="protocol") {po[k]=$4; pp50[k]=$5; pp99[k]=$6; pc[k]=$7} else {so[k]=$4; sp50[k]=$5; sp99[k]=$6; sc[k]=$7}
   load[k]=(load[k]=="" ? $8 : load[k]"/"$8); keys[k]=1; rounds[$1]=1; ops[$3]=1}
  END {
    printf "%-5s %-7s %9s %9s %6s | %15s %15s | %7s %7s %6s | %s\n", "round", "op", "fdfs op/s", "s3 op/s", "x ops",
      "fdfs p50/p99", "s3 p50/p99", "fdfs us", "s3 us", "x cpu", "load"
    split("write read delete", order, " ")
    for (i = 1; i <= 3; i++) { o = order[i]; n = 0; lo = 0; lc = 0
      for (r = 1; (r" "o) in keys; r++) { k = r" "o
        xo = so[k] / po[k]; xc = (pc[k] > 0 ? sc[k] / pc[k] : 0)
        printf "%-5s %-7s %9.1f %9.1f %6.2f | %7.1f/%-7.1f %7.1f/%-7.1f | %7s %7s %6.2f | %s\n", r, o, po[k], so[k], xo,
          pp50[k], pp99[k], sp50[k], sp99[k], pc[k], sc[k], xc, load[k]
        n++; lo += log(xo); if (xc > 0) lc += log(xc) }
      if (n > 0) printf "%-5s %-7s %9s %9s %6.2f | %31s | %7s %7s %6.2f |\n", "geo", o, "", "", exp(lo / n), "", "", "", exp(lc / n) }
  }' "$OUT"
