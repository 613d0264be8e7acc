#!/usr/bin/env python3
"""Each operation of a --dump-latencies file slower than MIN_US (1000) inside a phase-window.py trace:
the on-CPU microseconds of every thread during it (idle: a CPU with nothing to run), the block
requests issued. A client op that waits while one server thread runs alone names what it waits for."""
import sys,re,collections
lat,base=sys.argv[1],sys.argv[2]; thr=int(sys.argv[3]) if len(sys.argv)>3 else 1000
tids={}
for l in open(base+'.tids'):
    x=l.rstrip('\n').split('\t',3)
    if len(x)<4 or not x[0].isdigit(): continue
    t,p,c,cmd=x
    k='client' if 'PeerBench' in cmd else ('tracker' if 'tracker' in cmd.lower() and 'java' in cmd else ('java:'+p if 'java' in cmd else c[:12]))
    if 'fdfs' in cmd: k=cmd.split()[0].split('/')[-1]+':'+p
    tids[int(t)]=(k,c)
LINE=re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+([\d.]+): (\w+): (.*)$")
SW=re.compile(r"prev_comm=(.*) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)")
ev=[]
for l in open(base+'.trace'):
    m=LINE.match(l)
    if m: ev.append((float(m.group(4)),int(m.group(3)),int(m.group(2)),m.group(5),m.group(6)))
print("trace",ev[0][0],ev[-1][0],len(ev))
# per-cpu running intervals
runs=[]  # (start,end,cpu,tid,comm)
cur={}
for ts,cpu,tid,name,body in ev:
    if name=='sched_switch':
        m=SW.search(body)
        if not m: continue
        if cpu in cur: s,t,c=cur[cpu]; runs.append((s,ts,cpu,t,c))
        cur[cpu]=(ts,int(m.group(5)),m.group(4))
ops=[tuple(map(int,l.split())) for l in open(lat).read().split('\n')[1:] if l]
t0=ops[0][2]
def who(t,c):
    if t==0: return 'idle'
    k=tids.get(t,(c,c))
    return f"{k[0]}/{k[1]}"
n=0
blk=[(ts,body) for ts,cpu,tid,name,body in ev if name.startswith('block_rq_issue')]
for s,l,mono in ops:
    a=mono/1e9; b=a+l/1e6
    if l<thr or a<ev[0][0] or b>ev[-1][0]: continue
    use=collections.Counter()
    for rs,re_,cpu,t,c in runs:
        o=min(re_,b)-max(rs,a)
        if o>0: use[who(t,c)]+=o
    nb=sum(1 for ts,_ in blk if a<=ts<=b)
    print(f"op at +{(mono-t0)/1e6:8.1f} ms lat {l} us; blk issues {nb}: "+", ".join(f"{k} {v*1e6:.0f}" for k,v in use.most_common(7)))
    n+=1
