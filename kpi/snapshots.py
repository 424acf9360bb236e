"""Compute KPI figures and store them as snapshots.

The ORM side of the engine: which scopes to compute (the reps and supervisors of some teams,
the teams, the branches above them), one :func:`kpi.loading.load_input` for the customers
involved, one :func:`kpi.calculations.compute_many` for all periods x scopes, and one bulk
upsert of :class:`kpi.models.KpiSnapshot` rows on their natural key (scope, period, metric).

Idempotent: recomputing the same data writes the same values; rows of metrics that no longer
exist for a scope and period (e.g. an industry share that vanished) are deleted in the same
transaction. Two concurrent writers never double a row (the natural key is unique and the
write is an ``INSERT ... ON CONFLICT DO UPDATE`` on SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership, OrgUnit
from accounts.scoping import memberships_in

from .calculations import (
    MONEY_METRICS,
    MetricValue,
    Period,
    Scope,
    parse_period,
)
from .loading import compute_org, load_input
from .models import KpiRun, KpiSnapshot

SIX_PLACES = Decimal("0.000001")
SCOPE_ROLES = (Membership.Role.REP, Membership.Role.SUPERVISOR)
NATURAL_KEY = ["scope_kind", "scope_id", "period_kind", "period_start", "metric"]


# --------------------------------------------------------------------------- values


def to_decimal(v: int | float | Decimal | None) -> Decimal | None:
    """A MetricValue part as stored: Decimal with at most 6 places; None stays None.

    Floats (rates) are rounded half-even to 6 places, so a rate reads back as a fraction
    such as 0.240000. NaN/Infinity never come from the calculations; they would raise.
    """
    if v is None:
        return None
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(v).quantize(SIX_PLACES)
    return Decimal(v).quantize(SIX_PLACES) if v.as_tuple().exponent < -6 else Decimal(v)  # type: ignore[operator]


@functools.cache  # metric names are few; read for every snapshot row
def _is_rate(metric: str) -> bool:
    from .calculations import BOUNDED_RATES, UNBOUNDED_RATIOS

    return (
        metric in BOUNDED_RATES
        or metric in UNBOUNDED_RATIOS
        or metric.endswith("_completion")
        or ":" in metric
    )


@functools.cache
def _money_parts(metric: str) -> bool:
    """True when a metric's numerator (and denominator) are money amounts."""
    if metric in MONEY_METRICS or metric == "collection_rate":
        return True
    if metric.startswith("product_share:"):
        return True
    return metric.endswith("_completion") and metric.removesuffix("_completion") in MONEY_METRICS


def _money(v: Decimal | None) -> Decimal | None:
    return None if v is None else Decimal(v).quantize(Decimal("0.01"))


def _count_or_decimal(v: Decimal | None) -> int | Decimal | None:
    if v is None:
        return None
    d = Decimal(v)
    return int(d) if d == d.to_integral_value() else d.normalize()


def metric_value_from_row(
    metric: str,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    status: str,
) -> MetricValue:
    """Rebuild the :class:`MetricValue` of a stored snapshot row with the calculations'
    types: counts ``int``, money ``Decimal`` (2 places), rates ``float``.

    A rate is recomputed from its stored exact numerator and denominator (counts, money to
    the cent, targets), so it equals the engine's value exactly; the 6-place stored value
    is only a fallback for a row without them. Rounding happens on display only
    (docs/domain, section 9, rounding)."""
    if value is None:
        v: Any = None
    elif metric in MONEY_METRICS:
        v = _money(value)
    elif _is_rate(metric):
        exact = numerator is not None and denominator is not None and denominator != 0
        v = float(Decimal(numerator) / Decimal(denominator)) if exact else float(value)  # type: ignore[arg-type]
    else:
        v = _count_or_decimal(value)
    money = _money_parts(metric)
    num = _money(numerator) if money else _count_or_decimal(numerator)
    if metric == "arpu":  # numerator money, denominator a number of customers
        den = _count_or_decimal(denominator)
    else:
        den = _money(denominator) if money else _count_or_decimal(denominator)
    return MetricValue(v, num, den, status)


def _status(mv: MetricValue) -> str:
    if mv.value is None and mv.status == "ok":
        return KpiSnapshot.Status.NO_DATA
    return mv.status


# --------------------------------------------------------------------------- scopes


def _window(periods: Sequence[Period]) -> tuple[dt.date, dt.date]:
    return min(p.start for p in periods), max(p.end for p in periods)


