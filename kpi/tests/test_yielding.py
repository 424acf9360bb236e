"""A full KPI recompute yields to web traffic (docs/deploy.md, "Load"): its messages go to
their own queue (settings.KPI_QUEUE) consumed by a worker at lower CPU priority, user-facing
tasks stay on the default queue, and a part writes one period per transaction."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kpi import recovery
from kpi.models import KpiRun
from kpi.snapshots import compute_and_store
from salesops.celery import kpi_queues

from .test_recovery import _running_run
from .test_snapshots import eager  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


def _procfile() -> dict[str, str]:
    """The Procfile's processes: {name: command line}."""
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_procfile_runs_kpi_work_niced_on_its_own_queue_and_user_tasks_at_normal_priority():
    procs = _procfile()
    assert set(procs) == {"web", "worker", "kpiworker", "beat"}
    kpi = procs["kpiworker"]
    assert kpi.startswith("scripts/lower-priority.sh ${KPI_WORKER_NICE:-10} .venv/bin/celery ")
    assert " -A salesops worker " in kpi
    assert "--queues ${KPI_QUEUE:-kpi}" in kpi
    assert "--hostname kpi@%h" in kpi
    worker = procs["worker"]
    assert not worker.startswith("nice"), "user-facing tasks keep normal priority"
    assert "--queues celery " in worker
    assert not procs["web"].startswith("nice")
    assert not procs["beat"].startswith("nice")
    # make prod / make loadtest route KPI work to the queue the niced worker consumes.
    env = (ROOT / "scripts" / "prod-env.sh").read_text(encoding="utf-8")
    assert 'export KPI_QUEUE="${KPI_QUEUE-kpi}"' in env


