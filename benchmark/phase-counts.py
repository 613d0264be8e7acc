#!/usr/bin/env python3
"""System calls, context switches and CPU per operation of each measured benchmark phase, by
server process and thread kind: counts, which stay comparable on a loaded machine where rates and
latencies do not (issue 8's before/after, benchmark/PROFILE.md "Counted per operation").

  python3 benchmark/phase-counts.py watch BENCH.log OUTDIR [WINDOW_S] &
  benchmark/fastdfs-compare.sh ... > BENCH.log 2>&1
  python3 benchmark/phase-counts.py sum OUTDIR

  python3 benchmark/phase-counts.py trace BENCH.log OUTDIR [WINDOW_S] &   (instead of watch)
  python3 benchmark/phase-counts.py times OUTDIR

`trace` runs `perf trace -s` instead (slower: every call is recorded): how long the disk and
event-loop threads spent in fdatasync, fsync, unlink, close, ... per operation and per call. With
fsync on, a small upload's time on its disk thread is mostly those waits.

`watch` follows the PeerBench log; when a phase starts ("<system> <op>: phase started") it runs
`perf stat --per-thread` on every server pid of that system for WINDOW_S seconds (default 6; keep
it shorter than the phase, or the next phase's work is counted too). Needs perf and root (or
perf_event_paranoid <= 1). Operations are counted from the storages' accept4 calls: the official
client opens one storage connection per operation (peer connections are pooled, a handful), so
use it with --clients official.
"""
import collections
import glob
import os
import re
import subprocess
import sys
import time

SYSCALLS = (
    "fsync fdatasync openat rename renameat renameat2 link linkat unlink unlinkat write pwrite64"
    " writev futex sendto recvfrom read accept4 connect close statx newfstatat utimensat"
    " pread64 sendfile64 epoll_wait"
).split()
EVENTS = ["task-clock", "raw_syscalls:sys_enter", "context-switches"] + [
    "syscalls:sys_enter_" + s for s in SYSCALLS
]
SHOW = ["raw_syscalls:sys_enter", "context-switches", "fsync", "fdatasync", "openat", "link",
        "unlink", "unlinkat", "renameat", "rename", "write", "pwrite64", "futex", "sendto",
        "recvfrom", "read", "close", "statx", "utimensat"]


TRACED = "fdatasync,fsync,futex,link,openat,close,unlink,write,pwrite64,accept4,sendto,recvfrom,utimensat"


def perf_stat(path, pid, window):
    return ["perf", "stat", "--per-thread", "-x,", "-e", ",".join(EVENTS), "-p", str(pid),
            "-o", path + ".csv", "--", "sleep", str(window)]


def perf_trace(path, pid, window):
    return ["timeout", str(window + 10), "perf", "trace", "-s", "-e", TRACED, "-o", path + ".txt",
            "-p", str(pid), "--", "sleep", str(window)]


