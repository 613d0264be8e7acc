#!/usr/bin/env python3
"""Per-phase CPU per operation of server, client and the rest, and the server's system calls per
operation, from a perf file of benchmark/s3-cpu-split.sh: python3 s3-cpu-split.py DATA SERVER_PID CLIENT_PID N"""
import collections, re, subprocess, sys
path, spid, cpid, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out = subprocess.run(["perf", "script", "-i", path, "-F", "pid,tid,comm,time,event"], capture_output=True, text=True).stdout
ev = []
for line in out.splitlines():
    m = re.match(r"\s*(.+?)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):", line)
    if not m: continue
    ev.append((float(m.group(4)), m.group(2), re.sub(r"[-#]?\d+$", "", m.group(1).strip()), m.group(5).split("/")[0]))
def times(name, pid=spid):
    return [t for t, p, c, e in ev if e == name and p == pid]
link = times("syscalls:sys_enter_link"); send = times("syscalls:sys_enter_sendfile64")
unl = [t for t in times("syscalls:sys_enter_unlink") if send and t > max(send)]
phases = [("write", min(link), max(link)), ("read", min(send), max(send)), ("delete", min(unl), max(unl))]
for name, a, b in phases:
    dur = b - a
    kinds = collections.Counter(); byproc = collections.Counter(); sysc = collections.Counter()
    syncs = collections.Counter()
    for t, p, c, e in ev:
        if not (a <= t <= b): continue
        if e == "cpu-clock":
            who = "server" if p == spid else ("client" if p == cpid else "other")
            byproc[who] += 1
            if p == spid: kinds[c] += 1
        elif p == spid:
            call = e.split("sys_enter_")[-1]
            sysc[call] += 1
            if call in ("fsync", "fdatasync"):
                syncs[c + " " + call] += 1
    ms = 1000.0 / 499
    print(f"-- {name}: {dur:.2f}s, {n} ops, {n/dur:.0f} op/s;  ms CPU/op: server {byproc['server']*ms/n:.3f} client {byproc['client']*ms/n:.3f} other {byproc['other']*ms/n:.3f}")
    print("   server threads: " + ", ".join(f"{k} {v*ms/n:.3f}" for k, v in kinds.most_common(8)))
    print("   server syscalls/op: " + ", ".join(f"{k} {v/n:.2f}" for k, v in sorted(sysc.items())))
    print("   syncs/op by thread: " + ", ".join(f"{k} {v/n:.2f}" for k, v in sorted(syncs.items())))
