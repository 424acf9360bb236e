"""Celery tasks of the KPI engine: thin wrappers that take ids and plain
values, re-fetch rows and call one service.

A run is planned by :func:`kpi_run_execute` and split into one :func:`kpi_run_part` per
team and per branch, sent as a Celery group so several workers share it; each part
upserts its snapshots (idempotent) and counts itself done on the run row.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from salesops.celery import Heartbeat
from salesops.events import SnapshotsChanged, publish

from . import recovery, services
from .models import KpiRun

logger = logging.getLogger(__name__)

PART_TIME_LIMIT = 15 * 60
PART_SOFT_TIME_LIMIT = 14 * 60
RETRY = {"autoretry_for": (OperationalError,), "max_retries": 3, "retry_backoff": True}


@shared_task(name="kpi.run_execute", time_limit=300, soft_time_limit=240, **RETRY)
def kpi_run_execute(run_id: int) -> None:
    """Plan run ``run_id``: claim it (pending -> running), then send one message per part.
    A duplicated message finds the run no longer pending and does nothing, unless the run's
    heartbeat is stale (its worker died before sending every part): then the missing
    parts are sent again (kpi.recovery, bounded by JOB_MAX_ATTEMPTS)."""
    run = KpiRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    if run.status == KpiRun.Status.RUNNING and recovery.kpi_run_is_stale(run):
        recovery.kpi_run_resume(run=run)
        return
    if run.status != KpiRun.Status.PENDING:
        return
    try:
        parts = services.kpi_run_parts(run=run)
    except (LookupError, ValueError) as exc:
        services.kpi_run_claim(run_id=run_id, parts_total=0)
        services.kpi_run_fail(run_id=run_id, error=str(exc))
        return
    if not services.kpi_run_claim(run_id=run_id, parts_total=len(parts), plan=parts):
        return
    # One message per part, so idle workers share the run; a send that fails (broker
    # outage) leaves the run's heartbeat to go stale and kpi.reconcile sends the rest.
    recovery.kpi_run_send_parts(run_id=run_id, parts=parts)


@shared_task(
    bind=True,
    name="kpi.run_part",
    acks_late=True,
    time_limit=PART_TIME_LIMIT,
    soft_time_limit=PART_SOFT_TIME_LIMIT,
    max_retries=3,
)
def kpi_run_part(self, run_id: int, kind: str, unit_id: int) -> int:
    """Compute one part (a team or a branch) of run ``run_id``; returns rows written.

    Skips a run that is gone or no longer running (failed) and a part already counted (a
    redelivered or resent message). A passing database error is retried (the part's upsert
    is idempotent); any other error fails the run with its text. While it computes, the
    run's heartbeat is kept fresh so the reconciler leaves it alone.
    """
    run = KpiRun.objects.filter(pk=run_id, status=KpiRun.Status.RUNNING).first()
    if run is None or services.kpi_run_part_is_done(run_id=run_id, kind=kind, unit_id=unit_id):
        return 0
    try:
        with Heartbeat(lambda: services.kpi_run_heartbeat(run_id=run_id)):
            rows = services.kpi_run_part(run=run, kind=kind, unit_id=unit_id)
    except OperationalError as exc:
        if self.request.is_eager or self.request.retries >= 3:
            logger.exception("KPI run %s part %s:%s: database error", run_id, kind, unit_id)
            services.kpi_run_fail(run_id=run_id, error=f"{kind} {unit_id}: {exc}")
            return 0
        raise self.retry(exc=exc, countdown=30) from exc
    except SoftTimeLimitExceeded:
        services.kpi_run_fail(run_id=run_id, error=f"{kind} {unit_id}: time limit reached")
        return 0
    except Exception as exc:
        logger.exception("KPI run %s part %s:%s failed", run_id, kind, unit_id)
        services.kpi_run_fail(run_id=run_id, error=f"{kind} {unit_id}: {exc!r}")
        return 0
    counted, finished = services.kpi_run_part_record(
        run_id=run_id, kind=kind, unit_id=unit_id, rows=rows
    )
    if counted and finished:
        # The last part: announce the whole run once, so the diagnosis runs once per run
        # over all its teams and periods (not once per team and period).
        teams = [uid for k, uid in services.kpi_run_parts(run=run) if k == "team"]
        diagnose_after_recompute(team_ids=teams, periods=list(run.periods))
    return rows


def diagnose_after_recompute(*, team_ids: list[int], periods: list[str]) -> None:
    """Announce that these teams' snapshots changed (SnapshotsChanged); coaching subscribes
    and queues one diagnosis of all of them for all the periods (docs/architecture.md,
    "Events"). Nothing is published without teams or periods."""
    if team_ids and periods:
        publish(SnapshotsChanged(team_ids=tuple(team_ids), periods=tuple(periods)))


@shared_task(
    name="kpi.recompute_team",
    time_limit=PART_TIME_LIMIT,
    soft_time_limit=PART_SOFT_TIME_LIMIT,
    **RETRY,
)
def kpi_recompute_team(team_id: int, periods: list[str], trigger: str = "") -> int:
    """The debounced recompute scheduled by :func:`kpi.services.kpi_touch`."""
    rows = services.kpi_recompute_touched(team_id=team_id, periods=periods)
    if rows:
        diagnose_after_recompute(team_ids=[team_id], periods=periods)
    return rows


@shared_task(
    name="kpi.recompute_branch",
    time_limit=PART_TIME_LIMIT,
    soft_time_limit=PART_SOFT_TIME_LIMIT,
    **RETRY,
)
def kpi_recompute_branch(branch_id: int, periods: list[str], trigger: str = "") -> int:
    """The debounced branch recompute scheduled after one of its teams was recomputed."""
    return services.kpi_recompute_branch(branch_id=branch_id, periods=periods)


@shared_task(name="kpi.nightly", time_limit=300, soft_time_limit=240, **RETRY)
def kpi_nightly() -> int:
    """Beat, 02:00 local: recompute the current and previous month and ISO week of every
    team. Returns the run id."""
    run = services.kpi_run_start(trigger=KpiRun.Trigger.NIGHTLY, periods=[])
    return run.pk


@shared_task(name="kpi.reconcile", time_limit=120, soft_time_limit=100)
def kpi_reconcile() -> dict[str, int]:
    """Beat, every RECONCILE_EVERY_SECONDS: re-queue KPI runs and recomputes whose worker
    or message was lost (kpi.recovery). Idempotent; safe to run on several machines."""
    return recovery.kpi_reconcile()
