#!/usr/bin/env python3
"""Where a storage connection's CPU goes on the event loops (benchmark/conn-cost.sh PERF=1).

  python3 benchmark/conn-cost-split.py PERF.TXT CONNECTIONS PERIOD_US [TOP]

PERF.TXT is `perf script -F comm,tid,ip,sym`; only the Vert.x event-loop threads are read. Prints
the loops' samples per connection, split by leaf (kernel, JVM/Java code), the per-connection
system calls Netty makes (inclusive: the call and what the kernel does in it), and the top leaf
frames. With inlining on, Java frames are the compiled methods' roots (run the JVM with
-XX:-Inline for attribution by method, at a higher total).
"""
import collections
import re
import sys

SYSCALLS = [  # frame substring -> what it is (Netty 4.2's epoll channel, per connection)
    ("Socket.accept", "accept4 (and the EAGAIN one after it)"),
    ("Socket.isIPv6", "getsockname: LinuxSocket's family check"),
    ("Socket.localAddress", "getsockname: the channel's local address"),
    ("Socket.setTcpNoDelay", "setsockopt TCP_NODELAY (EpollSocketChannelConfig)"),
    ("Socket.getSendBufferSize", "getsockopt SO_SNDBUF (EpollSocketChannelConfig)"),
    ("Native.epollCtlAdd0", "epoll_ctl ADD (register)"),
    ("Native.epollCtlMod0", "epoll_ctl MOD (beginRead: EPOLLIN)"),
    ("__libc_recv", "recv (the request, QUIT, EOF)"),
    ("__send", "sendto (the answer; runs the client's receive on loopback)"),
    ("Socket.getSoLinger", "getsockopt SO_LINGER (prepareToClose)"),
    ("Native.epollCtlDel0", "epoll_ctl DEL"),
    ("FileDescriptor.close", "close (FIN; the client's side on loopback)"),
    ("epoll_pwait2", "epoll_pwait2 (waits, wake-ups)"),
    ("callHandlerAdded0", "Java: the child's handlers added (our initChannel: VertxHandler, "
     "NetSocketImpl, metrics, onConnect, StorageConnection)"),
    ("micrometer", "Java: Micrometer net-server meters"),
]


def frames(sample):
    out = []
    for line in sample[1:]:
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            out.append(re.sub(r"\s*\(.*\)$", "", parts[1]))
    return out


def is_java(sym):
    return " " in sym and ("io." in sym or "java." in sym or "jdk." in sym)


def main():
    path, n, period = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    per = lambda count: count * period / n
    total, java, incl, leaves = 0, 0, collections.Counter(), collections.Counter()
    with open(path, errors="replace") as f:
        text = f.read()
    for block in text.split("\n\n"):
        lines = block.strip().split("\n")
        if len(lines) < 2 or not lines[0].startswith("vert.x-eventloo"):
            continue
        fr = frames(lines)
        if not fr:
            continue
        total += 1
        java += is_java(fr[0])
        leaves[fr[0]] += 1
        joined = "\n".join(fr)
        for key, _ in SYSCALLS:
            if key in joined:
                incl[key] += 1
    print(f"event loops: {per(total):.1f} us per connection, Java-method leaves {per(java):.1f}")
    for key, what in SYSCALLS:
        print(f"  {per(incl[key]):6.2f}  {what}")
    print("top leaves:")
    for sym, count in leaves.most_common(top):
        print(f"  {per(count):6.2f}  {sym[:150]}")


if __name__ == "__main__":
    main()
