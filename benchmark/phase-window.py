#!/usr/bin/env python3
"""System-wide sched and block trace (trace_clock mono) of one measured phase, for lining a phase's
slow operations (PeerBench --dump-latencies DIR) up with what ran on each CPU (c1tail, session 24).

  python3 benchmark/phase-window.py BENCH.log SYSTEM OP OUT WINDOW_S &   # first SYSTEM OP phase
  python3 benchmark/phase-stalls.py DIR/SYSTEM-...-OP-r1.tsv OUT [MIN_US]  # per slow op: CPU by thread

Needs root and /sys/kernel/tracing; writes OUT.trace and OUT.tids (tid, pid, comm, command line)."""
# rec.py LOG SYSTEM OP OUT WINDOW: system-wide sched + block trace (trace_clock mono) over a phase
import os,re,sys,time
from tracefs import need_tracefs
log,system,op,out,window=sys.argv[1:6]; window=float(window)
T="/sys/kernel/tracing/instances/c1tail-"+re.sub(r"\W","",system+op)

need_tracefs()

EV=["sched/sched_wakeup","sched/sched_switch","block/block_rq_issue","block/block_rq_complete","sched/sched_process_exec"]
def w(p,v):
    with open(p,"w") as f: f.write(v)
seen=0
while True:
    try: lines=open(log).read().splitlines()
    except FileNotFoundError: time.sleep(0.2); continue
    hit=any(re.search(rf"\] {re.escape(system)} {op}: phase started",l) for l in lines[seen:])
    seen=len(lines)
    if hit: break
    time.sleep(0.02)
os.makedirs(T,exist_ok=True)
w(T+"/buffer_size_kb","65536"); w(T+"/trace_clock","mono"); w(T+"/trace","")
for e in EV: w(f"{T}/events/{e}/enable","1")
w(T+"/tracing_on","1"); time.sleep(window); w(T+"/tracing_on","0")
with open(out+".tids","w") as f:
    for d in os.listdir("/proc"):
        if not d.isdigit(): continue
        try:
            cmd=open(f"/proc/{d}/cmdline","rb").read().replace(b"\0",b" ")[:300].decode(errors="replace")
            for t in os.listdir(f"/proc/{d}/task"):
                f.write(f"{t}\t{d}\t{open(f'/proc/{d}/task/{t}/comm').read().strip()}\t{cmd}\n")
        except OSError: pass
os.system(f"cat {T}/trace > {out}.trace")
for e in EV: w(f"{T}/events/{e}/enable","0")
w(T+"/trace",""); os.rmdir(T)
