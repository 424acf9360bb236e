"""Reads of KPI snapshots and runs (issue 6). One query per call, whatever the team size.

These functions do not check access: the views and APIs that call them pass only scopes
the viewer may see (accounts.scoping), and answer 404 for the others.
Values come back as :class:`kpi.calculations.MetricValue` with the calculations' types
(counts int, money Decimal, rates float fractions; None for no value).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from accounts.models import OrgSettings, OrgUnit

from .calculations import MetricValue, Period, Scope, compute_scope, parse_period
from .loading import load_input
from .models import KpiRun, KpiSnapshot
from .snapshots import branch_teams, metric_value_from_row

_FIELDS = ("metric", "value", "numerator", "denominator", "status")


def _mv(metric: str, value, numerator, denominator, status) -> MetricValue:
    return metric_value_from_row(metric, value, numerator, denominator, status)


def snapshot_metrics(
    *, scope_kind: str, scope_id: int, period: Period | str
) -> dict[str, MetricValue]:
    """Every stored metric of one scope ('rep'|'team'|'branch', id) and period
    ('2026-10', '2026-W43' or a Period): {metric: MetricValue}; {} when nothing is stored.
    One query. Raises ValueError for a bad period."""
    p = parse_period(period)
    rows = KpiSnapshot.objects.filter(
        scope_kind=scope_kind, scope_id=scope_id, period_kind=p.kind, period_start=p.start
    ).values_list(*_FIELDS)
    return {r[0]: _mv(*r) for r in rows.order_by("metric")}


def snapshot_series(
    *, scope_kind: str, scope_id: int, metric: str, periods: list[Period] | list[str]
) -> list[MetricValue | None]:
    """One metric of one scope over ``periods`` (for trend lines): a list aligned with
    ``periods``, None where no snapshot is stored. One query."""
    plist = [parse_period(p) for p in periods]
    if not plist:
        return []
    cond = Q()
    for kind in {p.kind for p in plist}:
        cond |= Q(period_kind=kind, period_start__in=[p.start for p in plist if p.kind == kind])
    rows = KpiSnapshot.objects.filter(
        cond, scope_kind=scope_kind, scope_id=scope_id, metric=metric
    ).values_list("period_kind", "period_start", *_FIELDS)
    found = {(r[0], r[1]): _mv(*r[2:]) for r in rows}
    return [found.get((p.kind, p.start)) for p in plist]


def snapshot_table(
    *, scope_kind: str, scope_ids: list[int], period: Period | str, metrics: list[str]
) -> dict[int, dict[str, MetricValue]]:
    """Some metrics of many scopes of one kind in one period (rankings, comparisons):
    {scope id: {metric: MetricValue}}; a scope without snapshots is absent. One query."""
    p = parse_period(period)
    if not scope_ids or not metrics:
        return {}
    rows = KpiSnapshot.objects.filter(
        scope_kind=scope_kind,
        scope_id__in=list(scope_ids),
        period_kind=p.kind,
        period_start=p.start,
        metric__in=list(metrics),
    ).values_list("scope_id", *_FIELDS)
    out: dict[int, dict[str, MetricValue]] = {}
    for r in rows:
        out.setdefault(r[0], {})[r[1]] = _mv(*r[1:])
    return out


def latest_run() -> KpiRun | None:
    """The most recently created KPI run, or None. One query."""
    return KpiRun.objects.order_by("-created_at", "-id").first()


def live_metrics(*, scope_kind: str, scope_id: int, period: Period | str) -> dict[str, MetricValue]:
    """Every metric of one scope and period computed now from the tables, not stored
    (personal weekly reports before submission, tests). Loads only the customers of the
    scope's teams (a rep: all; a team: that team; a branch: its teams)."""
    p = parse_period(period)
    if scope_kind == "branch":
        team_ids = branch_teams([scope_id]).get(scope_id, [])
        scope = Scope.branch(team_ids, scope_id)
        data = load_input(team_ids=team_ids)
    elif scope_kind == "team":
        scope = Scope.team(scope_id)
        data = load_input(team_ids=[scope_id])
    elif scope_kind == "rep":
        from .snapshots import _teams_of_users

        scope = Scope.rep(scope_id)
        teams = _teams_of_users([scope_id], [p])
        data = load_input(team_ids=sorted(teams)) if teams else load_input()
    else:
        raise ValueError(f"Unknown scope kind {scope_kind!r}")
    return compute_scope(
        p,
        scope,
        data,
        tz=timezone.get_default_timezone(),
        new_revenue_months=OrgSettings.load().new_revenue_months,
    )


def resolve_scope(text: str) -> tuple[str, int]:
    """'team:CODE' | 'branch:CODE' | 'rep:USERNAME' -> (kind, id).

    Raises LookupError when no such unit or user exists, ValueError for bad syntax."""
    from accounts.models import User

    kind, sep, key = text.partition(":")
    if not sep or not key or kind not in ("rep", "team", "branch"):
        raise ValueError(f"Not a scope (expected rep:USERNAME, team:CODE or branch:CODE): {text!r}")
    if kind == "rep":
        user_id = User.objects.filter(username=key).values_list("id", flat=True).first()
        if user_id is None:
            raise LookupError(f"No user {key!r}")
        return kind, user_id
    unit_kind = OrgUnit.Kind.TEAM if kind == "team" else OrgUnit.Kind.BRANCH
    unit_id = OrgUnit.objects.filter(code=key, kind=unit_kind).values_list("id", flat=True).first()
    if unit_id is None:
        raise LookupError(f"No {kind} {key!r}")
    return kind, unit_id
