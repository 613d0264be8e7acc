#!/usr/bin/env python3
"""What an idle group of ours costs, per thread group, jar against jar (benchmark/PROFILE.md "idle25").

Starts one group per jar exactly as test/java/io/dfstree/benchmark/SystemUnderTest.java (class Ours,
topology "group") does: `java -Xmx512m -jar JAR tracker|storage --cluster`, cluster.members=127.0.0.1,
cluster.host=127.0.0.1, a Hazelcast seed port of its own (blocks 200 ports apart, below the ephemeral
range), storage W=2 / fsync on / subdirCount=32 / reservedSpace=256M unless --storage-set says
otherwise, started one JVM at a time. Warms each group with the jar's own `dfstree bench` (--warm
files of 4 KiB at c=4, then a third of that at c=1), lets them settle, and then reads, for every
thread of the three JVMs of every group, /proc/<pid>/task/<tid>/schedstat (field 1: ns on CPU,
field 3: times scheduled in, i.e. wake-ups) and the context switches in .../status, at the start
and end of each window. Thread names come from `jcmd <pid> Thread.print` (nid = tid), as /proc's
comm is cut at 15 characters and Hazelcast's names start with the instance name.

All groups idle side by side through the same windows, so each window compares the jars at the same
age and under the same machine. --sessions N restarts everything N times, rotating which jar is
started (and warmed) first: the one started later is younger (its JIT and timer code less settled).

Output: one line per (session, window, system, thread group): CPU ms/s and wake-ups/s, then a
summary (median over windows) per system, and with --tsv a file of the same rows.

  flock /work/bench.lock python3 benchmark/idle-cpu.py --jar-as A=/work/s25start.jar \\
      --jar-as B=/tmp/idle25.jar --sessions 2 --windows 3 --window 60 --settle 60 --tsv /tmp/idle.tsv

Loopback only; every process it starts is stopped by PID at the end (also on Ctrl-C).
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time

GROUPS = [
    "JIT compiler",
    "hz.cached tracker",
    "hz.cached storages",
    "hz.scheduled",
    "hz.IO",
    "hz.partition-op",
    "hz.MetricsRegistry",
    "hz other",
    "event loops tracker",
    "event loops storages",
    "VM Periodic Task",
    "GC",
    "other",
]


def classify(role, name):
    if "CompilerThre" in name:
        return "JIT compiler"
    if name.startswith("hz."):
        if ".cached.thread" in name:
            return "hz.cached tracker" if role == "tracker" else "hz.cached storages"
        if ".scheduled.thread" in name:
            return "hz.scheduled"
        if ".IO.thread" in name:
            return "hz.IO"
        if "partition-operation" in name:
            return "hz.partition-op"
        if "MetricsRegistry" in name:
            return "hz.MetricsRegistry"
        return "hz other"
    if name.startswith("vert.x-eventloop"):
        return "event loops tracker" if role == "tracker" else "event loops storages"
    if name.startswith("VM Periodic Task"):
        return "VM Periodic Task"
    if name.startswith(("GC Thread", "G1 ", "G1Conc", "G1 Refine")):
        return "GC"
    return "other"


def thread_names(pid):
    out = subprocess.run(
        ["jcmd", str(pid), "Thread.print"], capture_output=True, text=True, timeout=60
    ).stdout
    names = {}
    for line in out.splitlines():
        m = re.match(r'^"(.*)".* nid=(0x[0-9a-f]+|\d+)', line)
        if m:
            nid = m.group(2)
            names[int(nid, 16) if nid.startswith("0x") else int(nid)] = m.group(1)
    return names


def snapshot(pid):
    """{tid: (ns on cpu, times scheduled, voluntary+involuntary switches)}"""
    snap = {}
    base = f"/proc/{pid}/task"
    for tid in os.listdir(base):
        try:
            with open(f"{base}/{tid}/schedstat") as f:
                fields = f.read().split()
            ctx = 0
            with open(f"{base}/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        ctx += int(line.split()[-1])
            snap[int(tid)] = (int(fields[0]), int(fields[2]), ctx)
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return snap


class Group:
    def __init__(self, name, jar, workdir, seed, ports, jvm, storage_sets):
        self.name, self.jar, self.dir = name, jar, workdir
        self.seed, self.ports, self.jvm, self.storage_sets = seed, ports, jvm, storage_sets
        self.procs = []  # (role, Popen)

    def _launch(self, role, args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DFSTREE_")}
        log = open(os.path.join(self.dir, role + ".log"), "w")
        p = subprocess.Popen(
            ["java", *self.jvm, "-jar", self.jar, *args],
            cwd=self.dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append((role, p))
        deadline = time.time() + 150
        while time.time() < deadline:
            if p.poll() is not None:
                raise RuntimeError(f"{self.name} {role} exited {p.returncode}; logs in {self.dir}")
            with open(os.path.join(self.dir, role + ".log")) as f:
                if " started" in f.read():
                    return
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} {role}: no banner in 150 s; logs in {self.dir}")

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        tracker, s1, s2 = self.ports
        cluster = [
            "--cluster",
            "--set", f"cluster.name=idlecpu-{os.getpid()}-{self.name}",
            "--set", "cluster.host=127.0.0.1",
            "--set", f"cluster.port={self.seed}",
            "--set", "cluster.members=127.0.0.1",
        ]
        self._launch(
            "tracker",
            ["tracker", "--set", "tracker.host=127.0.0.1", "--set", f"tracker.port={tracker}", *cluster],
        )
        for sid, port in ((1, s1), (2, s2)):
            sets = []
            for kv in self.storage_sets:
                sets += ["--set", "storage." + kv]
            sets += [
                "--set", f"storage.id={sid}",
                "--set", "storage.group=group1",
                "--set", "storage.host=127.0.0.1",
                "--set", f"storage.port={port}",
                "--set", "storage.storePaths=" + os.path.join(self.dir, f"store{sid}"),
                "--set", "storage.fsync=true",
                "--set", "storage.writeQuorum=2",
                "--set", "storage.reservedSpace=256M",
                "--set", "storage.subdirCount=32",
            ]
            self._launch(f"storage{sid}", ["storage", *sets, *cluster])

    def bench(self, n, c, quiet=True):
        cmd = ["java", "-jar", self.jar, "bench", f"--tracker=127.0.0.1:{self.ports[0]}",
               "-s", "4K", "-n", str(n), "-c", str(c)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        return r.returncode == 0, r.stdout + r.stderr

    def warm(self, n):
        deadline = time.time() + 180
        while True:  # until both storages are active at the tracker
            ok, out = self.bench(8, 1)
            if ok:
                break
            if time.time() > deadline:
                raise RuntimeError(f"{self.name}: group not serving: {out[-500:]}")
            time.sleep(2)
        for n_, c in ((n, 4), (max(1, n // 3), 1)):
            ok, out = self.bench(n_, c)
            if not ok:
                raise RuntimeError(f"{self.name}: warm-up failed: {out[-500:]}")

    def pids(self):
        return [(role, p.pid) for role, p in self.procs]

    def stop(self):
        for role, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(10)
        self.procs.clear()


def measure(groups, seconds):
    names = {}
    for g in groups:
        for role, pid in g.pids():
            names[pid] = thread_names(pid)
    before = {pid: snapshot(pid) for g in groups for _, pid in g.pids()}
    t0 = time.time()
    time.sleep(seconds)
    after = {pid: snapshot(pid) for g in groups for _, pid in g.pids()}
    dt = time.time() - t0
    for g in groups:
        for _, pid in g.pids():
            late = thread_names(pid)  # threads born in the window
            late.update(names[pid])
            names[pid] = late
    result = {}
    detail = {}
    for g in groups:
        acc = {k: [0.0, 0.0, 0.0] for k in GROUPS}
        for role, pid in g.pids():
            for tid, (ns, runs, ctx) in after[pid].items():
                ns0, runs0, ctx0 = before[pid].get(tid, (0, 0, 0))
                name = names[pid].get(tid, "?native")
                k = classify(role, name)
                a = acc[k]
                a[0] += (ns - ns0) / 1e6 / dt
                a[1] += (runs - runs0) / dt
                a[2] += (ctx - ctx0) / dt
                detail[(g.name, role, name)] = ((ns - ns0) / 1e6 / dt, (runs - runs0) / dt)
        result[g.name] = acc
    return result, detail


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar-as", action="append", required=True, help="NAME=JAR (two or more)")
    ap.add_argument("--sessions", type=int, default=2)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--window", type=float, default=60)
    ap.add_argument("--settle", type=float, default=60, help="idle seconds after the warm-up, unmeasured")
    ap.add_argument("--warm", type=int, default=3000, help="4 KiB files at c=4 (then a third at c=1)")
    ap.add_argument("--server-jvm", default="-Xmx512m")
    ap.add_argument("--jvm-as", action="append", default=[],
                    help="NAME=OPTIONS: extra JVM options for that system's servers (e.g. a -Dhazelcast.* to try)")
    ap.add_argument("--hold", type=float, default=0,
                    help="after the warm-up print the PIDs and keep the groups this many seconds, unmeasured (for strace/perf)")
    ap.add_argument("--storage-set", action="append", default=[], help="KEY=VALUE as storage.KEY")
    ap.add_argument("--workdir", default="/tmp/idle-cpu")
    ap.add_argument("--tsv")
    ap.add_argument("--threads", type=int, default=0, help="also print the N busiest threads per window")
    a = ap.parse_args()
    systems = [tuple(s.split("=", 1)) for s in a.jar_as]
    extra = dict(tuple(s.split("=", 1)) for s in a.jvm_as)
    rows = []
    current = []

    def cleanup(*_):
        for g in current:
            g.stop()
        sys.exit(1)

    signal.signal(signal.SIGTERM, cleanup)
    signal.signal(signal.SIGINT, cleanup)
    try:
        for s in range(a.sessions):
            k = s % len(systems)
            order = systems[k:] + systems[:k]
            groups = []
            for i, (name, jar) in enumerate(order):
                slot = systems.index((name, jar))
                base = 28100 + 10 * slot
                g = Group(name, os.path.abspath(jar), os.path.join(a.workdir, f"s{s}-{name}"),
                          29100 + 200 * slot, (base + 1, base + 2, base + 3),
                          a.server_jvm.split() + extra.get(name, "").split(), a.storage_set)
                groups.append(g)
                current.append(g)
            print(f"# session {s + 1}: started in the order {[g.name for g in groups]} at "
                  + time.strftime("%H:%M:%S", time.gmtime()), flush=True)
            for g in groups:
                subprocess.run(["rm", "-rf", g.dir])
                g.start()
            for g in groups:
                g.warm(a.warm)
            print(f"# warmed at {time.strftime('%H:%M:%S', time.gmtime())}; settling {a.settle:.0f} s", flush=True)
            if a.hold:
                for g in groups:
                    print(f"# {g.name}: {g.pids()}", flush=True)
                time.sleep(a.hold)
            time.sleep(a.settle)
            for w in range(a.windows):
                t = time.strftime("%H:%M:%S", time.gmtime())
                res, detail = measure(groups, a.window)
                print(f"# session {s + 1} window {w + 1} ({t} UTC, {a.window:.0f} s); ms/s (wake-ups/s)")
                print("  " + "".join(f"{g.name:>22}" for g in groups))
                tot = {g.name: [0.0, 0.0] for g in groups}
                for k in GROUPS:
                    cells = []
                    for g in groups:
                        ms, runs, ctx = res[g.name][k]
                        tot[g.name][0] += ms
                        tot[g.name][1] += runs
                        cells.append(f"{ms:9.1f} ({runs:6.0f})")
                        rows.append((s + 1, w + 1, g.name, k, ms, runs, ctx))
                    print(f"  {k:<22}" + "".join(f"{c:>22}" for c in cells))
                print(f"  {'total':<22}" + "".join(
                    f"{tot[g.name][0]:9.1f} ({tot[g.name][1]:6.0f})".rjust(22) for g in groups), flush=True)
                for g in groups:
                    rows.append((s + 1, w + 1, g.name, "total", tot[g.name][0], tot[g.name][1], 0))
                if a.threads:
                    busiest = sorted(detail.items(), key=lambda kv: -kv[1][1])[: a.threads]
                    for (gn, role, name), (ms, runs) in busiest:
                        print(f"    {gn:<10} {role:<9} {name:<48} {ms:7.2f} ms/s {runs:6.1f}/s")
            for g in groups:
                g.stop()
            current.clear()
    finally:
        for g in current:
            g.stop()
    print("# median over all windows, ms/s (wake-ups/s)")
    names = [n for n, _ in systems]
    print("  " + "".join(f"{n:>22}" for n in names))
    for k in GROUPS + ["total"]:
        cells = []
        for n in names:
            ms = [r[4] for r in rows if r[2] == n and r[3] == k]
            runs = [r[5] for r in rows if r[2] == n and r[3] == k]
            cells.append(f"{statistics.median(ms):9.1f} ({statistics.median(runs):6.0f})" if ms else "-")
        print(f"  {k:<22}" + "".join(f"{c:>22}" for c in cells))
    if a.tsv:
        with open(a.tsv, "w") as f:
            f.write("session\twindow\tsystem\tthreads\tms_per_s\twakeups_per_s\tctxt_per_s\n")
            for r in rows:
                f.write("\t".join(str(round(x, 3)) if isinstance(x, float) else str(x) for x in r) + "\n")


if __name__ == "__main__":
    main()