def scope_members(team_ids: Iterable[int], periods: Sequence[Period]) -> dict[int, set[int]]:
    """{team id: user ids that were a rep or supervisor of it during any of ``periods``}.

    One query. These are the people whose personal ("rep") scope is computed with the team.
    """
    start, end = _window(periods)
    rows = (
        Membership.objects.filter(unit_id__in=list(team_ids), role__in=SCOPE_ROLES)
        .filter(memberships_in(start, end))
        .values_list("unit_id", "user_id")
    )
    out: dict[int, set[int]] = {}
    for unit_id, user_id in rows:
        out.setdefault(unit_id, set()).add(user_id)
    return out


def teams_of_users(user_ids: Iterable[int], periods: Sequence[Period]) -> set[int]:
    """Teams any of ``user_ids`` was a rep or supervisor of during ``periods``. One query."""
    start, end = _window(periods)
    return set(
        Membership.objects.filter(user_id__in=list(user_ids), role__in=SCOPE_ROLES)
        .filter(memberships_in(start, end))
        .values_list("unit_id", flat=True)
    )


def branch_teams(branch_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """{branch id: ids of the teams directly under it}, for all branches or the given ones."""
    teams = OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM, parent__kind=OrgUnit.Kind.BRANCH)
    if branch_ids is not None:
        teams = teams.filter(parent_id__in=list(branch_ids))
    out: dict[int, list[int]] = {}
    for team_id, parent_id in teams.order_by("id").values_list("id", "parent_id"):
        out.setdefault(parent_id, []).append(team_id)
    return out


def all_team_ids() -> list[int]:
    """Ids of every team unit, ascending."""
    return list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM).order_by("id").values_list("id", flat=True)
    )


# --------------------------------------------------------------------------- compute + store


def _periods(periods: Iterable[Period | str]) -> list[Period]:
    out = sorted({parse_period(p) for p in periods})
    if not out:
        raise ValueError("At least one period is needed")
    return out


def compute_and_store(
    *,
    periods: list[Period] | list[str],
    team_ids: list[int] | None = None,
    run: KpiRun | None = None,
    kinds: Sequence[str] = ("rep", "team", "branch"),
) -> int:
    """Compute and upsert the snapshots of ``team_ids`` (None: every team) for ``periods``.

    Scopes: every rep or supervisor of those teams during the periods (their figures over
    all their teams), each team, and each branch above them (``Scope.branch`` of all its
    teams), limited to ``kinds``. Attribution and every rule: kpi.calculations, docs/domain
    section 9. Values are stored as Decimal (rates as fractions with 6 places, money with 2,
    counts whole), None for no value with status ``no_data`` or ``pending``.

    Returns the number of snapshot rows written. Raises ValueError without periods.
    """
    plist = _periods(periods)
    scopes, load_teams = plan_scopes(plist, team_ids, kinds)
    if not scopes:
        return 0
    rep_ids = [int(s.id) for s in scopes if s.kind == "rep" and s.id is not None]
    data = load_input(team_ids=load_teams, rep_ids=rep_ids, periods=plist)
    branches = [s for s in scopes if s.kind == "branch"]
    if branches:
        data.targets = with_branch_targets(data.targets, branches)
    return store(compute_org(plist, scopes, data), run=run)


def plan_scopes(
    plist: Sequence[Period], team_ids: list[int] | None, kinds: Sequence[str]
) -> tuple[list[Scope], list[int] | None]:
    """The scopes :func:`compute_and_store` computes for ``team_ids`` (None: every team) and
    ``kinds``, and the teams whose customers it loads (None: the whole organisation).
    A few small queries (memberships, units)."""
    if team_ids is None:
        teams = all_team_ids()
        load_teams: list[int] | None = None
    else:
        teams = sorted(set(team_ids))
        load_teams = list(teams)
    scopes: list[Scope] = []
    if not teams:
        return scopes, load_teams
    if "rep" in kinds:
        members = scope_members(teams, plist)
        users = sorted(set().union(*members.values())) if members else []
        scopes += [Scope.rep(u) for u in users]
        if load_teams is not None and users:
            # A rep's own figures cover every team they were in during the periods.
            load_teams = sorted(set(load_teams) | teams_of_users(users, plist))
    if "team" in kinds:
        scopes += [Scope.team(t) for t in teams]
    if "branch" in kinds:
        parents = set(
            OrgUnit.objects.filter(id__in=teams, parent__kind=OrgUnit.Kind.BRANCH).values_list(
                "parent_id", flat=True
            )
        )
        for branch_id, tids in sorted(branch_teams(parents).items()):
            scopes.append(Scope.branch(tids, branch_id))
            if load_teams is not None:
                load_teams = sorted(set(load_teams) | set(tids))
    return scopes, load_teams