def test_lower_priority_nices_the_command_and_its_session_as_honcho_starts_it():
    code = "import os, pathlib; print(os.nice(0)); p = pathlib.Path('/proc/self/autogroup')\n"
    code += "print(p.read_text().strip() if p.exists() else 'no autogroup')"
    done = subprocess.run(  # noqa: S603 - our own script and interpreter
        [str(ROOT / "scripts" / "lower-priority.sh"), "7", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        start_new_session=True,  # as honcho starts every Procfile process
    )
    niceness, autogroup = done.stdout.splitlines()
    assert int(niceness) == os.nice(0) + 7
    if autogroup != "no autogroup":
        # Autogroup scheduling: the session's share is lowered too, not only inside it.
        assert autogroup.endswith(" nice 7")


def test_the_example_systemd_units_run_kpi_work_niced_on_its_own_queue():
    deploy = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    unit = r"`/etc/systemd/system/(salesops-[\w-]+)\.service`.*?```ini\n(.*?)```"
    units = dict(re.findall(unit, deploy, re.S))
    assert "--queues kpi " in units["salesops-kpi-worker"]
    assert re.search(r"^Nice=10$", units["salesops-kpi-worker"], re.M)
    assert re.search(r"^CPUWeight=\d+$", units["salesops-kpi-worker"], re.M)
    assert "--queues celery " in units["salesops-worker"]
    assert not re.search(r"^Nice=", units["salesops-worker"], re.M)
    assert "KPI_QUEUE=kpi" in deploy


def _routes(kpi_queue: str | None) -> dict[str, str]:
    """The queue each task name is sent to, with KPI_QUEUE as given (a fresh process: the
    routes are read from the settings when Celery configures itself)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="salesops.settings_test")
    env.pop("KPI_QUEUE", None)
    if kpi_queue is not None:
        env["KPI_QUEUE"] = kpi_queue
    code = (
        "import django, json; django.setup()\n"
        "from salesops.celery import app\n"
        "print(json.dumps({n: app.amqp.router.route({}, n)['queue'].name"
        " for n in sorted(app.tasks) if not n.startswith('celery.')}))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_with_a_kpi_queue_only_bulk_kpi_work_goes_there():
    routes = _routes("kpi")
    bulk = {
        "kpi.run_execute",
        "kpi.run_part",
        "coaching.findings_recompute_many",
        "coaching.findings_recompute_all",
    }
    assert {name for name, queue in routes.items() if queue == "kpi"} == bulk
    # What people wait for stays on the default queue of the worker at normal priority.
    for name in ("kpi.recompute_team", "kpi.recompute_branch", "kpi.reconcile", "salesops.ping"):
        assert routes[name] == "celery"
    assert all(routes[n] == "celery" for n in routes if n.startswith(("customers.", "journals.")))


def test_without_a_kpi_queue_everything_stays_on_the_default_queue():
    assert set(_routes(None).values()) == {"celery"}


def test_the_reconciler_counts_messages_waiting_in_the_kpi_queue(org, settings, monkeypatch):
    settings.KPI_QUEUE = "kpi"
    assert kpi_queues() == ("celery", "kpi")
    asked: list[tuple[str, ...]] = []

    def waiting(*queues: str) -> int:
        asked.append(queues)
        return 3 if "kpi" in queues else 0

    monkeypatch.setattr(recovery, "queue_length", waiting)
    run = _running_run(org, stale=True)
    counts = recovery.kpi_reconcile()
    run.refresh_from_db()
    assert asked == [("celery", "kpi")]
    # Its parts may only be waiting for the niced worker: not re-sent, no attempt counted.
    assert counts["runs_sent"] == 0
    assert (run.status, run.attempts) == (KpiRun.Status.RUNNING, 0)


def test_without_a_kpi_queue_the_reconciler_looks_at_the_default_queue_only(settings):
    settings.KPI_QUEUE = ""
    assert kpi_queues() == ("celery",)


@pytest.mark.django_db
def test_a_part_writes_each_period_in_its_own_transaction(org, monkeypatch):
    periods = ["2026-03", "2026-02", "2026-W10", "2026-W09"]
    blocks: list[list[str]] = []
    real_atomic = transaction.atomic

    @contextmanager
    def spy(*args: Any, **kwargs: Any) -> Iterator[None]:
        with real_atomic(*args, **kwargs), CaptureQueriesContext(connection) as ctx:
            yield
        blocks.append([q["sql"] for q in ctx.captured_queries])

    monkeypatch.setattr(transaction, "atomic", spy)
    rows = compute_and_store(periods=periods, team_ids=[org.team_a.pk], kinds=("rep", "team"))
    monkeypatch.undo()
    assert rows > 0
    writes = [b for b in blocks if any("INSERT INTO" in q and "kpi_kpisnapshot" in q for q in b)]
    assert len(writes) == len(periods)
    starts = [
        {d for q in b for d in re.findall(r"period_start\"? = '(\d{4}-\d{2}-\d{2})", q)}
        for b in writes
    ]
    # Each transaction deletes the stale rows of its own period only.
    assert all(len(s) == 1 for s in starts)
    assert sorted(s.pop() for s in starts) == sorted(
        {"2026-03-01", "2026-02-01", "2026-03-02", "2026-02-23"}
    )


READER_SAFE_LOCKS = {"AccessShareLock", "RowExclusiveLock"}
"""Table locks a part may hold: a page's SELECT (AccessShareLock) waits only for
AccessExclusiveLock, a page's INSERT/UPDATE (RowExclusiveLock) for Share and stronger
(PostgreSQL, "Table-Level Locks")."""


@pytest.mark.django_db
def test_a_part_holds_no_postgresql_lock_a_page_would_wait_for(org, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("table locks are PostgreSQL's (CI and make drills run on it)")
    from kpi import services

    held: set[str] = set()
    real_atomic = transaction.atomic

    def table_locks() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT mode FROM pg_locks "
                "WHERE pid = pg_backend_pid() AND locktype = 'relation'"
            )
            return {row[0] for row in cursor.fetchall()}

    @contextmanager
    def spy(*args: Any, **kwargs: Any) -> Iterator[None]:
        with real_atomic(*args, **kwargs):
            yield
            held.update(table_locks())  # still inside the transaction: what it holds

    before = table_locks()
    run = KpiRun.objects.create(trigger="manual", periods=["2026-03", "2026-W10"])
    parts = services.kpi_run_parts(run=run)
    assert services.kpi_run_claim(run_id=run.pk, parts_total=len(parts), plan=parts)
    monkeypatch.setattr(transaction, "atomic", spy)
    for kind, unit in parts:
        rows = services.kpi_run_part(run=run, kind=kind, unit_id=unit)
        services.kpi_run_part_record(run_id=run.pk, kind=kind, unit_id=unit, rows=rows)
    monkeypatch.undo()
    held.update(table_locks())
    assert held  # the spy saw the part's transactions
    assert held - before <= READER_SAFE_LOCKS, held