def watch(log, out, window, command=perf_stat):
    os.makedirs(out, exist_ok=True)
    pids, topo, seen = {}, None, 0
    deadline = time.time() + 4 * 3600  # bounded, like every load loop here
    while time.time() < deadline:
        try:
            with open(log) as f:
                text = f.read()
            # whole lines only: a line read while half written was skipped for good (in one run
            # both base systems went uncounted)
            lines = text[: text.rfind("\n") + 1].splitlines()
        except FileNotFoundError:
            time.sleep(0.2)
            continue
        for line in lines[seen:]:
            m = re.search(r"\] (single|group) (\S+): ready at tracker \S+, server pids \[([\d, ]+)\]", line)
            if m:
                topo, pids[m.group(2)] = m.group(1), [int(x) for x in m.group(3).split(",")]
            m = re.search(r"\] (\S+) (upload|download|delete): phase started", line)
            if m and m.group(1) in pids:
                system, op = m.group(1), m.group(2)
                for i, pid in enumerate(pids[system]):
                    role = ["tracker", "s1", "s2"][i] if topo == "group" and len(pids[system]) == 3 else f"p{i}"
                    subprocess.Popen(command(f"{out}/{topo}-{system}-{op}-{role}", pid, window),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if "load average at end" in line:
                time.sleep(window + 1)
                return
        seen = len(lines)
        time.sleep(0.1)


def load(path):
    total, kinds = collections.Counter(), collections.defaultdict(collections.Counter)
    with open(path) as f:
        for line in f:
            p = line.strip().split(",")
            if line.startswith("#") or len(p) < 4 or not p[1].replace(".", "").isdigit():
                continue
            kind = re.sub(r"[-#]?\d+$", "", re.sub(r"-\d+$", "", p[0]))  # thread name without ids
            event, n = p[3].replace("syscalls:sys_enter_", ""), float(p[1])
            total[event] += n
            kinds[kind][event] += n
    return total, kinds


def summarize(out):
    phases = collections.defaultdict(dict)
    for path in sorted(glob.glob(out + "/*.csv")):
        topo, rest = os.path.basename(path)[:-4].split("-", 1)
        system, op, role = rest.rsplit("-", 2)
        phases[(topo, system, op)][role] = load(path)
    print("per operation (operations = the storages' accept4 in the window)")
    print("%-26s %-7s %6s " % ("phase", "role", "ops") + " ".join("%9s" % s[:9] for s in SHOW))
    order = sorted(phases.items(), key=lambda x: (x[0][0], x[0][2], x[0][1]))
    for (topo, system, op), roles in order:
        ops = sum(t[0]["accept4"] for r, t in roles.items() if r != "tracker")
        if not ops:
            continue
        every = collections.Counter()
        name = f"{topo} {system} {op}"
        for role, (total, _) in sorted(roles.items()):
            every.update(total)
            print("%-26s %-7s %6d " % (name, role, ops) + " ".join("%9.2f" % (total[s] / ops) for s in SHOW))
        print("%-26s %-7s %6d " % (name, "ALL", ops) + " ".join("%9.2f" % (every[s] / ops) for s in SHOW))
    print()
    print("CPU us per operation by thread kind (task-clock; top 8 per process)")
    for (topo, system, op), roles in order:
        ops = sum(t[0]["accept4"] for r, t in roles.items() if r != "tracker")
        if not ops:
            continue
        for role, (total, kinds) in sorted(roles.items()):
            top = sorted(kinds.items(), key=lambda kv: -kv[1]["task-clock"])[:8]
            print("%-26s %-7s %6.0f | %s" % (
                f"{topo} {system} {op}", role, total["task-clock"] * 1000 / ops,
                "  ".join("%s %.0f" % (k[:16], c["task-clock"] * 1000 / ops) for k, c in top)))


def times(out):
    """Sums `perf trace -s` files: per phase and thread kind, calls and time per operation."""
    counts = {}
    for path in sorted(glob.glob(out + "/*.csv")):
        counts[os.path.basename(path)[:-4]] = load(path)[0]["accept4"]
    for path in sorted(glob.glob(out + "/*.txt")):
        calls = collections.defaultdict(lambda: [0, 0.0])
        kind = None
        with open(path) as f:
            for line in f:
                m = re.match(r"\s*(.+?) \((\d+)\), \d+ events", line)
                if m:
                    kind = re.sub(r"[-#]?\d+$", "", m.group(1).strip())
                    continue
                m = re.match(r"\s+(\w+)\s+(\d+)\s+(\d+)\s+([\d.]+)", line)
                if m and kind and kind.startswith(("vert.x-e", "dfstree-disk", "vert.x-acc")):
                    c = calls[(kind, m.group(1))]
                    c[0] += int(m.group(2))
                    c[1] += float(m.group(4))
        ops = sum(n for (k, s), (n, t) in calls.items() if s == "accept4")
        print("== %s (%d accepts)" % (os.path.basename(path)[:-4], ops))
        for (k, s), (n, t) in sorted(calls.items(), key=lambda kv: -kv[1][1])[:12]:
            per_op = " %6.2f calls %8.0f us per operation" % (n / ops, t * 1000 / ops) if ops else ""
            print("  %-16s %-10s %7d calls %9.1f ms, %8.1f us each%s" % (k[:16], s, n, t, t * 1000 / n, per_op))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] in ("watch", "trace"):
        window = float(sys.argv[4]) if len(sys.argv) > 4 else 6.0
        watch(sys.argv[2], sys.argv[3], window, perf_stat if sys.argv[1] == "watch" else perf_trace)
    elif len(sys.argv) == 3 and sys.argv[1] == "sum":
        summarize(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "times":
        times(sys.argv[2])
    else:
        sys.exit(__doc__)
