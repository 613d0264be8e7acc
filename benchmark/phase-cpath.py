#!/usr/bin/env python3
"""One c=1 operation end to end, client and servers: ftrace of sched wake-ups/switches and the
socket, disk and futex system calls of the system's server processes AND of the PeerBench client,
for a short window inside one measured phase; then each operation cut at the client's own system
calls (tracker query written -> answer read -> connect -> request written -> answer read -> QUIT +
close) and, for ours, the storage's part cut at the event loop's recvfrom, the packed committer's
switch-in, the fdatasync enter/exit and the loop's sendto (helper gdel, session 16; PROFILE.md
"gdel"). `path` and `storage` are written for the official client's delete (one request written after
connect, a 10-byte answer); `steps` and `busy` (session 35) cut any client's operations at its connects
and need no knowledge of the protocol or of either system's threads.

  python3 benchmark/phase-cpath.py record BENCH.log SYSTEM OP OUT [NTH [DELAY_S [WINDOW_S]]] &
  benchmark/fastdfs-compare.sh ... --clients official -c 1 ... > BENCH.log
  python3 benchmark/phase-cpath.py path OUT      # the client's segments (any system)
  python3 benchmark/phase-cpath.py storage OUT   # ours: the storage's part, forces per delete
  python3 benchmark/phase-cpath.py forces OUT    # fdatasync count and p50 by process/thread kind
  python3 benchmark/phase-cpath.py cpu OUT       # on-CPU time per operation by thread kind
  python3 benchmark/phase-cpath.py steps OUT [K] # any client and op: each client call, K connects per op
  python3 benchmark/phase-cpath.py busy OUT K STEP|gaps US  # who ran while the client sat > US in a call

NTH: the NTH phase start of SYSTEM OP in the log (c=1 phases come first: 1 = round 1's c=1).
Needs root and /sys/kernel/tracing (its own instance, instances/gdel). The client is found as the
process whose command line holds io.dfstree.benchmark.PeerBench: run one benchmark at a time.
Process indexes in the output: 0 tracker, 1 and 2 the storages, 3 the client.
"""
import bisect, collections, os, re, statistics as st, sys, time
from tracefs import need_tracefs

T="/sys/kernel/tracing/instances/gdel"

SC=["recvfrom","sendto","read","write","pwrite64","pread64","fdatasync","accept4","connect","close","futex","epoll_pwait2","epoll_wait","poll","ppoll"]
EV=["sched/sched_wakeup","sched/sched_switch"]+[f"syscalls/sys_{d}_{s}" for s in SC for d in ("enter","exit")]
def w(p,v):
    with open(p,"w") as f: f.write(v)
def tids_of(p):
    out={}
    for t in os.listdir(f"/proc/{p}/task"):
        try: out[int(t)]=open(f"/proc/{p}/task/{t}/comm").read().strip()
        except OSError: pass
    return out
def client_pid():
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if b"io.dfstree.benchmark.PeerBench" in open(f"/proc/{d}/cmdline","rb").read(): return int(d)
            except OSError: pass
def record(log,system,op,out,nth,delay,window):
    need_tracefs()
    pids=None; seen=0; count=0
    while True:
        try: text=open(log).read()
        except FileNotFoundError: time.sleep(0.2); continue
        lines=text[:text.rfind("\n")+1].splitlines()
        for line in lines[seen:]:
            m=re.search(r"\] (single|group) (\S+): ready at tracker \S+, server pids \[([\d, ]+)\]", line)
            if m and m.group(2)==system: pids=[int(x) for x in m.group(3).split(",")]
            m=re.search(r"\] (\S+) (\S+): phase started", line)
            if m and (m.group(1),m.group(2))==(system,op) and pids:
                count+=1
                if count!=nth: continue
                time.sleep(delay)
                cp=client_pid(); allp=pids+[cp]
                tids={}
                with open(out+".tids","w") as f:
                    for i,p in enumerate(allp):
                        for t,c in tids_of(p).items():
                            tids[t]=c; f.write(f"{t} {i} {c}\n")
                os.makedirs(T,exist_ok=True)
                w(T+"/buffer_size_kb","131072"); w(T+"/trace","")
                w(T+"/set_event_pid"," ".join(str(t) for t in tids))
                for e in EV: w(f"{T}/events/{e}/enable","1")
                w(T+"/tracing_on","1"); time.sleep(window); w(T+"/tracing_on","0")
                os.system(f"cat {T}/trace > {out}.trace")
                for e in EV: w(f"{T}/events/{e}/enable","0")
                w(T+"/trace",""); w(T+"/set_event_pid","")
                return
        seen=len(lines); time.sleep(0.05)

