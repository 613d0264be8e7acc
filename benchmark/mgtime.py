#!/usr/bin/env python3
"""What a forced append costs the device on this machine when files' timestamps are queried
(Linux >= 6.13 multigrain timestamps on a filesystem without a journal; benchmark/PROFILE.md,
session 32 "mgtime").

  python3 benchmark/mgtime.py probe [MODE ...]      # MODE: none fstat otherwrite otherstat
  perf record -a -e timestamp:fill_mg_cmtime -e timestamp:ctime_ns_xchg -o OUT -- sleep 12
  python3 benchmark/mgtime.py split OUT             # after a run of the benchmark beside it

`probe` appends 80 bytes to a preallocated file in this directory and fdatasyncs it, 400 times
per mode and twice, 0.5 ms apart (a c=1 client's pace), and prints the device's write requests
and cache flushes per append (/sys/block/<dev>/stat) and the append's p50. Between appends, mode
`fstat` queries the file's own timestamps, `otherwrite` writes another file, `otherstat` queries
then writes another file (unforced). A query marks an inode, and its next change takes a
fine-grained time, which also moves the coarse clock's floor for every file: the appended file's
mtime then changes on each append, and on ext4 without a journal `fdatasync` writes its inode
block as well (journalled ext4 and XFS skip a timestamp-only change).

`split` reads a `perf record` of the kernel's timestamp tracepoints and prints, per second and
thread kind, the ctime changes and how many came right after a query of the same inode (each of
those took a fine-grained time). Run it as root; `perf list 'timestamp:*'` shows the events.
"""
import collections
import os
import re
import subprocess
import sys
import time


def device():
    """The block device under this directory (by major:minor of its filesystem)."""
    st = os.stat(os.path.dirname(os.path.abspath(__file__)))
    majmin = "%d:%d" % (os.major(st.st_dev), os.minor(st.st_dev))
    for name in os.listdir("/sys/block"):
        for cand in [name] + [p for p in os.listdir("/sys/block/" + name) if p.startswith(name)]:
            base = "/sys/block/%s" % name + ("" if cand == name else "/" + cand)
            try:
                if open(base + "/dev").read().strip() == majmin:
                    return "/sys/block/%s/stat" % name
            except OSError:
                pass
    raise SystemExit("no block device found for " + majmin)


def counters(stat):
    f = open(stat).read().split()
    return int(f[4]), int(f[15])  # write requests completed, flush requests completed


def probe(modes):
    stat = device()
    here = os.path.dirname(os.path.abspath(__file__))
    path, other = os.path.join(here, ".mgtime.bin"), os.path.join(here, ".mgtime.other")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fo = os.open(other, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        os.pwrite(fd, b"\0" * (1 << 20), 0)
        os.fsync(fd)
        os.fsync(fo)
        for mode in modes:
            for _ in range(2):
                n, off, oo, lat = 400, 0, 0, []
                w0, f0 = counters(stat)
                for _ in range(n):
                    a = time.perf_counter()
                    os.pwrite(fd, b"x" * 80, off)
                    off += 80
                    os.fdatasync(fd)
                    lat.append(time.perf_counter() - a)
                    if mode == "fstat":
                        os.fstat(fd)
                    elif mode == "otherwrite":
                        os.pwrite(fo, b"y" * 80, oo)
                        oo += 80
                    elif mode == "otherstat":
                        os.fstat(fo)
                        os.pwrite(fo, b"y" * 80, oo)
                        oo += 80
                    elif mode != "none":
                        raise SystemExit("unknown mode " + mode)
                    until = time.perf_counter() + 0.0005
                    while time.perf_counter() < until:
                        pass
                w1, f1 = counters(stat)
                lat.sort()
                print("%-10s writes/append %.2f  flushes/append %.2f  p50 %.0f us"
                      % (mode, (w1 - w0) / n, (f1 - f0) / n, lat[n // 2] * 1e6), flush=True)
    finally:
        os.close(fd)
        os.close(fo)
        os.unlink(path)
        os.unlink(other)


def split(data):
    text = subprocess.run(["perf", "script", "-i", data, "-F", "comm,tid,time,event,trace"],
                          capture_output=True, text=True).stdout
    queried, t0 = {}, None
    changes, after_query = collections.Counter(), collections.Counter()
    for line in text.split("\n"):
        m = re.search(r"^\s*(.+?)\s+\d+\s+([\d.]+):\s+timestamp:(\w+): ino=(\S+)", line)
        if not m:
            continue
        comm, t, event, ino = m.groups()
        kind = re.sub(r"[-#]?\d+\S*$", "", comm.strip()).strip() or comm.strip()
        t = float(t)
        t0 = t if t0 is None else t0
        second = int(t - t0)
        if event == "fill_mg_cmtime":
            queried[ino] = kind
        elif event == "ctime_ns_xchg":
            changes[(second, kind)] += 1
            if ino in queried:
                after_query[(second, queried.pop(ino), kind)] += 1
    for s in sorted({k[0] for k in changes}):
        ch = ", ".join("%s %d" % (k[1], v) for k, v in sorted(changes.items()) if k[0] == s)
        aq = ", ".join("%s -> %s %d" % (k[1], k[2], v)
                       for k, v in sorted(after_query.items()) if k[0] == s)
        print("+%2d s  ctime changes: %s" % (s, ch))
        if aq:
            print("       after a query of the same inode (query -> change): %s" % aq)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "probe":
        probe(sys.argv[2:] or ["none", "fstat", "otherwrite", "otherstat", "none"])
    elif len(sys.argv) == 3 and sys.argv[1] == "split":
        split(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
