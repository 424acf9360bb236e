#!/bin/sh
# Usage: scripts/lower-priority.sh N COMMAND [ARG...]: run COMMAND at CPU niceness N, also
# against processes of other sessions (docs/deploy.md, "A full recompute yields").
#
# Linux with autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled = 1, the
# default of most distributions' kernels) first shares the CPU between sessions and applies
# a process's nice value only inside its own session; honcho starts every Procfile process
# in a session of its own, so `nice` alone left the KPI worker an equal share beside
# gunicorn (measured: two busy loops in two sessions, one at nice 10, 1.40 and 1.37 CPU
# seconds; with the session's nice set as well, 0.37). So the session's autogroup gets the
# same niceness (raising it needs no privilege), then nice runs the command. Without
# autogroups (or under systemd, where the unit's cgroup and CPUWeight= decide) the write
# is skipped or harmless.
set -eu
n="$1"
shift
if [ -w /proc/self/autogroup ]; then
  echo "$n" >/proc/self/autogroup 2>/dev/null || true
fi
exec nice -n "$n" "$@"