LINE=re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (.*)$")
def load(base):
    tids={}
    for l in open(base+'.tids'):
        t,p,c=l.rstrip('\n').split(' ',2); tids[int(t)]=(int(p),c)
    ev=[]
    for l in open(base+'.trace'):
        m=LINE.match(l)
        if m: ev.append((float(m.group(4)),int(m.group(2)),m.group(5)))
    return tids,ev
def client_ops(tids,ev):
    bench=[t for t,(p,c) in tids.items() if p==3 and c.startswith('bench-0')][0]
    ops=[]; cur=None; state=None; trk_fd=None
    for ts,tid,body in ev:
        if tid!=bench: continue
        m=re.match(r'sys_(\w+)(\(| -> )(.*)',body)
        if not m: continue
        name,kind,rest=m.groups()
        if kind=='(' and name=='write' and 'count: 0xa)' not in rest:
            fd=rest.split(',')[0]
            if state in (None,'closed'):
                if cur and 'close' in cur: ops.append(cur)
                cur={'t0':ts,'tfd':fd}; state='trk'
            elif state=='conn':
                cur['t3']=ts; state='req'
        elif kind==' -> ' and name=='read' and state=='trk' and rest.startswith('0x27'):
            cur['t1']=ts
        elif kind=='(' and name=='connect' and state=='trk':
            cur['t2']=ts; state='conn'
        elif kind==' -> ' and name=='read' and state=='req' and rest.startswith('0xa'):
            cur['t4']=ts; state='ans'
        elif kind=='(' and name=='close' and state=='ans':
            cur['close']=ts; state='closed'
    return [o for o in ops if all(k in o for k in ('t0','t1','t2','t3','t4','close'))]
def main(base):
    tids,ev=load(base)
    ops=client_ops(tids,ev)
    cyc=[b['t0']-a['t0'] for a,b in zip(ops,ops[1:])]
    def med(xs): return st.median(xs)*1e6
    def q(xs,p): xs=sorted(xs); return xs[int(p*(len(xs)-1))]*1e6
    segs={'tracker query (write..answer read)':[o['t1']-o['t0'] for o in ops],
          'client: answer..connect':[o['t2']-o['t1'] for o in ops],
          'connect..request write':[o['t3']-o['t2'] for o in ops],
          'request write..answer read (storage)':[o['t4']-o['t3'] for o in ops],
          'answer..close (quit)':[o['close']-o['t4'] for o in ops],
          'close..next op':[b['t0']-a['close'] for a,b in zip(ops,ops[1:])],
          'whole cycle':cyc}
    print(f"{base}: {len(ops)} ops")
    for k,v in segs.items(): print(f"  {k:40s} p50 {med(v):7.0f} us  p90 {q(v,0.9):7.0f}")
    return tids,ev,ops

