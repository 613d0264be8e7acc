#!/usr/bin/env python3
"""CPU per operation from `perf record -g -F 999 -e cpu-clock -e syscalls:sys_enter_X` files
(benchmark/s3-phase-profile.sh): the tracepoint's samples count the operations, each cpu-clock
sample is ~1 ms. Prints ms per operation by thread kind and by where (user, kernel, inside
sendfile), then the TOP leaf frames.

  python3 benchmark/perf-per-op.py TOP FILE.data [FILE.data ...]
"""
import collections
import re
import subprocess
import sys


def samples(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,period,event,ip,sym"],
                         capture_output=True, text=True).stdout
    cur = None
    for line in out.split("\n"):
        head = re.match(r"\s*(.+?)\s+(\d+)\s+(\S+):\s*$", line)
        if head and not re.match(r"^\s+[0-9a-f]{6,}\s", line):
            if cur:
                yield cur
            cur = [head.group(1), int(head.group(2)), head.group(3), []]
        elif line.strip() and cur:
            parts = line.strip().split(None, 1)
            cur[3].append(parts[1] if len(parts) > 1 else parts[0])
    if cur:
        yield cur


def kind(comm):
    return re.sub(r"[-#]?\d+$", "", comm.strip())


def main():
    top = int(sys.argv[1])
    for path in sys.argv[2:]:
        ops, cpu = 0, []
        for s in samples(path):
            if s[2].startswith("syscalls"):
                ops += s[1]
            elif s[2].startswith("cpu-clock"):
                cpu.append(s)
        where, leaf = collections.Counter(), collections.Counter()
        for comm, _, _, frames in cpu:
            joined = " ".join(frames)
            if "do_sendfile" in joined:
                w = "sendfile"
            elif any(x in joined for x in ("entry_SYSCALL", "asm_", "irq")):
                w = "kernel"
            else:
                w = "user"
            where[(kind(comm), w)] += 1
            name = re.sub(r"\+0x[0-9a-f]+", "", frames[0]) if frames else "?"
            if "pvm_irq_enable" in name and len(frames) > 2:  # a VM's irq-enable: say what enabled it
                name = re.sub(r"\+0x[0-9a-f]+", "", frames[2])
            leaf[(kind(comm), name[:80])] += 1
        n = max(ops, 1)
        print("%s: %d operations, %d samples, %.3f ms of CPU per operation" % (path, ops, len(cpu), len(cpu) / n))
        for (k, w), v in sorted(where.items(), key=lambda kv: -kv[1])[:12]:
            print("   %-20s %-9s %7.3f" % (k, w, v / n))
        for (k, name), v in sorted(leaf.items(), key=lambda kv: -kv[1])[:top]:
            print("      %-18s %-80s %6.3f" % (k[:18], name, v / n))


if __name__ == "__main__":
    main()
