#!/usr/bin/env python3
# (kept from /work/tmp/up64s/an2.py; reads the .trace/.tids that phase-trace.py with the extra syscalls records: /work/tmp/up64s/pt.py)
# up64s: the network side of a c=1 packed group upload, from pt.py's trace: per paired upload
# (source slot write, peer copy write), when the source read the body's last bytes, when the copy
# left, when the peer read its last bytes, and when each committer wrote. Usage: an2.py OUT
import re, sys, collections, statistics, bisect
out=sys.argv[1]
tids={}
for l in open(out+".tids"):
    t,p,c=l.split(None,2); tids[int(t)]=(int(p),c.strip())
LINE=re.compile(r"^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+): (.*)$")
open_sc={}; ev=collections.defaultdict(list)  # pid -> [(start,end,kind,name,args,ret)]
for l in open(out+".trace"):
    m=LINE.match(l)
    if not m: continue
    tid=int(m.group(2)); ts=float(m.group(3)); body=m.group(4)
    if tid not in tids or not body.startswith("sys_"): continue
    if " -> " in body:
        name=body.split()[0][4:]
        if tid in open_sc and open_sc[tid][0]==name:
            n,a,s=open_sc.pop(tid); ret=int(body.split(" -> ")[1],16) if body.split(" -> ")[1].startswith("0x") else 0
            k=re.sub(r"[-#]?\d+$","",tids[tid][1])
            ev[tids[tid][0]].append((s,ts,k,n,a,ret))
    else:
        name=body.split("(")[0][4:]; args=dict(re.findall(r"(\w+): (\w+)",body)); open_sc[tid]=(name,args,ts)
for p in ev: ev[p].sort(key=lambda e:(e[0],e[1]))
def pct(v,q): v=sorted(v); return v[min(len(v)-1,int(len(v)*q))] if v else float('nan')
# committer slot writes (writev of a slot) per pid
cw={p:[e for e in ev[p] if e[2].startswith("packed-commit") and e[3]=="writev"] for p in ev}
pids=[p for p in cw if cw[p]]
if len(pids)!=2: print("need two storages with committer writes", pids); sys.exit()
a,b=pids
allw=sorted([(e[0],a,e) for e in cw[a]]+[(e[0],b,e) for e in cw[b]])
pairs=[]; used=set()
for i,(w,m,x) in enumerate(allw):
    if id(x) in used: continue
    for j in range(i+1,min(i+4,len(allw))):
        w2,m2,y=allw[j]
        if m2!=m and id(y) not in used and w2-w<0.003:
            pairs.append((m,x[0],m2,y[0])); used.add(id(x)); used.add(id(y)); break
loops={p:[e for e in ev[p] if e[2].startswith("vert.x-eventloo")] for p in ev}
starts={p:[e[0] for e in loops[p]] for p in loops}
def before(p,t,cond,back=0.002):
    i=bisect.bisect_left(starts[p],t)-1; best=None
    while i>=0 and loops[p][i][0]>t-back:
        e=loops[p][i]
        if cond(e): return e
        i-=1
    return None
rows=collections.defaultdict(list); sends=[]; peerreads=[]
for src,sw,peer,pw in pairs:
    rx=before(src,sw,lambda e:e[3]=="recvfrom" and e[5]>=0x2000)      # body's last read at the source
    px=before(peer,pw,lambda e:e[3]=="recvfrom" and e[5]>=1)          # the peer's last read before its write
    if not rx or not px: continue
    # copy bytes sent by the source between 1 ms before its body read and the peer's write
    i=bisect.bisect_left(starts[src],rx[0]-0.001); ns=0; nb=0; lastsend=None
    while i<len(loops[src]) and loops[src][i][0]<pw:
        e=loops[src][i]
        if e[3] in("sendto","writev","sendmsg") and e[5]>=0x400: ns+=1; nb+=e[5]; lastsend=e
        i+=1
    sends.append(ns)
    rows["source body read -> source committer write"].append((sw-rx[1])*1e3)
    if lastsend: rows["source body read -> copy's last send"].append((lastsend[0]-rx[1])*1e3)
    if lastsend: rows["copy's last send -> peer's last read"].append((px[0]-lastsend[1])*1e3)
    rows["peer's last read -> peer committer write"].append((pw-px[1])*1e3)
    rows["source body read -> peer committer write"].append((pw-rx[1])*1e3)
    rows["source write -> peer write"].append((pw-sw)*1e3)
print(f"{out}: paired uploads {len(pairs)}, analysed {len(rows['source write -> peer write'])}; copy sends (>=1 KiB) per upload: {collections.Counter(sends).most_common(4)}")
for k,v in rows.items():
    print(f"  {k:45s} p50 {pct(v,.5):.3f} p90 {pct(v,.9):.3f} mean {statistics.mean(v):.3f} ms")
# syscalls per upload on each storage's event loops
for p in pids:
    c=collections.Counter(e[3] for e in loops[p] if e[3] not in ("futex",))
    n=len(pairs)
    print(f"  pid {p} event loops per upload: "+", ".join(f"{k} {c[k]/n:.2f}" for k in sorted(c)))