def ours(base):
    tids,ev,ops=main(base)
    # index server events by time
    srv=[(ts,tid,body) for ts,tid,body in ev if tids.get(tid,(9,''))[0] in (1,2)]
    times=[e[0] for e in srv]
    segs=collections.defaultdict(list)
    for o in ops:
        i=bisect.bisect_left(times,o['t3']); j=bisect.bisect_right(times,o['t4'])
        a=b=c=d=e=None; acc=None
        for ts,tid,body in srv[i:j]:
            comm=tids[tid][1]
            if a is None and comm.startswith('vert.x-eventloo') and body.startswith('sys_recvfrom ->'): a=ts; continue
            if a is not None and b is None and 'sched_switch' in body and 'next_comm=packed-commit' in body: b=ts; continue
            if b is not None and c is None and comm.startswith('packed-commit') and body.startswith('sys_fdatasync('): c=ts; continue
            if c is not None and d is None and comm.startswith('packed-commit') and body.startswith('sys_fdatasync ->'): d=ts; continue
            if d is not None and e is None and comm.startswith('vert.x-eventloo') and body.startswith('sys_sendto(') and 'len: 0xa' in body: e=ts; continue
        if None in (a,b,c,d,e): segs['incomplete'].append(0); continue
        for k,v in (('client write -> EL recvfrom done',a-o['t3']),('-> committer on cpu',b-a),('committer: mark+tombstone+line (to fdatasync)',c-b),
                    ('fdatasync',d-c),('-> EL sendto',e-d),('sendto -> client read',o['t4']-e)):
            segs[k].append(v)
    for k,v in segs.items():
        if k=='incomplete': print('  incomplete',len(v)); continue
        print(f"  {k:48s} p50 {st.median(v)*1e6:6.0f}  p90 {sorted(v)[int(.9*(len(v)-1))]*1e6:6.0f}  n={len(v)}")

def split(base):
    tids,ev,ops=main(base)
    srv=[(ts,tid,body) for ts,tid,body in ev if tids.get(tid,(9,''))[0] in (1,2)]
    times=[e[0] for e in srv]
    kinds=collections.defaultdict(list)
    for o in ops:
        i=bisect.bisect_left(times,o['t3']); j=bisect.bisect_right(times,o['t4'])
        th=set(); fd=0
        for ts,tid,body in srv[i:j]:
            comm=tids[tid][1]
            if body.startswith('sys_fdatasync('): fd+=1; th.add(comm.split('-')[0][:12])
        kinds[(fd,tuple(sorted(th)))].append(o['t4']-o['t3'])
    for k,v in sorted(kinds.items(),key=lambda x:-len(x[1])):
        print(f"  forces {k[0]} by {k[1]}: n={len(v)} p50 {st.median(v)*1e6:.0f} p90 {sorted(v)[int(.9*(len(v)-1))]*1e6:.0f}")

def forces(base):
    tids,ev=load(base)
    t0=ev[0][0]; t1=ev[-1][0]
    c=collections.Counter(); dur=collections.defaultdict(list); start={}
    for ts,tid,body in ev:
        p,comm=tids.get(tid,(9,'?'))
        if body.startswith('sys_fdatasync('): start[tid]=ts
        elif body.startswith('sys_fdatasync ->') and tid in start:
            k=(p,re.sub(r'[-\d]+$','',comm)[:14]); c[k]+=1; dur[k].append(ts-start.pop(tid))
    print(f"{base}: window {t1-t0:.2f} s")
    for k,v in sorted(c.items()): print(f"  proc {k[0]} {k[1]:16s} fdatasync {v:5d} ({v/(t1-t0):.0f}/s) p50 {st.median(dur[k])*1e6:.0f} us")

def cpu(base):
    tids,ev,ops=main(base)
    t0=ev[0][0]; t1=ev[-1][0]
    on={}; run=collections.Counter()
    SW=re.compile(r'prev_comm=(.*?) prev_pid=(\d+) .* next_comm=(.*?) next_pid=(\d+)')
    for ts,tid,body in ev:
        if 'sched_switch' not in body: continue
        m=SW.search(body)
        if not m: continue
        prev,nxt=int(m.group(2)),int(m.group(4))
        if prev in on: run[prev]+=ts-on.pop(prev)
        if nxt in tids: on[nxt]=ts
    agg=collections.Counter()
    for t,v in run.items():
        p,c=tids[t]; k=(p,re.sub(r'[-#\[\]\d]+$','',c).strip()[:18]); agg[k]+=v
    n=len(ops)
    print(f"  on-CPU per op (from sched_switch), {n} ops in {t1-t0:.2f} s")
    tot=collections.Counter()
    for k,v in sorted(agg.items(),key=lambda x:-x[1])[:25]:
        print(f"    proc {k[0]} {k[1]:20s} {v/n*1e6:7.1f} us/op")
    for k,v in agg.items(): tot[k[0]]+=v
    print("    per process:",{p:round(v/n*1e6,1) for p,v in sorted(tot.items())})

