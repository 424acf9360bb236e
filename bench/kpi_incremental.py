"""Incremental update after one change, as users get it.

Builds (or reuses, ``--keep``) one team of ``--reps`` reps (default 50) with 12 months of
history with the generator of ``bench/kpi.py`` (300 customers per rep), then times what the
worker runs after one stage change, visit or journal submit of that team:

- ``kpi.recompute_team`` for the month and ISO week of the change (the rep's and the
  team's snapshots), run as the Celery task;
- the coaching diagnosis it triggers (``SnapshotsChanged`` -> one
  ``coaching.findings_recompute_many`` for the team and the two periods);
- ``kpi.recompute_branch``, the branch's own debounced task (in parallel on the worker).

Prints the median of ``--runs`` (default 7) per step and in total (aim: under 100 ms for
the team task with its diagnosis), and with ``--profile`` the top of a cProfile of one run.

Usage: ``.venv/bin/python bench/kpi_incremental.py [--reps 50] [--keep] [--profile]``.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DB = Path(tempfile.gettempdir()) / "salesops-bench-incremental.sqlite3"


def _generator() -> Any:
    """bench/kpi.py as a module (its name would clash with the kpi app)."""
    spec = importlib.util.spec_from_file_location("bench_kpi", HERE / "kpi.py")
    assert spec is not None  # noqa: S101
    assert spec.loader is not None  # noqa: S101
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:  # noqa: PLR0915 - one linear script
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse the generated database")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    args = parser.parse_args()
    gen = _generator()
    gen.DB = DB
    os.environ["BENCH_DATABASE_URL"] = f"sqlite:///{DB}"
    marker = Path(f"{DB}.reps")
    reuse = args.keep and DB.exists() and marker.exists() and marker.read_text() == str(args.reps)
    gen.setup_django(fresh=not reuse)
    if not reuse:
        gen.generate(args.reps)
        marker.write_text(str(args.reps))

    from django.utils import timezone

    from accounts.models import Membership, OrgUnit
    from coaching import tasks as coaching_tasks
    from kpi import tasks
    from kpi.calculations import period_of
    from salesops.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    team = OrgUnit.objects.filter(kind="team").order_by("id").first()
    assert team is not None  # noqa: S101
    assert team.parent_id is not None  # noqa: S101
    reps = Membership.objects.filter(unit=team, role="rep").count()
    day = timezone.localdate()
    keys = [period_of(day, "month").key, period_of(day, "week").key]
    # Wall time and this process's CPU time (SQLite runs in the process, so the CPU time is
    # the work itself, also on a machine shared with other jobs).
    spent: dict[str, list[float]] = {
        k: [] for k in ("team", "diagnosis", "branch", "team_cpu", "diagnosis_cpu", "branch_cpu")
    }
    original = coaching_tasks.findings_recompute_many.run

    def timed_diagnosis(*a: Any, **k: Any) -> Any:
        t, c = time.perf_counter(), time.process_time()
        try:
            return original(*a, **k)
        finally:
            spent["diagnosis"].append(time.perf_counter() - t)
            spent["diagnosis_cpu"].append(time.process_time() - c)

    coaching_tasks.findings_recompute_many.run = timed_diagnosis

    def once() -> None:
        t, c = time.perf_counter(), time.process_time()
        tasks.kpi_recompute_team.apply(args=[team.pk, keys, "stage"]).get()
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        spent["team"].append(wall - (spent["diagnosis"][-1] if spent["diagnosis"] else 0))
        spent["team_cpu"].append(
            cpu - (spent["diagnosis_cpu"][-1] if spent["diagnosis_cpu"] else 0)
        )
        t, c = time.perf_counter(), time.process_time()
        tasks.kpi_recompute_branch.apply(args=[team.parent_id, keys, "stage"]).get()
        spent["branch"].append(time.perf_counter() - t)
        spent["branch_cpu"].append(time.process_time() - c)

    once()  # warm caches and the findings rows
    for key in spent:
        spent[key].clear()
    for _ in range(args.runs):
        once()
    ms = {k: statistics.median(v) * 1000 for k, v in spent.items()}
    print(
        f"incremental after one change, {reps}-rep team, periods {', '.join(keys)} "
        f"(median of {args.runs}; wall ms, CPU ms of this process):"
    )

    def line(label: str, key: str, note: str = "") -> None:
        print(f"  {label:43}: {ms[key]:6.0f} ms wall, {ms[key + '_cpu']:6.0f} ms CPU{note}")

    line("kpi.recompute_team (rep and team snapshots)", "team")
    line("coaching diagnosis it triggers", "diagnosis")
    ms["both"] = ms["team"] + ms["diagnosis"]
    ms["both_cpu"] = ms["team_cpu"] + ms["diagnosis_cpu"]
    line("team task + diagnosis", "both", " (aim: under 100 ms)")
    line("kpi.recompute_branch (in parallel)", "branch")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        once()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
