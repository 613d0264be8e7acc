"""What the phase-*.py tracers share: tracefs, mounted where a new machine has not."""
import os
import sys

ROOT = "/sys/kernel/tracing"


def need_tracefs():
    """Mounts tracefs where a new machine has not (root), or says at once what is missing, before
    the benchmark runs rather than after (session 34: a FileNotFoundError at the phase)."""
    if not os.path.isdir(ROOT + "/instances"):
        os.system(f"mount -t tracefs nodev {ROOT} 2>/dev/null")
    if not os.path.isdir(ROOT + "/instances"):
        sys.exit(f"{ROOT} is not mounted and could not be (needs root): mount -t tracefs nodev {ROOT}")
