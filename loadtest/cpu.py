"""CPU seconds used by the production setup's processes, by role, for `make loadtest`
(docs/deploy.md, "Load"). CPU time is what a shared machine reports reliably (wall-clock
latencies depend on everything else running).

``python loadtest/cpu.py ROOT_PID DATABASE`` prints JSON ``{"web": s, "worker": s,
"kpiworker": s, "beat": s, "postgres": s, "nice": {"kpiworker": n, ...}}``: the user+system
CPU seconds (Linux /proc, processes alive now, their finished children included) of every
descendant of ROOT_PID (the honcho of scripts/prod.sh) by role, plus the PostgreSQL backends
connected to DATABASE, and each role's nice value. The report subtracts two of these.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

PROC = Path("/proc")


def role_of(cmdline: str) -> str | None:
    """The role of a process from its command line: web (gunicorn), worker, kpiworker
    (the Celery worker with hostname kpi@...), beat; None for anything else."""
    if "gunicorn" in cmdline:
        return "web"
    if "celery" in cmdline and " beat" in cmdline:
        return "beat"
    if "celery" in cmdline and " worker" in cmdline:
        return "kpiworker" if "kpi@" in cmdline else "worker"
    return None


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds incl. waited-for children, nice) of ``pid``."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    ticks = os.sysconf("SC_CLK_TCK")
    utime, stime, cutime, cstime = (int(fields[i]) for i in (11, 12, 13, 14))
    return int(fields[1]), (utime + stime + cutime + cstime) / ticks, int(fields[16])


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def snapshot(root: int, database: str) -> dict[str, Any]:
    """CPU seconds by role now (see the module docstring)."""
    stats = {
        int(p.name): s for p in PROC.iterdir() if p.name.isdigit() and (s := _stat(int(p.name)))
    }
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    seconds: dict[str, float] = {"web": 0.0, "worker": 0.0, "kpiworker": 0.0, "beat": 0.0}
    nice: dict[str, int] = {}
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        role = role_of(_cmdline(pid))
        if role is None:
            continue
        _, cpu, niceness = stats[pid]
        # A forked child's time is its own; the parent's cutime only covers children it
        # waited for, which are gone from /proc by now.
        seconds[role] += cpu
        nice[role] = max(nice.get(role, niceness), niceness)
    seconds["postgres"] = sum(
        cpu
        for pid, (_, cpu, _) in stats.items()
        if _cmdline(pid).startswith("postgres: ") and f" {database} " in _cmdline(pid)
    )
    return {**{k: round(v, 2) for k, v in seconds.items()}, "nice": nice}


def main(argv: list[str]) -> int:
    """Print the snapshot for ``ROOT_PID DATABASE``."""
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: python loadtest/cpu.py ROOT_PID DATABASE", file=sys.stderr)
        return 2
    print(json.dumps(snapshot(int(argv[0]), argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
