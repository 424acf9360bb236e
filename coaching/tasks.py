"""Celery tasks of the coaching app: thin wrappers around services.findings_recompute
(docs/architecture.md, Background work). Idempotent: findings are upserted on their natural key."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from accounts.models import OrgUnit
from accounts.scoping import local_today
from kpi.calculations import period_of
from salesops.events import SnapshotsChanged

from . import services

RETRY = {"autoretry_for": (OperationalError,), "max_retries": 3, "retry_backoff": True}


@shared_task(name="coaching.findings_recompute", time_limit=600, soft_time_limit=540, **RETRY)
def findings_recompute(team_ids: list[int], period: str) -> dict[str, int]:
    """Recompute the findings of ``team_ids`` for ``period`` ('2026-10' or '2026-W43').

    Called after KPI snapshots change; teams that no longer exist are skipped.
    """
    return services.findings_recompute(team_ids=team_ids, period=period)


@shared_task(
    name="coaching.findings_recompute_many", time_limit=1800, soft_time_limit=1700, **RETRY
)
def findings_recompute_many(team_ids: list[int], periods: list[str]) -> dict[str, int]:
    """Recompute the findings of ``team_ids`` for every one of ``periods`` in one task and
    one pass (a KPI run's teams and periods; ``services.findings_recompute_periods`` reads
    each journal-habit table once for them): totals ``{"created", "updated", "deleted"}``."""
    return services.findings_recompute_periods(team_ids=team_ids, periods=periods)


def diagnose_after_snapshots(event: SnapshotsChanged) -> None:
    """Queue ONE diagnosis of the teams whose KPI snapshots changed, for all the event's
    periods (findings are recomputed after KPI snapshots change; idempotent)."""
    if event.team_ids and event.periods:
        findings_recompute_many.delay(list(event.team_ids), list(event.periods))


@shared_task(name="coaching.findings_recompute_all", time_limit=1800, soft_time_limit=1700, **RETRY)
def findings_recompute_all() -> dict[str, int]:
    """Nightly: every team, the current month and ISO week, in one pass."""
    today = local_today()
    teams = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).values_list("pk", flat=True))
    return services.findings_recompute_periods(
        team_ids=teams, periods=[period_of(today, kind) for kind in ("month", "week")]
    )
