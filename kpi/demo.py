"""Demo targets and KPI snapshots for ``seed_demo``.

Runs after the customers and journals demo: computes the last 12 months and this month
(and the last 12 ISO weeks and this one) once, sets monthly targets for the demo reps
and teams near what each actually did (80-130 %, so completion rates vary around 100 %;
two reps have no targets, so their completion shows "-"), then computes the snapshots
again with the targets, synchronously. Deterministic for a given random generator and
idempotent: a second run finds the demo targets and only recomputes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.demo import TEAMS, DemoOrg
from accounts.models import Membership, OrgUnit
from accounts.scoping import local_today, memberships_in

from .calculations import Period, period_of
from .models import KpiRun, KpiSnapshot, MonthlyAnalysis, Target
from .selectors import snapshot_table
from .snapshots import compute_and_store

MONTHS = 12
WEEKS = 12
# metric -> (floor when the rep did nothing that month, rounding step)
TARGET_METRICS: dict[str, tuple[Decimal, Decimal]] = {
    "new_targets": (Decimal(2), Decimal(1)),
    "deals": (Decimal(1), Decimal(1)),
    "visits": (Decimal(60), Decimal(5)),
    "sales_revenue": (Decimal(1000), Decimal(500)),
    "total_revenue": (Decimal(2000), Decimal(500)),
}


def demo_periods(today: dt.date | None = None) -> list[Period]:
    """This month and the 12 before it, this ISO week and the 12 before it."""
    day = today or local_today()
    out: list[Period] = []
    for kind, count in (("month", MONTHS), ("week", WEEKS)):
        p = period_of(day, kind)
        for _ in range(count + 1):
            out.append(p)
            p = p.previous()
    return out


def _round(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).quantize(Decimal(1)) * step


def seed(org: DemoOrg, rng: random.Random, stdout: IO[str] | Any) -> None:
    """Set demo targets and compute 12 months and 12 weeks of snapshots (idempotent)."""
    team_ids = [t.pk for t in org.teams]
    if Target.objects.filter(team_id__in=team_ids).exists():
        stdout.write("kpi: demo targets already there")
        return
    started = time.monotonic()
    periods = demo_periods()
    months = [p for p in periods if p.kind == "month"]
    compute_and_store(periods=months, team_ids=team_ids, kinds=("rep",))
    targets: list[Target] = []
    # Two reps without targets: the last of the second team and the first of the fourth.
    without = {
        reps[pos].pk
        for index, pos in ((1, -1), (3, 0))
        if index < len(org.teams) and (reps := org.reps.get(org.teams[index].pk))
    }
    ack = timezone.now()
    for team in org.teams:
        supervisor = org.supervisors.get(team.pk)
        reps = [r for r in org.reps.get(team.pk, []) if r.pk not in without]
        for month in months:
            actual = snapshot_table(
                scope_kind="rep",
                scope_ids=[r.pk for r in reps],
                period=month,
                metrics=list(TARGET_METRICS),
            )
            team_totals: dict[str, Decimal] = dict.fromkeys(TARGET_METRICS, Decimal(0))
            for rep in reps:
                if not _member_in(rep.pk, team.pk, month):
                    continue
                for metric, (floor, step) in TARGET_METRICS.items():
                    mv = actual.get(rep.pk, {}).get(metric)
                    done = Decimal(mv.value) if mv and mv.value else Decimal(0)
                    if metric == "visits" and done == 0:
                        continue  # no journals that month: no visit target either
                    base = max(done, floor)
                    value = max(step, _round(base * Decimal(rng.uniform(0.8, 1.3)), step))
                    team_totals[metric] += value
                    targets.append(
                        Target(
                            rep=rep,
                            month=month.start,
                            metric=metric,
                            value=value,
                            set_by=supervisor,
                            acknowledged_at=ack if month.end <= local_today() else None,
                        )
                    )
            for metric, total in team_totals.items():
                if total > 0:
                    targets.append(
                        Target(
                            team=team,
                            month=month.start,
                            metric=metric,
                            value=total,
                            set_by=supervisor,
                        )
                    )
    with transaction.atomic():
        Target.objects.bulk_create(targets)
    run = KpiRun.objects.create(
        trigger=KpiRun.Trigger.COMMAND,
        status=KpiRun.Status.RUNNING,
        periods=[p.key for p in periods],
        parts_total=1,
        started_at=timezone.now(),
    )
    rows = compute_and_store(periods=periods, team_ids=team_ids, run=run)
    # Recorded as a finished run, so dashboards show when the figures were computed.
    KpiRun.objects.filter(pk=run.pk).update(
        status=KpiRun.Status.DONE, parts_done=1, snapshots_written=rows, finished_at=timezone.now()
    )
    stdout.write(
        f"kpi: {len(targets)} targets, {rows} snapshots for {MONTHS} months and {WEEKS} weeks "
        f"({time.monotonic() - started:.1f} s)"
    )


def _member_in(user_id: int, team_id: int, month: Period) -> bool:
    return Membership.objects.filter(
        memberships_in(month.start, month.end),
        user_id=user_id,
        unit_id=team_id,
    ).exists()


def reset() -> None:
    """Delete the demo teams' targets, monthly analyses and KPI snapshots."""
    codes = [t[0] for t in TEAMS]
    teams = list(OrgUnit.objects.filter(code__in=codes).values_list("id", flat=True))
    branches = list(OrgUnit.objects.filter(code__in=["east", "west"]).values_list("id", flat=True))
    users = list(Membership.objects.filter(unit_id__in=teams).values_list("user_id", flat=True))
    Target.objects.filter(Q(team_id__in=teams) | Q(rep_id__in=users)).delete()
    MonthlyAnalysis.objects.filter(team_id__in=teams).delete()
    KpiSnapshot.objects.filter(
        Q(scope_kind="team", scope_id__in=teams)
        | Q(scope_kind="branch", scope_id__in=branches)
        | Q(scope_kind="rep", scope_id__in=users)
    ).delete()