def client_cycles(base, per_op):
    """The client's operations as lists of (enter, exit, "call:returned") of its first worker, cut at
    every per_op-th connect, only those of the most common sequence; and every thread's runs on a
    CPU as (start, end, tid), the idle task's included (tid 0, "swapper")."""
    tids, ev = load(base)
    client = max(p for p, _ in tids.values())
    bench = [t for t, (p, c) in tids.items() if p == client and c.startswith('bench-0')][0]
    calls = []; open_ = {}; on = {}; runs = []; names = {}
    SW = re.compile(r'prev_comm=(.*?) prev_pid=(\d+) .* next_comm=(.*?) next_pid=(\d+)')
    for ts, tid, body in ev:
        if 'sched_switch' in body:
            m = SW.search(body)
            if m:
                prev, nxt = int(m.group(2)), int(m.group(4))
                if prev in on: runs.append((on.pop(prev), ts, prev))
                on[nxt] = ts; names[nxt] = m.group(3)
            continue
        if tid != bench: continue
        m = re.match(r'sys_(\w+)(\(| -> )(.*)', body)
        if not m: continue
        name, kind, rest = m.groups()
        if kind == '(':
            open_[name] = ts
        elif name in open_:
            ret = rest.strip()
            if name in ('read', 'recvfrom', 'write', 'sendto'):
                ret = ret if not ret.startswith('0xffff') else 'EAGAIN'
            else:
                ret = ''
            calls.append((open_.pop(name), ts, name + (':' + ret if ret else '')))
    conn = [i for i, c in enumerate(calls) if c[2] == 'connect']
    best = None
    for off in range(per_op):
        starts = conn[off::per_op]
        ops = [calls[i:j] for i, j in zip(starts, starts[1:])]
        if not ops: continue
        sig, n = collections.Counter(tuple(c[2] for c in o) for o in ops).most_common(1)[0]
        if best is None or n > best[1]: best = (ops, n, sig)
    ops, _, sig = best
    ops = [o for o in ops if tuple(c[2] for c in o) == sig]
    runs = Runs(sorted(runs))
    who = lambda t: tids.get(t, (9, names.get(t, '?')))  # 9: not a process of the run (idle, kernel)
    return ops, sig, runs, who, client

class Runs(list):
    """Runs on a CPU, (start, end, tid), sorted by start, with their starts for bisecting."""
    def __init__(self, runs):
        super().__init__(runs)
        self.starts = [r[0] for r in runs]

def on_cpu(runs, a, b, key):
    """CPU time of the runs (sorted by start, each shorter than 100 runs' span) inside [a, b],
    summed by key(tid)."""
    starts = runs.starts
    out = collections.Counter()
    for s, e, t in runs[max(0, bisect.bisect_left(starts, a) - 100):bisect.bisect_right(starts, b)]:
        o = min(e, b) - max(s, a)
        if o > 0: out[key(t)] += o
    return out

