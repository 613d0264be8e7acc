#!/usr/bin/env python3
"""On-CPU time per c=1 delete by thread kind and by scheduler run, from a phase-cpath.py trace, for
any client kind (helper delcpu, session 21; PROFILE.md "delcpu"). phase-cpath.py's `cpu` counts
operations from the official client's connect/close pattern; here a delete is counted as one
`fdatasync` of a storage's packed committer (one per client delete at c=1 with fsync), so the
pooled client's phases can be read too. `runs` classes each scheduler run (switch-in to switch-out)
of the servers' threads by the system calls made in it (epoll and futex left out): accept, request,
answer, close, the committer's round... with its µs per run, to compare the same work across windows.

  python3 benchmark/phase-cpath.py record BENCH.log SYSTEM delete OUT NTH 1.0 0.6 &   # as usual
  python3 benchmark/phase-runs.py cpu OUT [syscalls]   # per thread kind (and system calls per delete)
  python3 benchmark/phase-runs.py runs OUT             # per kind of scheduler run
"""
import collections, importlib.util, os, re, sys

spec = importlib.util.spec_from_file_location(
    "pc", os.path.join(os.path.dirname(os.path.abspath(__file__)), "phase-cpath.py"))
pc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pc)
SW = re.compile(r'prev_comm=(.*?) prev_pid=(\d+) .* next_comm=(.*?) next_pid=(\d+)')


def kind(comm):
    return re.sub(r'[-#\[\]\d]+$', '', comm).strip()[:18]


def deletes(tids, ev):
    return sum(1 for ts, tid, b in ev if b.startswith('sys_fdatasync(')
               and tids.get(tid, (9, ''))[0] in (1, 2) and tids[tid][1].startswith('packed'))


def cpu(base, calls):
    tids, ev = pc.load(base)
    ops = deletes(tids, ev)
    on, run, sysc = {}, collections.Counter(), collections.Counter()
    for ts, tid, body in ev:
        p, c = tids.get(tid, (9, '?'))
        if body.startswith('sys_') and ' -> ' not in body:
            sysc[(p, kind(c), body.split('(')[0])] += 1
        if 'sched_switch' not in body:
            continue
        m = SW.search(body)
        prev, nxt = int(m.group(2)), int(m.group(4))
        if prev in on:
            run[prev] += ts - on.pop(prev)
        if nxt in tids:
            on[nxt] = ts
    agg, tot = collections.Counter(), collections.Counter()
    for t, v in run.items():
        p, c = tids[t]
        agg[(p, kind(c))] += v
        tot[p] += v
    print(f"{base}: {ops} deletes (committers' fdatasync calls)")
    for k, v in sorted(agg.items(), key=lambda x: -x[1])[:16]:
        print(f"  proc {k[0]} {k[1]:20s} {v / ops * 1e6:7.1f} us/delete")
    print("  per process (0 tracker, 1-2 storages, 3 client):",
          {p: round(v / ops * 1e6, 1) for p, v in sorted(tot.items())})
    if calls:
        for k, v in sorted(sysc.items(), key=lambda x: -x[1])[:40]:
            if k[0] in (0, 1, 2):
                print(f"    {k[0]} {k[1]:18s} {k[2]:22s} {v / ops:6.2f} per delete")


def runs(base):
    tids, ev = pc.load(base)
    ops = deletes(tids, ev)
    on, cur = {}, collections.defaultdict(list)
    time, count = collections.Counter(), collections.Counter()
    for ts, tid, b in ev:
        p, c = tids.get(tid, (9, '?'))
        if p in (0, 1, 2) and b.startswith('sys_') and ' -> ' not in b:
            cur[tid].append(b.split('(')[0][4:])
        if 'sched_switch' not in b:
            continue
        m = SW.search(b)
        prev, nxt = int(m.group(2)), int(m.group(4))
        if prev in on:
            pp, cc = tids[prev]
            made = sorted({x for x in cur.pop(prev, []) if x not in ('epoll_pwait2', 'futex')})
            key = (pp, kind(cc)[:14], ' '.join(made)[:60])
            time[key] += ts - on.pop(prev)
            count[key] += 1
        if nxt in tids:
            on[nxt] = ts
            cur[nxt] = []
    print(f"{base}: {ops} deletes")
    for k, v in sorted(time.items(), key=lambda x: -x[1])[:28]:
        print(f"  p{k[0]} {k[1]:14s} {k[2]:40s} {v / ops * 1e6:6.1f} us/delete"
              f"  runs/delete {count[k] / ops:5.2f}  per run {v / count[k] * 1e6:6.1f} us")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("cpu", "runs"):
        sys.exit(__doc__)
    if sys.argv[1] == "cpu":
        cpu(sys.argv[2], len(sys.argv) > 3)
    else:
        runs(sys.argv[2])
