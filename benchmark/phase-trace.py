#!/usr/bin/env python3
"""ftrace of one measured phase: block requests (issue/complete, by rwbs: W write, S sync, M meta,
D discard, R read) and the fs system calls fdatasync/fsync/unlink/rename/ftruncate, per thread
kind of the system's server processes (helper big, session 15; PROFILE.md "big").

  python3 benchmark/phase-trace.py record BENCH.log SYSTEM OP OUT [WINDOW_S] &
  benchmark/fastdfs-compare.sh ... > BENCH.log
  python3 benchmark/phase-trace.py split OUT

Needs root and /sys/kernel/tracing (uses its own instance, instances/big). Block requests are the
whole machine's (other processes' I/O included); system calls of threads not in the system are
shown as other:COMM.
"""
# phase-trace.py split OUT
import os, re, sys, time, collections, statistics
from tracefs import need_tracefs
T="/sys/kernel/tracing/instances/big"

EV=["block/block_rq_issue","block/block_rq_complete","syscalls/sys_enter_fdatasync","syscalls/sys_exit_fdatasync",
    "syscalls/sys_enter_fsync","syscalls/sys_exit_fsync","syscalls/sys_enter_unlink","syscalls/sys_exit_unlink",
    "syscalls/sys_enter_rename","syscalls/sys_exit_rename","syscalls/sys_enter_renameat2","syscalls/sys_exit_renameat2",
    "syscalls/sys_enter_unlinkat","syscalls/sys_exit_unlinkat","syscalls/sys_enter_ftruncate","syscalls/sys_exit_ftruncate"]
def w(p,v):
    with open(p,"w") as f: f.write(v)
def record(log, system, op, out, window):
    need_tracefs()
    pids=None; seen=0; deadline=time.time()+3600
    while time.time()<deadline:
        try: text=open(log).read()
        except FileNotFoundError: time.sleep(0.2); continue
        lines=text[:text.rfind("\n")+1].splitlines()
        for line in lines[seen:]:
            m=re.search(r"\] (single|group) (\S+): ready at tracker \S+, server pids \[([\d, ]+)\]", line)
            if m and m.group(2)==system: pids=[int(x) for x in m.group(3).split(",")]
            m=re.search(r"\] (\S+) (\S+): phase started", line)
            if m and (m.group(1),m.group(2))==(system,op) and pids:
                os.makedirs(T, exist_ok=True)
                w(T+"/buffer_size_kb","65536"); w(T+"/trace","")
                for e in EV: w(f"{T}/events/{e}/enable","1")
                w(T+"/tracing_on","1"); time.sleep(window); w(T+"/tracing_on","0")
                tids={}
                for p in pids:
                    for t in os.listdir(f"/proc/{p}/task"):
                        try: tids[int(t)]=(p,open(f"/proc/{p}/task/{t}/comm").read().strip())
                        except OSError: pass
                os.system(f"cat {T}/trace > {out}.trace")
                for e in EV: w(f"{T}/events/{e}/enable","0")
                w(T+"/trace","")
                with open(out+".tids","w") as f:
                    for t,(p,c) in tids.items(): f.write(f"{t} {p} {c}\n")
                return
        seen=len(lines); time.sleep(0.1)
LINE=re.compile(r"^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): (.*)$")
def split(out):
    tids={}
    for l in open(out+".tids"):
        t,p,c=l.split(None,2); tids[int(t)]=(int(p),c.strip())
    open_sc={}; sc=collections.defaultdict(list); rq={}; rql=collections.defaultdict(list); inflight=0; t0=None; t1=None
    perthread=collections.Counter()
    for l in open(out+".trace"):
        m=LINE.match(l)
        if not m: continue
        comm,tid,ts,body=m.group(1).strip(),int(m.group(2)),float(m.group(3)),m.group(4)
        if body.startswith("sys_"):
            ev=("sys_exit_"+body.split()[0][4:]) if " -> " in body else ("sys_enter_"+body.split("(")[0][4:]); rest=""
        else:
            ev,_,rest=body.partition(": ")
        t0=t0 or ts; t1=ts
        if ev.startswith("sys_enter_"):
            open_sc[tid]=(ev[10:],ts)
        elif ev.startswith("sys_exit_"):
            if tid in open_sc:
                name,a=open_sc.pop(tid)
                who=tids.get(tid,(0,comm))
                key=(name, re.sub(r"[-#]?\d+$","",who[1]) if tid in tids else "other:"+comm)
                sc[key].append((ts-a)*1e3)
        elif ev=="block_rq_issue":
            mm=re.match(r"(\d+,\d+) (\S+) (\d+) \(.*?\) (\d+) \+ (\d+)",rest)
            if mm: rq[(mm.group(4),mm.group(2))]=ts; 
        elif ev=="block_rq_complete":
            mm=re.match(r"(\d+,\d+) (\S+) \(.*?\) (\d+) \+ (\d+)",rest)
            if mm:
                k=(mm.group(3),mm.group(2))
                if k in rq:
                    rql[mm.group(2)].append(((ts-rq.pop(k))*1e3,int(mm.group(4))*512))
    span=(t1-t0) if t0 else 0
    print(f"window {span:.2f} s")
    print("syscalls (our threads; others as other:comm): count, p50, p90, max ms, total ms")
    for k,v in sorted(sc.items(), key=lambda kv:-sum(kv[1])):
        v.sort(); print(f"  {k[0]:10s} {k[1]:28s} {len(v):6d} {v[len(v)//2]:8.2f} {v[int(len(v)*.9)]:8.2f} {v[-1]:8.1f} {sum(v):9.0f}")
    print("block requests by rwbs: count, p50, p90, max ms, MiB")
    for k,v in sorted(rql.items(), key=lambda kv:-len(kv[1])):
        d=sorted(x[0] for x in v); print(f"  {k:6s} {len(v):6d} {d[len(d)//2]:8.2f} {d[int(len(d)*.9)]:8.2f} {d[-1]:8.1f} {sum(x[1] for x in v)/2**20:8.1f}")
if __name__=="__main__":
    if sys.argv[1]=="record": record(sys.argv[2],sys.argv[3],sys.argv[4],sys.argv[5],float(sys.argv[6]) if len(sys.argv)>6 else 4)
    else: split(sys.argv[2])
