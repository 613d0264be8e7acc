#!/usr/bin/env python3
"""One pooled c=1 download end to end, client and servers (helper dl64, session 20; PROFILE.md
"dl64"): ftrace of sched wake-ups/switches and the socket, file and futex system calls of the
system's server processes AND of the PeerBench client, for a short window inside one measured
phase; then each download cut at the client's own system calls on its kept connections:

  t0 tracker query written -> t1 its answer read -> t2 download request written to the storage
  -> t3 first read of the answer returns -> t4 the read that completes the body returns

and, between t2 and t4, every server system call and wake-up with its offset from t2 (medians of
the first occurrence per download, and how many per download), by process and thread kind.
Works for FastDFS and ours (any storage): nothing here knows either's threads.

  python3 benchmark/phase-dlpath.py record BENCH.log SYSTEM OP OUT [NTH [DELAY_S [WINDOW_S]]] &
  benchmark/fastdfs-compare.sh ... --clients pooled -c 1 ... > BENCH.log
  python3 benchmark/phase-dlpath.py path OUT [SIZE]   # the client's segments, the servers' events
  python3 benchmark/phase-dlpath.py cpu OUT [SIZE]    # on-CPU time per download by thread kind
  python3 benchmark/phase-dlpath.py loop OUT          # ours: a 64 KiB download on the storage's loop
  python3 benchmark/phase-dlpath.py show OUT [K]      # K downloads' full event lists (default 3)

Needs root and /sys/kernel/tracing (its own instance, instances/dl64). The client is found as the
process whose command line holds io.dfstree.benchmark.PeerBench: run one benchmark at a time.
Process indexes in the output: 0 tracker, 1 and 2 the storages (FastDFS: its processes in the
order the log lists them), last the client.
"""
import collections, os, re, statistics as st, sys, time, bisect
from tracefs import need_tracefs

T = "/sys/kernel/tracing/instances/" + os.environ.get("DLPATH_INSTANCE", "dl64")