def steps(base, per_op=1):
    """Each system call of the client per operation (any client, any system): the median and mean
    time the client spent before it (its own code, or waiting for a core) and in it, with the
    servers' on-CPU time by process inside it; then the cycle's mean split into the client's own
    time and its waits for the servers (the calls other than connect, write and close it spends over
    20 us in on median)."""
    ops, sig, runs, who, client = client_cycles(base, per_op)
    print(f"{base}: {len(ops)} ops of the most common sequence ({len(sig)} calls each)")
    print(f"  {'#':>3} {'call:returned':22s} {'before us p50/mean':>18} {'in us p50/mean':>15}   servers on-CPU in the call (us p50, by process)")
    cyc = [b[0][0] - a[0][0] for a, b in zip(ops, ops[1:]) if b[0][0] - a[-1][1] < 0.01]
    for i in range(len(sig)):
        before = [o[i][0] - (o[i-1][1] if i else o[i][0]) for o in ops]
        inside = [o[i][1] - o[i][0] for o in ops]
        cpu = collections.defaultdict(list)
        for o in ops:
            c = on_cpu(runs, o[i][0], o[i][1], lambda t: who(t)[0])
            for p in range(client): cpu[p].append(c.get(p, 0))
        cs = ' '.join(f"{p}:{st.median(v)*1e6:.0f}" for p, v in sorted(cpu.items()) if st.median(v) > 1e-6)
        print(f"  {i:3d} {sig[i]:22s} {st.median(before)*1e6:9.0f} {st.mean(before)*1e6:8.0f} {st.median(inside)*1e6:7.0f} {st.mean(inside)*1e6:7.0f}   {cs}")
    tail = [b[0][0] - a[-1][1] for a, b in zip(ops, ops[1:]) if b[0][0] - a[-1][1] < 0.01]
    print(f"  after the last call, to the next op: p50 {st.median(tail)*1e6:.0f} us, mean {st.mean(tail)*1e6:.0f}; "
          f"whole cycle p50 {st.median(cyc)*1e6:.0f} us, mean {st.mean(cyc)*1e6:.0f}")
    waits = [i for i in range(len(sig)) if st.median([o[i][1] - o[i][0] for o in ops]) > 20e-6
             and sig[i].split(':')[0] not in ('connect', 'write', 'sendto', 'close')]
    w = sum(st.mean([o[i][1] - o[i][0] for o in ops]) for i in waits)
    print(f"  mean waits for the servers (calls {waits}): {w*1e6:.0f} us; the client's own: {(st.mean(cyc)-w)*1e6:.0f} us")

def busy(base, per_op, step, over_us):
    """What ran on the CPUs while the client sat long in one call (STEP, a number from `steps`) or,
    with STEP "gaps", between two of its calls: every such stretch over OVER_US, their share of the
    time, and the CPU time by process and thread kind inside them (swapper: idle)."""
    ops, sig, runs, who, client = client_cycles(base, per_op)
    if step == 'gaps':
        spans = [(o[i-1][1], o[i][0]) for o in ops for i in range(1, len(o))]
        spans += [(a[-1][1], b[0][0]) for a, b in zip(ops, ops[1:]) if b[0][0] - a[-1][1] < 0.01]
        what = "between two calls"
    else:
        spans = [(o[int(step)][0], o[int(step)][1]) for o in ops]
        what = f"in call {step} ({sig[int(step)]})"
    long_ = [(a, b) for a, b in spans if b - a > over_us * 1e-6]
    total = sum(b - a for a, b in spans); slow = sum(b - a for a, b in long_)
    print(f"{base}: {len(ops)} ops; the client {what}: {len(long_)} of {len(spans)} over {over_us:.0f} us, "
          f"{slow*1e3:.1f} ms of {total*1e3:.1f} ({slow/total:.0%}); on the CPUs meanwhile (ms):")
    agg = collections.Counter()
    for a, b in long_:
        agg.update(on_cpu(runs, a, b, lambda t: (who(t)[0], re.sub(r'[-#\[\]\d/]+$', '', who(t)[1])[:18])))
    for k, v in agg.most_common(14): print(f"    proc {k[0]} {k[1]:20s} {v*1e3:7.1f}")

if __name__=="__main__":
    if len(sys.argv) < 3: sys.exit(__doc__)
    cmd,a=sys.argv[1],sys.argv[2:]
    if cmd=="record":
        record(a[0],a[1],a[2],a[3],int(a[4]) if len(a)>4 else 1,float(a[5]) if len(a)>5 else 1.0,
               float(a[6]) if len(a)>6 else 0.6)
    elif cmd=="path": main(a[0])
    elif cmd=="storage": ours(a[0]); split(a[0])
    elif cmd=="forces": forces(a[0])
    elif cmd=="cpu": cpu(a[0])
    elif cmd=="steps": steps(a[0], int(a[1]) if len(a)>1 else 1)
    elif cmd=="busy": busy(a[0], int(a[1]), a[2], float(a[3]))
    else: sys.exit(__doc__)
