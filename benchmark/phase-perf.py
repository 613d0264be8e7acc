#!/usr/bin/env python3
"""Where one measured phase's server CPU went, per operation: `perf record -g` of every server
process of one system while its phase runs, then the samples split by process and thread kind,
by system call (kernel) or user code, and by leaf frame (benchmark/PROFILE.md "grpup2").

  python3 benchmark/phase-perf.py record BENCH.log SYSTEM OP OUT [WINDOW_S] &
  benchmark/fastdfs-compare.sh ... --systems SYSTEM --server-jvm "-XX:+PreserveFramePointer" > BENCH.log
  python3 benchmark/phase-perf.py split OUT [TOP [OPERATIONS]]

`record` waits for "<topology> SYSTEM: ready at tracker ..., server pids [...]" and then for
"SYSTEM OP: phase started" in the PeerBench log, records cpu-clock (~999 Hz) with call graphs and
the storages' accept4 calls for WINDOW_S seconds (default 6: keep it shorter than the phase),
then asks each JVM for its JIT symbols (`jcmd Compiler.perfmap`, /tmp/perf-PID.map). Operations
are the accept4 calls: the official client opens one storage connection per operation (peer
connections are pooled), so use it with --clients official. Needs perf and root (or
perf_event_paranoid <= 1). A cpu-clock sample is ~1 ms of one thread's CPU; in a VM, samples taken
while interrupts were off land where they are turned on again (finish_task_switch,
_raw_spin_unlock_irqrestore, iowrite16 is the virtio doorbell), so read kernel leaves as "the
system call and what it woke", not as those functions.
"""
import collections
import re
import subprocess
import sys
import time

# cpu-clock sampled every 1,001,001 ns (~999 Hz) by period, not by -F: with -F perf samples the
# accept4 tracepoint by frequency too and keeps a few percent of the calls; with -c every call is
# a sample (checked: 1,000 accepts, 1,000 samples)
PERIOD_NS = 1001001


def record(log, system, op, out, window):
    pids, seen = None, 0
    deadline = time.time() + 3600  # bounded, like every loop here
    while time.time() < deadline:
        try:
            with open(log) as f:
                text = f.read()
        except FileNotFoundError:
            time.sleep(0.2)
            continue
        lines = text[: text.rfind("\n") + 1].splitlines()
        for line in lines[seen:]:
            m = re.search(r"\] (single|group) (\S+): ready at tracker \S+, server pids \[([\d, ]+)\]", line)
            if m and m.group(2) == system:
                pids = [int(x) for x in m.group(3).split(",")]
            m = re.search(r"\] (\S+) (\S+): phase started", line)
            if m and (m.group(1), m.group(2)) == (system, op) and pids:
                p = ",".join(map(str, pids))
                with open(out + ".err", "w") as err:
                    subprocess.run(["perf", "record", "-c", str(PERIOD_NS), "-g", "-e", "cpu-clock",
                                    "-e", "syscalls:sys_enter_accept4", "-o", out + ".data",
                                    "-p", p, "--", "sleep", str(window)],
                                   stdout=subprocess.DEVNULL, stderr=err)
                for pid in pids:
                    subprocess.run(["jcmd", str(pid), "Compiler.perfmap"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
                with open(out + ".pids", "w") as f:
                    f.write(p + "\n")
                return
        seen = len(lines)
        time.sleep(0.1)


def stacks(out):
    """(pid, thread kind, event, frames outermost first) per sample."""
    text = subprocess.run(["perf", "script", "-i", out + ".data", "-F", "comm,pid,event,ip,sym"],
                          capture_output=True, text=True).stdout
    cur = None
    for row in text.split("\n"):
        if not row.strip():
            continue
        if not row[0].isspace():  # "comm pid event:" starts a sample; its frames are indented
            if cur:
                yield cur[0], cur[1], cur[2], cur[3][::-1]
            head = re.match(r"(.+?)\s+(\d+)\s+(\S+?):?\s*$", row)
            kind = re.sub(r"[-#]?\d+\S*$", "", head.group(1)).strip() or head.group(1)
            cur = (int(head.group(2)), kind, head.group(3), [])
        elif cur:
            parts = row.strip().split(None, 1)
            cur[3].append(re.sub(r"\(.*", "", parts[1] if len(parts) > 1 else parts[0]))
    if cur:
        yield cur[0], cur[1], cur[2], cur[3][::-1]


def where(frames):
    calls = [f for f in frames if f.startswith("__x64_sys_")]
    if calls:
        return calls[0][len("__x64_sys_"):]
    if any(f.startswith(("entry_SYSCALL", "asm_", "irqentry", "ret_from")) for f in frames):
        return "kernel, other"
    return "user"


def split(out, top, ops_given=None):
    pids = [int(x) for x in open(out + ".pids").read().split(",")]
    role = {p: r for p, r in zip(pids, ["tracker", "s1", "s2"] if len(pids) == 3 else
                                 ["p%d" % i for i in range(len(pids))])}
    ops, cpu = 0, []
    for pid, kind, event, frames in stacks(out):
        if event.startswith("syscalls:sys_enter_accept4"):
            ops += 1
        elif event.startswith("cpu-clock"):
            cpu.append((role.get(pid, str(pid)), kind, frames))
    if ops_given:  # a recording made without the accept4 count (or with it sampled)
        print("accept4 samples %d; operations given: %d" % (ops, ops_given))
        ops = ops_given
    if not ops:
        print("no accept4 in the window")
        return
    us = PERIOD_NS / 1000 / ops  # one sample, in microseconds per operation
    print("%d operations (accept4), %d cpu samples: %.0f us/op of server CPU" % (ops, len(cpu), len(cpu) * us))
    kinds = collections.Counter((r, k) for r, k, _ in cpu)
    print("\nby thread kind, us/op")
    for (r, k), n in kinds.most_common(top):
        print("  %-8s %-22s %7.1f" % (r, k, n * us))
    for (r, k), n in kinds.most_common(top):
        if n * us < 10:
            break
        calls = collections.Counter(where(f) for rr, kk, f in cpu if (rr, kk) == (r, k))
        leaves = collections.Counter(f[-1] if f else "?" for rr, kk, f in cpu if (rr, kk) == (r, k))
        print("\n%s %s: %.1f us/op" % (r, k, n * us))
        print("  " + ", ".join("%s %.1f" % (c, m * us) for c, m in calls.most_common(8)))
        print("  leaves: " + ", ".join("%s %.1f" % (c[-60:], m * us) for c, m in leaves.most_common(6)))


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "record":
        record(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
               int(sys.argv[6]) if len(sys.argv) > 6 else 6)
    elif len(sys.argv) >= 3 and sys.argv[1] == "split":
        split(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 12,
              int(sys.argv[4]) if len(sys.argv) > 4 else None)
    else:
        sys.exit(__doc__)
