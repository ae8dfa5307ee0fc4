"""CPU time of the benchmark's processes, read from /proc (user + system, children included)."""

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) of every live process in process group `group`, and of the
    children of process `group` (PostgreSQL's backends each lead a group of their own)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # ppid, pgrp; utime and stime follow at 11 and 12
        if group in (int(fields[1]), int(fields[2])):
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def cpu_by_part(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process group."""
    return {part: group_cpu_seconds(group) for part, group in groups.items()}


def postgres_main_process(admin_url: str) -> int:
    """The PostgreSQL server's main process (its backends are its children)."""
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                command = Path(entry.path, "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            port = admin_url.rsplit(":", 1)[1].split("/", 1)[0]
            if command and command[0].endswith(b"postgres") and port.encode() in b" ".join(command):
                return int(entry.name)
    raise RuntimeError("the PostgreSQL server's process was not found")