def with_branch_targets(targets: pd.DataFrame, branches: Sequence[Scope]) -> pd.DataFrame:
    """Add, per branch, the sum of its teams' targets (per period and metric) as the
    branch's own target rows, so branch completion rates have a denominator (targets are
    set for reps and teams only; docs/domain section 4b). Rows already given for a branch win.
    """
    if targets is None or targets.empty or "scope_kind" not in targets:
        return targets
    teams = targets[targets["scope_kind"] == "team"]
    existing = targets[targets["scope_kind"] == "branch"]
    have = set(zip(existing["scope_id"], existing["period"], existing["metric"], strict=True))
    extra: list[tuple[str, int, str, str, Decimal]] = []
    for branch in branches:
        mine = teams[teams["scope_id"].isin(list(branch.team_ids))]
        if mine.empty:
            continue
        for (period, metric), values in mine.groupby(["period", "metric"])["value"]:
            if (branch.id, period, metric) not in have:
                total = sum((Decimal(str(v)) for v in values), Decimal(0))
                extra.append(("branch", int(branch.id or 0), str(period), str(metric), total))
    if not extra:
        return targets
    added = pd.DataFrame.from_records(
        extra, columns=["scope_kind", "scope_id", "period", "metric", "value"]
    )
    return pd.concat([targets, added], ignore_index=True)


_COLUMNS = [*NATURAL_KEY, "value", "numerator", "denominator", "status", "computed_at", "run_id"]


def _upsert_sql() -> str:
    """``INSERT ... ON CONFLICT (natural key) DO UPDATE``: the same text on SQLite (3.24+)
    and PostgreSQL, so a row is written once whatever the number of concurrent writers."""
    qn = connection.ops.quote_name
    table = qn(KpiSnapshot._meta.db_table)
    cols = ", ".join(qn(c) for c in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    key = ", ".join(qn(c) for c in NATURAL_KEY)
    updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in _COLUMNS if c not in NATURAL_KEY)
    return (
        f"INSERT INTO {table} ({cols}) VALUES ({marks}) "  # noqa: S608 - model metadata only
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


def store(
    results: dict[tuple[Period, Scope], dict[str, Any]],
    *,
    run: KpiRun | None = None,
) -> int:
    """Upsert ``compute_many`` results as snapshot rows; delete the stale metrics of the same
    scopes and periods. One transaction per period (a team's part of a 24-month recompute
    commits 24 small transactions, not one that holds its row locks for the whole part;
    docs/deploy.md, "Load"): readers see each period either before or after, never half
    written. Returns the rows written.

    Rows go through one ``executemany`` of an upsert (the ORM's bulk_create with
    update_conflicts builds a model instance per row and is several times slower for the
    ~200k rows of a full recompute)."""
    stamp = timezone.now()
    ops = connection.ops
    stamp_param = ops.adapt_datetimefield_value(stamp)
    run_id = run.pk if run is not None else None
    rows: dict[Period, list[tuple[Any, ...]]] = {}
    by_period: dict[Period, dict[str, set[int]]] = {}
    for (period, scope), metrics in results.items():
        assert scope.id is not None  # noqa: S101 - branches here always carry their id
        by_period.setdefault(period, {}).setdefault(scope.kind, set()).add(scope.id)
        start = ops.adapt_datefield_value(period.start)
        mine = rows.setdefault(period, [])
        for name, mv in metrics.items():
            mine.append(
                (
                    scope.kind,
                    scope.id,
                    period.kind,
                    start,
                    name,
                    to_decimal(mv.value),
                    to_decimal(mv.numerator),
                    to_decimal(mv.denominator),
                    _status(mv),
                    stamp_param,
                    run_id,
                )
            )
    sql = _upsert_sql()
    # One order for every writer (periods in order, rows by natural key within a period), so
    # concurrent upserts of shared rows (a rep computed by the parts of two teams) lock them
    # in the same order and cannot deadlock each other.
    for period in sorted(by_period):
        period_rows = sorted(rows.get(period, []), key=lambda r: (r[0], r[1], r[4]))
        with transaction.atomic(), connection.cursor() as cursor:
            for i in range(0, len(period_rows), 5000):
                cursor.executemany(sql, period_rows[i : i + 5000])
            for kind, ids in sorted(by_period[period].items()):
                id_list = sorted(ids)
                for i in range(0, len(id_list), 500):
                    KpiSnapshot.objects.filter(
                        scope_kind=kind,
                        scope_id__in=id_list[i : i + 500],
                        period_kind=period.kind,
                        period_start=period.start,
                    ).exclude(computed_at=stamp).delete()
    return sum(len(r) for r in rows.values())
