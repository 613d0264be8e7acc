#!/usr/bin/env bash
# The nemesis soak: NemesisIT (2 trackers, 3 storages, each in a network namespace of its own,
# under load from the official FastDFS client) for many rounds. Rounds cycle through the faults
# (storage<->storage partition, storage<->tracker partition, a tracker cut off from everyone,
# kill -9 + restart, SIGSTOP/SIGCONT, 5 % loss on every host, a 1 mbit link, clock skew) and each
# prints ops, failed, acknowledged, lost, wrong, resurrected. Needs root, iproute2, iptables.
#
#   benchmark/nemesis.sh --rounds 50 --minutes 30 [--threads 4] [--no-faketime]   (or --seconds S per round)
#
# --no-faketime skips the clock-skew round (a storage restarted under `faketime -f +90s`; see
# README, "Nemesis"). Builds the jar first unless NO_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=50 seconds=30 minutes="" threads=4 faketime=true
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --minutes) minutes="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --no-faketime) faketime=false; shift ;;
    --faketime) faketime=true; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
# --minutes M spreads M minutes of load over the rounds (settle and checks come on top)
if [ -n "$minutes" ]; then seconds=$(( minutes * 60 / rounds )); fi
if [ "$(id -u)" != 0 ]; then echo "nemesis.sh needs root (network namespaces, iptables, tc)" >&2; exit 1; fi
[ "${NO_BUILD:-0}" = 1 ] || mvn -q -B package -DskipTests
mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=NemesisIT \
  -Dnemesis.rounds="$rounds" -Dnemesis.roundSeconds="$seconds" -Dnemesis.threads="$threads" \
  -Dnemesis.faketime="$faketime" | grep --line-buffered -E '^nemesis|Tests run|BUILD|FAIL'
