#!/usr/bin/env bash
# S3 against our FastDFS-protocol path on one all-in-one (issue 11's speed line).
#
#   bash benchmark/s3-compare.sh                     # 4 rounds of each, 1500 x 1 MiB, c=16 (~3 min quiet)
#   bash benchmark/s3-compare.sh --rounds 2 -n 500   # quicker
#   bash benchmark/s3-compare.sh --jar-as before=/tmp/main.jar --jar-as after=target/dfstree.jar
#                                                    # two builds, before/after in one run
#   bash benchmark/s3-compare.sh --jfr /tmp/prof     # plus a JFR recording of every run
#
# Starts each jar (target/dfstree.jar, or every --jar-as NAME=JAR) as an all-in-one in its own
# temporary directory on free loopback ports -- all of them at once, idle while another is
# measured -- then runs `bench` (FastDFS protocol: upload, verified download, delete) and `bench-s3`
# (PUT, verified GET, DELETE) against each in ABBA order: within a round protocol then S3 in odd
# rounds, S3 then protocol in even ones, and with several jars the jars' order is reversed in even
# rounds too, so that a load that drifts over the run weighs on every row alike. Both commands get
# --server-pid and report the server's CPU per operation (utime+stime from /proc/<pid>/stat over
# the phase) next to ops/s and p50/p99; the load average is printed before each run. At the end
# one table per jar pairs every round's rows, with the S3/protocol ratio of ops/s and of CPU per
# operation, and the geometric mean of the ratios over the rounds. A PUT phase of 1500 MiB lasts
# 4-10 s; at load 7-14 single rounds still ranged 0.55-1.11 and the 4-round means of one build
# moved by up to 0.28 between two runs (GET), so compare builds within one run (--jar-as).
# The S3 client (`bench-s3`) signs each request with SigV4 and sends the body plain with
# UNSIGNED-PAYLOAD: no checksum, no Expect, no aws-chunked framing. That is the cheapest request a
# client can send, on both sides. A default-configured AWS SDK for Java v2 (2.57.8, seen on the wire,
# session 9) over http:// sends more: Content-Encoding aws-chunked with
# STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (a SHA-256 and an HMAC per chunk, on both sides), a CRC32
# trailer and Expect: 100-continue (over https:// the SDK is meant to skip the chunk signatures,
# STREAMING-UNSIGNED-PAYLOAD-TRAILER: not checked on the wire here).
# benchmark/s3-cpu-split.sh shows the client's CPU per operation beside the server's.
# Options: --jar FILE | --jar-as NAME=JAR (repeatable) | -n N (files per run, default 1500) |
#   -s SIZE (1M) | -c N (16) | --rounds R (4) | --warmup N (300, before the first run of each
#   kind) | --server-jvm "ARGS" (default -Xmx1g) | --jfr DIR (jdk.ExecutionSample every 2 ms,
#   one file per run)
# Environment: KEEP=1 keeps the servers' directories and logs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=1500 SIZE=1M C=16 ROUNDS=4 WARMUP=300 SERVER_JVM="-Xmx1g" JFR=""
NAMES=() JARS=()
while (($#)); do
  case $1 in
    --jar) NAMES+=(this); JARS+=("$2"); shift ;;
    --jar-as) NAMES+=("${2%%=*}"); JARS+=("${2#*=}"); shift ;;
    -n) N=$2; shift ;;
    -s) SIZE=$2; shift ;;
    -c) C=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --server-jvm) SERVER_JVM=$2; shift ;;
    --jfr) JFR=$(realpath -m "$2"); shift ;;
    -h|--help) sed -n "2,/^[^#]/p" "$0" | sed "\$d"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((${#JARS[@]})) || { NAMES=(this); JARS=(target/dfstree.jar); }
for i in "${!JARS[@]}"; do
  JARS[i]=$(realpath "${JARS[i]}")
  [[ -f ${JARS[i]} ]] || { echo "error: ${JARS[i]} not found (mvn -q -B package -DskipTests)" >&2; exit 2; }
done
free_ports() { python3 -c 'import socket
ss=[socket.socket() for _ in range(5)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(" ".join(str(s.getsockname()[1]) for s in ss))'; }
TOP=$(mktemp -d /tmp/s3-compare.XXXX)
OUT=$TOP/results
: > "$OUT"
declare -A PID TPORT S3URL KEY SECRET
cleanup() {
  for n in "${NAMES[@]}"; do
    if [[ -n ${PID[$n]:-} ]]; then kill "${PID[$n]}" 2>/dev/null || true; wait "${PID[$n]}" 2>/dev/null || true; fi
  done
  if [[ ${KEEP:-0} == 1 ]]; then echo "kept $TOP"; else rm -rf "$TOP"; fi
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
for i in "${!NAMES[@]}"; do
  n=${NAMES[i]} jar=${JARS[i]} dir=$TOP/${NAMES[i]}
  mkdir -p "$dir"
  read -r tp sp th sh s3p < <(free_ports)
  # shellcheck disable=SC2086
  (cd "$dir" && exec java $SERVER_JVM -jar "$jar" all-in-one \
    --set tracker.port=$tp --set storage.port=$sp --set tracker.httpPort=$th \
    --set storage.httpPort=$sh --set s3.port=$s3p --set storage.storePaths=$dir/data \
    > "$dir/server.log" 2>&1) &
  PID[$n]=$! TPORT[$n]=$tp S3URL[$n]=http://127.0.0.1:$s3p
done
for n in "${NAMES[@]}"; do
  log=$TOP/$n/server.log
  for _ in $(seq 1 120); do grep -q " started" "$log" && break; sleep 1; done
  grep -q " started" "$log" || { cat "$log"; echo "error: server $n did not start" >&2; exit 1; }
  KEY[$n]=$(grep -o "access key [A-Za-z0-9]*" "$log" | head -1 | awk '{print $3}')
  SECRET[$n]=$(grep -o "secret [A-Za-z0-9/+]*" "$log" | head -1 | awk '{print $2}')
  echo "$n: server pid ${PID[$n]}, tracker 127.0.0.1:${TPORT[$n]}, s3 ${S3URL[$n]}"
done
for i in "${!NAMES[@]}"; do echo "  ${NAMES[i]} = ${JARS[i]}"; done
echo "$N x $SIZE, c=$C, $ROUNDS rounds ABBA"

run() { # jar-name kind round warmup
  local name=$1 kind=$2 round=$3 warm=$4 jfr_name="$1-$2-round$3" pid=${PID[$1]} jar
  for i in "${!NAMES[@]}"; do [[ ${NAMES[i]} == "$name" ]] && jar=${JARS[i]}; done
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== round $round $name $kind (load $load)"
  [[ -n $JFR ]] && jcmd "$pid" JFR.start name="$jfr_name" settings="$JFR/fine.jfc" >/dev/null
  local text
  if [[ $kind == protocol ]]; then
    text=$(java -jar "$jar" bench --tracker "127.0.0.1:${TPORT[$name]}" -n "$N" -s "$SIZE" -c "$C" \
      --warmup "$warm" --server-pid "$pid" 2>&1) || true
  else
    text=$(java -jar "$jar" bench-s3 --endpoint "${S3URL[$name]}" --access-key "${KEY[$name]}" \
      --secret-key "${SECRET[$name]}" -n "$N" -s "$SIZE" -c "$C" --warmup "$warm" \
      --server-pid "$pid" 2>&1) || true
  fi
  [[ -n $JFR ]] && jcmd "$pid" JFR.stop name="$jfr_name" filename="$JFR/$jfr_name.jfr" >/dev/null
  echo "$text" | grep -E "^(operation|upload|download|delete|put|get|first|error)"
  # jar round kind op ops/s p50 p99 cpu load1
  echo "$text" | awk -v j="$name" -v r="$round" -v k="$kind" -v l="${load%% *}" '
    $1 ~ /^(upload|put)$/ {o="write"} $1 ~ /^(download|get)$/ {o="read"} $1=="delete" {o="delete"}
    $1 ~ /^(upload|put|download|get|delete)$/ {print j, r, k, o, $4, $6, $7, $8, l; o=""}' >> "$OUT"
}
for r in $(seq 1 "$ROUNDS"); do
  order=("${NAMES[@]}")
  if ((r % 2 == 0)); then order=(); for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do order+=("${NAMES[i]}"); done; fi
  for n in "${order[@]}"; do
    w=0; ((r == 1)) && w=$WARMUP
    if ((r % 2 == 1)); then run "$n" protocol "$r" $w; run "$n" s3 "$r" $w; else run "$n" s3 "$r" 0; run "$n" protocol "$r" 0; fi
  done
done
for n in "${NAMES[@]}"; do
  echo
  echo "$n: S3 / FastDFS protocol, same server, ABBA rounds (cpu = server CPU us per operation)"
  awk -v j="$n" '
    $1 != j {next}
    {k=$2" "$4; if ($3=="protocol") {po[k]=$5; pp50[k]=$6; pp99[k]=$7; pc[k]=$8} else {so[k]=$5; sp50[k]=$6; sp99[k]=$7; sc[k]=$8}
     load[k]=(load[k]=="" ? $9 : load[k]"/"$9); keys[k]=1}
    END {
      printf "%-5s %-7s %9s %9s %6s | %15s %15s | %7s %7s %6s | %s\n", "round", "op", "fdfs op/s", "s3 op/s", "x ops",
        "fdfs p50/p99", "s3 p50/p99", "fdfs us", "s3 us", "x cpu", "load"
      split("write read delete", order, " ")
      for (i = 1; i <= 3; i++) { o = order[i]; n = 0; lo = 0; lc = 0; spc = 0; ssc = 0
        for (r = 1; (r" "o) in keys; r++) { k = r" "o
          if (po[k] == 0 || so[k] == 0) continue
          xo = so[k] / po[k]; xc = (pc[k] > 0 ? sc[k] / pc[k] : 0)
          printf "%-5s %-7s %9.1f %9.1f %6.2f | %7.1f/%-7.1f %7.1f/%-7.1f | %7s %7s %6.2f | %s\n", r, o, po[k], so[k], xo,
            pp50[k], pp99[k], sp50[k], sp99[k], pc[k], sc[k], xc, load[k]
          n++; lo += log(xo); spc += pc[k]; ssc += sc[k]; if (xc > 0) lc += log(xc) }
        if (n > 0) printf "%-5s %-7s %9s %9s %6.2f | %31s | %7.0f %7.0f %6.2f |\n", "geo", o, "", "", exp(lo / n), "mean cpu us:", spc / n, ssc / n, exp(lc / n) }
    }' "$OUT"
done
