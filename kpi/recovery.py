"""Recovery of KPI work whose worker or message was lost (docs/deploy.md, "Jobs recover").

``kpi.reconcile`` (beat, every ``RECONCILE_EVERY_SECONDS``) calls :func:`kpi_reconcile`:

- a run still *pending* after ``JOB_STALE_SECONDS`` never reached a worker (the broker was
  down when it was sent, or Redis lost it): it is sent again;
- a *running* run whose heartbeat is older than ``JOB_STALE_SECONDS`` lost its workers
  (killed, or Redis restarted and lost the queued parts): the parts not yet counted are
  sent again;
- both at most ``JOB_MAX_ATTEMPTS`` times (``KpiRun.attempts``), then the run fails with a
  message saying so;
- a dirty mark whose recompute was never sent, or whose task was lost, is sent again.

Every step is a conditional update, so two reconcilers (two beats by mistake, or a
redelivered ``kpi.run_execute``) never resend the same work twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import OrgUnit
from salesops.celery import enqueue, kpi_queues, queue_length

from .calculations import period_of
from .models import KpiDirty, KpiRun, KpiRunPart
from .services import (
    BRANCH_DELAY_SECONDS,
    DIRTY_STALE_SECONDS,
    TOUCH_DELAY_SECONDS,
    kpi_dirty_enqueue,
    kpi_run_fail,
)

logger = logging.getLogger(__name__)


def kpi_run_missing_parts(*, run: KpiRun) -> list[tuple[str, int]]:
    """The planned parts of ``run`` not counted yet: [("team", id), ...]."""
    done = set(KpiRunPart.objects.filter(run=run).values_list("kind", "unit_id"))
    return [(str(k), int(u)) for k, u in run.plan if (k, u) not in done]


def kpi_run_send_parts(*, run_id: int, parts: list[tuple[str, int]]) -> int:
    """Send one ``kpi.run_part`` message per part; returns how many the broker took."""
    return sum(enqueue("kpi.run_part", args=[run_id, kind, unit]) for kind, unit in parts)


def _take_over(run: KpiRun, now: dt.datetime) -> bool:
    """Count one more attempt on ``run`` if nobody else did since we read it."""
    return bool(
        KpiRun.objects.filter(
            pk=run.pk, status=run.status, attempts=run.attempts, heartbeat_at=run.heartbeat_at
        ).update(attempts=run.attempts + 1, heartbeat_at=now)
    )


def kpi_run_resume(*, run: KpiRun, now: dt.datetime | None = None) -> str:
    """Re-queue a stale run: "sent" (the run again, or its missing parts), "failed" (out of
    attempts), "done" (nothing was missing) or "skipped" (another reconciler took it)."""
    now = now or timezone.now()
    if run.attempts >= settings.JOB_MAX_ATTEMPTS:
        kpi_run_fail(
            run_id=run.pk,
            error=f"no worker finished the run after {run.attempts} attempts; start it again",
        )
        logger.error("KPI run %s failed: out of attempts (%s)", run.pk, run.attempts)
        return "failed"
    if not _take_over(run, now):
        return "skipped"
    if run.status == KpiRun.Status.PENDING:
        enqueue("kpi.run_execute", args=[run.pk])
        logger.warning("KPI run %s re-sent (attempt %s)", run.pk, run.attempts + 1)
        return "sent"
    missing = kpi_run_missing_parts(run=run)
    if not missing:
        KpiRun.objects.filter(pk=run.pk, status=KpiRun.Status.RUNNING).update(
            status=KpiRun.Status.DONE, finished_at=now
        )
        return "done"
    kpi_run_send_parts(run_id=run.pk, parts=missing)
    logger.warning(
        "KPI run %s: %s parts re-sent (attempt %s)", run.pk, len(missing), run.attempts + 1
    )
    return "sent"


def kpi_run_is_stale(run: KpiRun, now: dt.datetime | None = None) -> bool:
    """True when no worker showed life on ``run`` for JOB_STALE_SECONDS."""
    now = now or timezone.now()
    last = run.heartbeat_at or run.started_at or run.created_at
    return last < now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)


def kpi_reconcile(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One reconciler pass over runs and dirty marks; returns counts of what it did:
    {"runs_sent", "runs_failed", "runs_done", "marks_sent"}."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.JOB_STALE_SECONDS)
    counts = {"runs_sent": 0, "runs_failed": 0, "runs_done": 0, "marks_sent": 0}
    runs = KpiRun.objects.filter(
        Q(status=KpiRun.Status.PENDING, created_at__lt=stale)
        | Q(status=KpiRun.Status.RUNNING, started_at__lt=stale),
    ).filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale))
    waiting = queue_length(*kpi_queues())
    for run in runs.order_by("created_at")[:100]:
        if run.status == KpiRun.Status.RUNNING and waiting:
            # Messages are still queued: its parts may only be waiting for a free worker.
            continue
        outcome = kpi_run_resume(run=run, now=now)
        if outcome in ("sent", "failed", "done"):
            counts[f"runs_{outcome}"] += 1
    counts["marks_sent"] = _resend_lost_marks(now)
    if any(counts.values()):
        logger.warning("kpi.reconcile: %s", counts)
    return counts


def _resend_lost_marks(now: dt.datetime) -> int:
    """Send the recompute of every dirty mark that was never sent or whose task was lost."""
    team_stale = now - dt.timedelta(seconds=TOUCH_DELAY_SECONDS + DIRTY_STALE_SECONDS)
    branch_stale = now - dt.timedelta(seconds=BRANCH_DELAY_SECONDS + DIRTY_STALE_SECONDS)
    marks = list(
        KpiDirty.objects.filter(
            Q(enqueue_failed=True) | Q(created_at__lt=min(team_stale, branch_stale))
        ).select_related("team")[:500]
    )
    by_unit: dict[tuple[int, bool, str], list[str]] = defaultdict(list)
    for mark in marks:
        branch = mark.team.kind == OrgUnit.Kind.BRANCH
        # Take the mark over (conditional): only one reconciler sends it.
        if not KpiDirty.objects.filter(
            pk=mark.pk, created_at=mark.created_at, enqueue_failed=mark.enqueue_failed
        ).update(created_at=now, enqueue_failed=False):
            continue
        key = period_of(mark.period_start, mark.period_kind).key
        by_unit[(mark.team_id, branch, mark.trigger or "reconcile")].append(key)
    for (unit_id, branch, trigger), periods in by_unit.items():
        kpi_dirty_enqueue(unit_id=unit_id, periods=periods, trigger=trigger, branch=branch)
    return len(by_unit)