SC = ["recvfrom", "sendto", "read", "write", "writev", "readv", "sendmsg", "recvmsg", "pread64",
      "sendfile64", "splice", "openat", "close", "newfstatat", "statx", "fstat", "setsockopt",
      "futex", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_ctl", "poll", "ppoll", "lseek"]
EV = ["sched/sched_wakeup", "sched/sched_switch"] + [f"syscalls/sys_{d}_{s}" for s in SC for d in ("enter", "exit")]


def w(p, v):
    with open(p, "w") as f:
        f.write(v)


def tids_of(p):
    out = {}
    for t in os.listdir(f"/proc/{p}/task"):
        try:
            out[int(t)] = open(f"/proc/{p}/task/{t}/comm").read().strip()
        except OSError:
            pass
    return out


def client_pid():
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if b"io.dfstree.benchmark.PeerBench" in open(f"/proc/{d}/cmdline", "rb").read():
                    return int(d)
            except OSError:
                pass


def record(log, system, op, out, nth, delay, window):
    need_tracefs()
    pids = None; seen = 0; count = 0; deadline = time.time() + 3600
    while time.time() < deadline:
        try:
            text = open(log).read()
        except FileNotFoundError:
            time.sleep(0.2); continue
        lines = text[:text.rfind("\n") + 1].splitlines()
        for line in lines[seen:]:
            m = re.search(r"\] (single|group) (\S+): ready at tracker \S+, server pids \[([\d, ]+)\]", line)
            if m and m.group(2) == system:
                pids = [int(x) for x in m.group(3).split(",")]
            m = re.search(r"\] (\S+) (\S+): phase started", line)
            if m and (m.group(1), m.group(2)) == (system, op) and pids:
                count += 1
                if count != nth:
                    continue
                time.sleep(delay)
                allp = pids + [client_pid()]
                tids = {}
                with open(out + ".tids", "w") as f:
                    for i, p in enumerate(allp):
                        for t, c in tids_of(p).items():
                            tids[t] = c; f.write(f"{t} {i} {c}\n")
                os.makedirs(T, exist_ok=True)
                w(T + "/buffer_size_kb", "131072"); w(T + "/trace", "")
                w(T + "/set_event_pid", " ".join(str(t) for t in tids))
                for e in EV:
                    try:
                        w(f"{T}/events/{e}/enable", "1")
                    except OSError:
                        pass
                w(T + "/tracing_on", "1"); time.sleep(window); w(T + "/tracing_on", "0")
                os.system(f"cat {T}/trace > {out}.trace")
                for e in EV:
                    try:
                        w(f"{T}/events/{e}/enable", "0")
                    except OSError:
                        pass
                w(T + "/trace", ""); w(T + "/set_event_pid", "")
                return
        seen = len(lines); time.sleep(0.05)


LINE = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (.*)$")
SYS = re.compile(r"sys_(\w+)(\(| -> )(.*)")


def load(base):
    tids = {}
    for l in open(base + ".tids"):
        t, p, c = l.rstrip("\n").split(" ", 2); tids[int(t)] = (int(p), c)
    ev = []
    for l in open(base + ".trace"):
        m = LINE.match(l)
        if m:
            ev.append((float(m.group(4)), int(m.group(2)), m.group(5)))
    return tids, ev


def kind(comm):
    return re.sub(r"[-#\[\]\d]+$", "", comm).strip()[:18]


def client_ops(tids, ev, size):
    """Cuts each download at the bench thread's calls: tracker write/read, storage write/reads."""
    cproc = max(p for p, c in tids.values())
    bench = [t for t, (p, c) in tids.items() if p == cproc and c.startswith("bench-0")][0]
    # the tracker's kept connection: the fd written most (every download asks it; the storages
    # share the rest)
    writes = collections.Counter()
    for ts, tid, body in ev:
        if tid == bench and body.startswith("sys_write("):
            writes[body[len("sys_write(fd: "):].split(",")[0]] += 1
    trk = writes.most_common(1)[0][0]
    ops = []; cur = None; sto = None; got = 0; pend = {}
    for ts, tid, body in ev:
        if tid != bench:
            continue
        m = SYS.match(body)
        if not m:
            continue
        name, k, rest = m.groups()
        if k == "(":
            pend[name] = (ts, rest)
            continue
        start = pend.pop(name, (ts, ""))
        fd = start[1].split(",")[0].replace("fd: ", "")
        try:
            ret = int(rest.split()[0], 16)
        except ValueError:
            continue
        if ret >= 1 << 63:
            continue  # -EAGAIN: the client's non-blocking read before its poll
        if name == "write":
            if fd == trk:
                if cur and "t4" in cur:
                    ops.append(cur)
                cur = {"t0": start[0]}; got = -1
            elif cur is not None and "t1" in cur and "t2" not in cur:
                cur["t2"] = start[0]; sto = fd; got = 0
        elif name == "read" and cur is not None:
            if fd == trk and "t1" not in cur:
                cur["t1"] = ts
            elif fd == sto and "t2" in cur and ret > 0:
                if "t3" not in cur:
                    cur["t3"] = ts
                got += ret
                cur["reads"] = cur.get("reads", 0) + 1
                if got >= size + 10:
                    cur["t4"] = ts
    return [o for o in ops if all(k in o for k in ("t0", "t1", "t2", "t3", "t4"))]


def q(xs, p):
    xs = sorted(xs); return xs[int(p * (len(xs) - 1))]


def path(base, size):
    tids, ev = load(base)
    ops = client_ops(tids, ev, size)
    cproc = max(p for p, c in tids.values())
    print(f"{base}: {len(ops)} downloads of {size} bytes")
    segs = {"tracker query (write..answer read)": [o["t1"] - o["t0"] for o in ops],
            "client: answer..storage request write": [o["t2"] - o["t1"] for o in ops],
            "request write..first answer read (storage)": [o["t3"] - o["t2"] for o in ops],
            "first read..body complete (client reads)": [o["t4"] - o["t3"] for o in ops],
            "body complete..next op": [b["t0"] - a["t4"] for a, b in zip(ops, ops[1:])],
            "whole cycle": [b["t0"] - a["t0"] for a, b in zip(ops, ops[1:])]}
    for k, v in segs.items():
        print(f"  {k:44s} p50 {st.median(v)*1e6:7.0f} us  p90 {q(v, .9)*1e6:7.0f}")
    print(f"  client reads of the answer per download: p50 {st.median([o['reads'] for o in ops])}")
    times = [e[0] for e in ev]
    first = collections.defaultdict(list); count = collections.Counter(); dur = collections.defaultdict(list)
    for o in ops:
        i = bisect.bisect_left(times, o["t2"]); j = bisect.bisect_right(times, o["t4"])
        seen = set(); pend = {}
        for ts, tid, body in ev[i:j]:
            p, comm = tids.get(tid, (9, "?"))
            if p == cproc:
                continue
            if "sched_wakeup" in body:
                m = re.search(r"comm=(.*?) pid=(\d+)", body)
                if m and int(m.group(2)) in tids and tids[int(m.group(2))][0] != cproc:
                    key = (p, f"wakes {kind(tids[int(m.group(2))][1])}")
                else:
                    continue
            elif "sched_switch" in body:
                continue
            else:
                m = SYS.match(body)
                if not m:
                    continue
                name, k, rest = m.groups()
                if k == "(":
                    pend[(tid, name)] = ts; continue
                t_in = pend.pop((tid, name), None)
                extra = ""
                if name in ("write", "writev", "sendto", "sendmsg", "sendfile64", "pread64", "read", "recvfrom"):
                    extra = " ->" + rest.split()[0]
                key = (p, f"{kind(comm)} {name}{extra}")
                if t_in is not None:
                    dur[key].append(ts - t_in)
            count[key] += 1
            if key not in seen:
                seen.add(key); first[key].append(ts - o["t2"])
    # downloads by which server thread kinds read the file (pread64/read of a file, sendfile64)
    kinds = collections.defaultdict(list)
    for o in ops:
        i = bisect.bisect_left(times, o["t2"]); j = bisect.bisect_right(times, o["t4"])
        who = set()
        for ts, tid, body in ev[i:j]:
            p, comm = tids.get(tid, (9, "?"))
            if p != cproc and (body.startswith("sys_pread64(") or body.startswith("sys_sendfile64(")):
                who.add(f"{p}:{kind(comm)}:{body[4:body.index('(')]}")
        kinds[tuple(sorted(who))].append(o["t3"] - o["t2"])
    for k, v in sorted(kinds.items(), key=lambda x: -len(x[1])):
        print(f"  read by {k or '(no pread/sendfile)'}: n={len(v)} request..answer p50 {st.median(v)*1e6:.0f} us p90 {q(v, .9)*1e6:.0f}")
    n = len(ops)
    print("  server events between request write and body complete (offset of first, us; per download; duration p50)")
    for key in sorted(first, key=lambda k: st.median(first[k])):
        if count[key] < n * 0.2:
            continue
        d = f"{st.median(dur[key])*1e6:6.1f}" if dur.get(key) else "     -"
        print(f"    proc {key[0]} {key[1]:48s} at {st.median(first[key])*1e6:6.0f}  x{count[key]/n:4.2f}  dur {d}")


def cpu(base, size):
    """On-CPU time per download by process and thread kind, from sched_switch."""
    tids, ev = load(base)
    ops = client_ops(tids, ev, size)
    t0, t1 = ops[0]["t0"], ops[-1]["t4"]
    on = {}; run = collections.Counter()
    SW = re.compile(r"prev_comm=(.*?) prev_pid=(\d+) .* next_comm=(.*?) next_pid=(\d+)")
    for ts, tid, body in ev:
        if ts < t0 or ts > t1 or "sched_switch" not in body:
            continue
        m = SW.search(body)
        if not m:
            continue
        prev, nxt = int(m.group(2)), int(m.group(4))
        if prev in on:
            run[prev] += ts - on.pop(prev)
        if nxt in tids:
            on[nxt] = ts
    agg = collections.Counter()
    for t, v in run.items():
        p, c = tids[t]; agg[(p, kind(c))] += v
    n = len(ops)
    print(f"{base}: on-CPU per download (sched_switch), {n} downloads in {t1 - t0:.2f} s")
    tot = collections.Counter()
    for k, v in sorted(agg.items(), key=lambda x: -x[1])[:16]:
        print(f"    proc {k[0]} {k[1]:20s} {v / n * 1e6:7.1f} us")
    for k, v in agg.items():
        tot[k[0]] += v
    print("    per process:", {p: round(v / n * 1e6, 1) for p, v in sorted(tot.items())})


def loop(base):
    """Ours: one served 64 KiB download on a storage's event loop, cut at its system calls."""
    tids, ev = load(base)
    segs = collections.defaultdict(list); state = {}
    for ts, tid, body in ev:
        p, c = tids.get(tid, (9, "?"))
        if p not in (1, 2) or not c.startswith("vert.x-eventloo"):
            continue
        s = state.setdefault(tid, {})
        if body.startswith("sys_epoll_pwait2 ->"):
            s.clear(); s["wake"] = ts
        elif body.startswith("sys_recvfrom ->") and "wake" in s and not body.endswith("0xfffffffffffffff5"):
            s["rx"] = ts
        elif body.startswith("sys_pread64(") and "rx" in s:
            s["pr0"] = ts
        elif body.startswith("sys_pread64 ->") and "pr0" in s:
            s["pr1"] = ts
        elif body.startswith("sys_sendto(") and "pr1" in s and "len: 0x1000a" in body:
            s["tx0"] = ts
        elif body.startswith("sys_sendto ->") and "tx0" in s:
            for k, a, b in (("wake -> request read", "wake", "rx"), ("request read -> pread", "rx", "pr0"),
                            ("pread (64 KiB + slot header)", "pr0", "pr1"),
                            ("pread -> sendto (CRC32, write path)", "pr1", "tx0")):
                segs[k].append(s[b] - s[a])
            segs["sendto (header + 64 KiB)"].append(ts - s["tx0"])
            segs["wake -> sendto done"].append(ts - s["wake"]); s.clear()
    print(f"{base}: a served download on the storage's event loop")
    for k, v in segs.items():
        print(f"  {k:38s} p50 {st.median(v)*1e6:5.1f} us  p90 {q(v, .9)*1e6:5.1f}  n={len(v)}")


def show(base, k, size):
    tids, ev = load(base)
    ops = client_ops(tids, ev, size)
    times = [e[0] for e in ev]
    for o in ops[len(ops) // 2: len(ops) // 2 + k]:
        print(f"--- download at {o['t0']:.6f}")
        i = bisect.bisect_left(times, o["t0"]); j = bisect.bisect_right(times, o["t4"])
        for ts, tid, body in ev[i:j]:
            p, comm = tids.get(tid, (9, "?"))
            print(f"  {(ts - o['t2'])*1e6:8.1f}  {p} {comm[:16]:16s} {body[:110]}")


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "record":
        record(a[0], a[1], a[2], a[3], int(a[4]) if len(a) > 4 else 1, float(a[5]) if len(a) > 5 else 1.0,
               float(a[6]) if len(a) > 6 else 0.5)
    elif cmd == "path":
        path(a[0], int(a[1]) if len(a) > 1 else 65536)
    elif cmd == "loop":
        loop(a[0])
    elif cmd == "cpu":
        cpu(a[0], int(a[1]) if len(a) > 1 else 65536)
    elif cmd == "show":
        show(a[0], int(a[1]) if len(a) > 1 else 3, int(a[2]) if len(a) > 2 else 65536)
    else:
        sys.exit(__doc__)
