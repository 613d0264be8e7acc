#!/usr/bin/env python3
"""Loopback, one client, one kept connection: files served with sendfile(2) or with pread + send in
256 KiB chunks (as FastDFS's storage does); prints p50/p90, the client's CPU and the server's CPU per
download, three alternating runs of each. Shows what a download's sending method costs the *client*
when both share a machine (benchmark/PROFILE.md, session 31: which method came out ahead changed with
the hour on the shared benchmark machine, so compare runs taken together). Not a test; run it under
the bench lock.

  python3 benchmark/sendfile-loopback.py DOWNLOADS SIZE_BYTES [FILES]
  python3 benchmark/sendfile-loopback.py 2000 1048576 64
  python3 benchmark/sendfile-loopback.py 30 33554432 2

The files are written once under $TMPDIR (random bytes) and left there for the next run.
"""
import multiprocessing
import os
import resource
import socket
import sys
import tempfile
import time

N = int(sys.argv[1])
SIZE = int(sys.argv[2])
NFILES = int(sys.argv[3]) if len(sys.argv) > 3 else 1
paths = []
for i in range(NFILES):
    p = os.path.join(tempfile.gettempdir(), f"sendfile-loopback-{SIZE}-{i}.bin")
    if not os.path.exists(p) or os.path.getsize(p) != SIZE:
        with open(p, "wb") as f:
            f.write(os.urandom(SIZE))
    paths.append(p)


def serve(mode, port_q, cpu_q):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port_q.put(s.getsockname()[1])
    c, _ = s.accept()
    fds = [os.open(p, os.O_RDONLY) for p in paths]
    buf = bytearray(256 << 10)
    served, cpu = 0, 0.0
    while c.recv(1):  # one byte asks for the next file
        fd = fds[served % len(fds)]
        served += 1
        t0 = time.process_time()
        off = 0
        if mode == "sendfile":
            while off < SIZE:
                off += os.sendfile(c.fileno(), fd, off, SIZE - off)
        else:
            while off < SIZE:
                n = os.preadv(fd, [buf], off)
                c.sendall(memoryview(buf)[:n])
                off += n
        cpu += time.process_time() - t0
    cpu_q.put(cpu / max(1, served))


def run(mode):
    port_q, cpu_q = multiprocessing.Queue(), multiprocessing.Queue()
    p = multiprocessing.Process(target=serve, args=(mode, port_q, cpu_q))
    p.start()
    c = socket.create_connection(("127.0.0.1", port_q.get()))
    buf = bytearray(64 << 10)
    lat = []
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(N):
        t0 = time.perf_counter()
        c.send(b"x")
        got = 0
        while got < SIZE:
            got += c.recv_into(buf)
        lat.append(time.perf_counter() - t0)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    c.close()
    server_cpu = cpu_q.get()
    p.join()
    lat.sort()
    client_cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / N
    print(
        f"{mode:9s} p50 {lat[len(lat) // 2] * 1e3:7.3f} ms p90 {lat[len(lat) * 9 // 10] * 1e3:7.3f} ms;"
        f" client CPU {client_cpu * 1e6:7.0f} us, server CPU {server_cpu * 1e6:7.0f} us per download"
    )


if __name__ == "__main__":
    for _ in range(3):
        for mode in ("sendfile", "readwrite"):
            run(mode)
