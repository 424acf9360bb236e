"""The one read seam for KPI figures on pages (docs/architecture.md, Where does rule X live).

Every page that shows a KPI figure reads it here: the dashboards, the personal and team
weekly reports, the morning and weekly meetings, the monthly analysis, coaching effect and
the recognition suggestions. Nothing else on the read side calls the engine
(``kpi.calculations``) or reads ``KpiSnapshot`` rows, so a figure is counted one way, in the
organisation's time zone (``settings.TIME_ZONE``), whatever page shows it.

Two sources:
- **stored**: the snapshot rows the workers keep fresh (``kpi.snapshots``), with the time
  they were computed (:func:`as_of`, shown as "截至 hh:mm" beside the figures);
- **live**: the engine run now over the tables (:func:`compute`, :func:`live_metrics`,
  :func:`team_week`), for drafts and for spans that are not stored (like-for-like spans).

Values are :class:`kpi.calculations.MetricValue` (counts int, money Decimal, rates float
fractions; None for no value). Access is not checked here: callers pass only scopes the
viewer may see (``accounts.scoping``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.cache import caches
from django.db import connection
from django.db.models import Max, Q
from django.db.models.expressions import Col

from domain import periods as domain_periods

from .calculations import MetricValue, Period, Scope, parse_period
from .loading import compute_org, load_input, org_zone, targets_frame
from .models import KpiSnapshot, Target
from .partials import SUMS_VERSION
from .snapshots import branch_teams, metric_value_from_row, teams_of_users

logger = logging.getLogger(__name__)

__all__ = [
    "PERCENT_MIN_BASE_COUNT",
    "PERCENT_MIN_BASE_MONEY",
    "Comparison",
    "as_of",
    "cached_comparison",
    "comparison",
    "data_version",
    "compute",
    "live_metrics",
    "org_zone",
    "rep_figures",
    "scope_and_teams",
    "stored_metrics",
    "stored_series",
    "stored_series_many",
    "stored_table",
    "team_target",
    "team_targets",
    "team_targets_vs_reps",
    "team_week",
]

_FIELDS = ("metric", "value", "numerator", "denominator", "status")


def _mv(
    metric: str,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    status: str,
) -> MetricValue:
    return metric_value_from_row(metric, value, numerator, denominator, status)


# --------------------------------------------------------------------------- stored


def stored_metrics(
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


def stored_series(
    *, scope_kind: str, scope_id: int, metric: str, periods: Sequence[Period | str]
) -> list[MetricValue | None]:
    """One metric of one scope over ``periods`` (trend lines): a list aligned with
    ``periods``, None where no snapshot is stored. One query."""
    return stored_series_many(
        scope_kind=scope_kind, scope_id=scope_id, metrics=[metric], periods=periods
    )[metric]


def stored_series_many(
    *, scope_kind: str, scope_id: int, metrics: Sequence[str], periods: Sequence[Period | str]
) -> dict[str, list[MetricValue | None]]:
    """Several metrics of one scope over ``periods`` (a dashboard's trend table):
    {metric: list aligned with ``periods``, None where no snapshot is stored}, the same as
    :func:`stored_series` per metric. One query for all of them. Raises ValueError for a
    bad period."""
    plist = [parse_period(p) for p in periods]
    names = list(dict.fromkeys(metrics))
    if not plist or not names:
        return {m: [None] * len(plist) for m in names}
    cond = Q()
    for kind in {p.kind for p in plist}:
        cond |= Q(period_kind=kind, period_start__in=[p.start for p in plist if p.kind == kind])
    rows = KpiSnapshot.objects.filter(
        cond, scope_kind=scope_kind, scope_id=scope_id, metric__in=names
    ).values_list("period_kind", "period_start", *_FIELDS)
    found = {(r[0], r[1], r[2]): _mv(*r[2:]) for r in rows}
    return {m: [found.get((p.kind, p.start, m)) for p in plist] for m in names}


def stored_table(
    *, scope_kind: str, scope_ids: Iterable[int], period: Period | str, metrics: Iterable[str]
) -> dict[int, dict[str, MetricValue]]:
    """Some metrics of many scopes of one kind in one period (rankings, comparisons):
    {scope id: {metric: MetricValue}}; a scope without snapshots is absent. One query."""
    p = parse_period(period)
    ids, names = list(scope_ids), list(metrics)
    if not ids or not names:
        return {}
    rows = KpiSnapshot.objects.filter(
        scope_kind=scope_kind,
        scope_id__in=ids,
        period_kind=p.kind,
        period_start=p.start,
        metric__in=names,
    ).values_list("scope_id", *_FIELDS)
    out: dict[int, dict[str, MetricValue]] = {}
    for r in rows:
        out.setdefault(r[0], {})[r[1]] = _mv(*r[1:])
    return out


def _stored_tables(
    *,
    scope_kind: str,
    scope_ids: Iterable[int],
    periods: Sequence[Period],
    metrics: Iterable[str],
) -> dict[tuple[str, dt.date], dict[int, dict[str, MetricValue]]]:
    """:func:`stored_table` of several periods in one query: ``{(period kind, period
    start): {scope id: {metric: MetricValue}}}``; a period or scope without snapshots is
    absent."""
    ids, names = list(scope_ids), list(metrics)
    cond = Q()
    for kind in {p.kind for p in periods}:
        cond |= Q(period_kind=kind, period_start__in=[p.start for p in periods if p.kind == kind])
    out: dict[tuple[str, dt.date], dict[int, dict[str, MetricValue]]] = {}
    if not ids or not names or not periods:
        return out
    query = KpiSnapshot.objects.filter(
        cond, scope_kind=scope_kind, scope_id__in=ids, metric__in=names
    ).values_list("period_kind", "period_start", "scope_id", *_FIELDS)
    # The ORM's SQL through a plain cursor, the decimal columns converted by the backend's
    # own converters: the ORM's row iterator cost as much again as the rows (the
    # diagnosis reads 15 figures of every rep in two periods after each change).
    sql, params = query.query.sql_with_params()
    decimal = _decimal_converter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, start, scope_id, metric, value, numerator, denominator, status in rows:
        day = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        out.setdefault((kind, day), {}).setdefault(scope_id, {})[metric] = _mv(
            metric, decimal(value), decimal(numerator), decimal(denominator), status
        )
    return out


def _decimal_converter() -> Callable[[Any], Decimal | None]:
    """The value of a ``KpiSnapshot`` decimal column (value, numerator, denominator: one
    precision) as the ORM returns it, from what the database driver gives: the backend's
    and the field's converters, applied in the ORM's order."""
    field = KpiSnapshot._meta.get_field("value")
    col = Col(KpiSnapshot._meta.db_table, field)
    converters = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]

    def convert(value: Any) -> Decimal | None:
        for converter in converters:
            value = converter(value, col, connection)
        return cast(Decimal | None, value)

    return convert


def as_of(*, scope_kind: str, scope_ids: Iterable[int], period: Period | str) -> dt.datetime | None:
    """When the stored figures of these scopes and period were last computed (aware, UTC),
    None when nothing is stored. Pages show it as "截至 hh:mm" in local time. One query."""
    p = parse_period(period)
    ids = list(scope_ids)
    if not ids:
        return None
    got: dt.datetime | None = KpiSnapshot.objects.filter(
        scope_kind=scope_kind, scope_id__in=ids, period_kind=p.kind, period_start=p.start
    ).aggregate(at=Max("computed_at"))["at"]
    return got


# --------------------------------------------------------------------------- live


def compute(
    periods: Iterable[Period | str],
    scopes: Iterable[Scope],
    *,
    team_ids: Iterable[int] | None = None,
    rep_ids: Iterable[int] | None = None,
) -> dict[tuple[Period, Scope], dict[str, MetricValue]]:
    """The engine run now for ``periods`` x ``scopes`` over the customers of ``team_ids``
    and ``rep_ids`` (``team_ids`` None: the whole organisation), in the organisation's time
    zone: ``{(period, scope): {metric: MetricValue}}``. Periods may be any span the engine
    accepts (a whole month or week, or its first days for like-for-like comparisons).
    Raises ValueError for a bad period or scope."""
    scope_list = list(scopes)
    plist = [parse_period(p) for p in periods]
    reps = set(rep_ids or ()) | {int(s.id) for s in scope_list if s.kind == "rep" and s.id}
    data = load_input(
        team_ids=None if team_ids is None else list(team_ids), rep_ids=sorted(reps), periods=plist
    )
    return compute_org(plist, scope_list, data)


def scope_and_teams(*, scope_kind: str, scope_id: int, period: Period) -> tuple[Scope, list[int]]:
    """The engine scope of ('rep'|'team'|'branch', id) and the teams whose customers it
    covers in ``period`` (a rep: the teams they were a rep or supervisor of then; a branch:
    its teams). Raises ValueError for an unknown kind."""
    if scope_kind == "branch":
        team_ids = branch_teams([scope_id]).get(scope_id, [])
        return Scope.branch(team_ids, scope_id), team_ids
    if scope_kind == "team":
        return Scope.team(scope_id), [scope_id]
    if scope_kind == "rep":
        return Scope.rep(scope_id), sorted(teams_of_users([scope_id], [period]))
    raise ValueError(f"Unknown scope kind {scope_kind!r}")


def live_metrics(*, scope_kind: str, scope_id: int, period: Period | str) -> dict[str, MetricValue]:
    """Every metric of one scope and period computed now from the tables, not stored.
    Loads only the customers of the scope's teams (a rep: the teams they were in during the
    period, and every customer they owned, moved or visited). Raises ValueError for a bad
    scope kind or period."""
    p = parse_period(period)
    scope, team_ids = scope_and_teams(scope_kind=scope_kind, scope_id=scope_id, period=p)
    return compute([p], [scope], team_ids=team_ids)[(p, scope)]


def team_week(
    *, team_id: int, period: Period, rep_ids: Sequence[int]
) -> dict[str, dict[str, MetricValue]]:
    """Live figures of a team and its reps for one period (a weekly report, the weekly
    meeting), in one load and one engine run: ``{"team": metrics, "<rep id>": metrics}``.
    The team's figures carry the team's target in ``<metric>_completion.denominator``
    (:func:`team_target` reads the same rows)."""
    scopes = [Scope.team(team_id)] + [Scope.rep(r) for r in rep_ids]
    result = compute([period], scopes, team_ids=[team_id], rep_ids=rep_ids)
    return {
        ("team" if scope.kind == "team" else str(scope.id)): metrics
        for (_p, scope), metrics in result.items()
    }


def rep_figures(
    *,
    team_ids: Sequence[int],
    rep_ids: Sequence[int],
    periods: Sequence[Period],
    metrics: Sequence[str],
    reps_by_period: Mapping[str, Sequence[int]] | None = None,
) -> dict[tuple[str, int], dict[str, MetricValue]]:
    """Figures per (period key, rep id) for diagnosis, coaching effect and recognition:
    the stored snapshots where every rep has them for a period, else one live run for the
    periods that lack them (both in the organisation's zone, so they agree).
    ``reps_by_period`` (period key -> rep ids) gives each period its own reps instead of
    ``rep_ids`` for all. The stored figures of all periods are one query."""
    out: dict[tuple[str, int], dict[str, MetricValue]] = {}
    wanted = {
        p.key: list(rep_ids if reps_by_period is None else reps_by_period.get(p.key, ()))
        for p in periods
    }
    every = sorted({rid for ids in wanted.values() for rid in ids})
    if not every:
        return out
    tables = _stored_tables(scope_kind="rep", scope_ids=every, periods=periods, metrics=metrics)
    missing: list[Period] = []
    for period in periods:
        ids = wanted[period.key]
        table = tables.get((period.kind, period.start), {})
        if all(table.get(rid) for rid in ids):
            for rid in ids:
                out[(period.key, rid)] = table[rid]
        else:
            missing.append(period)
    groups: dict[tuple[int, ...], list[Period]] = {}
    for period in missing:
        groups.setdefault(tuple(wanted[period.key]), []).append(period)
    for group_reps, group in groups.items():
        result = compute(group, [Scope.rep(r) for r in group_reps], team_ids=team_ids)
        for (period, scope), figures in result.items():
            out[(period.key, int(scope.id or 0))] = figures
    return out


# --------------------------------------------------------------------------- targets


def team_target(*, team_id: int, period: Period | str, metric: str) -> Decimal | None:
    """The team's own target of ``metric`` for a month or ISO week (a week's share of the
    month's target as split by ``kpi.loading.targets_frame``), None when none is set.
    The team weekly report, the weekly meeting and their exports all show this number."""
    return team_targets(team_id=team_id, period=period, metrics=[metric])[metric]


def team_targets(
    *, team_id: int, period: Period | str, metrics: Iterable[str]
) -> dict[str, Decimal | None]:
    """:func:`team_target` of several metrics at once: ``{metric: target or None}``."""
    p = parse_period(period)
    names = list(metrics)
    out: dict[str, Decimal | None] = dict.fromkeys(names)
    frame = targets_frame([team_id])
    if frame.empty:
        return out
    rows = frame[
        (frame["scope_kind"] == "team")
        & (frame["scope_id"] == team_id)
        & (frame["period"] == p.key)
    ]
    for metric, value in zip(rows["metric"], rows["value"], strict=True):
        if metric in out:
            out[str(metric)] = Decimal(str(value))
    return out


def team_targets_vs_reps(
    *, team_id: int, month: dt.date, rep_ids: Iterable[int]
) -> list[tuple[str, Decimal, Decimal]]:
    """Metrics whose team target for ``month`` differs from the sum of the reps' targets:
    ``[(metric, team target, sum of the reps' targets)]`` by metric name; only metrics with
    a team target or at least one rep target appear. Shown on the targets page."""
    reps = list(rep_ids)
    team: dict[str, Decimal] = {}
    summed: dict[str, Decimal] = {}
    rows = Target.objects.filter(month=month.replace(day=1)).filter(
        Q(team_id=team_id, rep__isnull=True) | Q(rep_id__in=reps)
    )
    for rep_id, metric, value in rows.values_list("rep_id", "metric", "value"):
        if rep_id is None:
            team[metric] = Decimal(value)
        else:
            summed[metric] = summed.get(metric, Decimal(0)) + Decimal(value)
    out = []
    for metric in sorted(set(team) | set(summed)):
        t, s = team.get(metric, Decimal(0)), summed.get(metric, Decimal(0))
        if t != s:
            out.append((metric, t, s))
    return out


# --------------------------------------------------------------------------- like for like

#: A percent change is shown only on a base at least this large; below it the page shows the
#: absolute change instead (+3 rather than +300.0% on a base of 1). Counts: customers or
#: visits; money: CNY. Rates always change in percentage points. docs/domain, section 9
#: (ruling: like spans).
PERCENT_MIN_BASE_COUNT = 10
PERCENT_MIN_BASE_MONEY = Decimal("1000")


@dataclass(frozen=True)
class Comparison:
    """The earlier figures a period is compared with on a dashboard.

    ``to_date`` is ``"month"`` or ``"week"`` while the period is in progress (the page then
    says 本月至今 / 本周至今 and the earlier figures cover the same first days of the
    previous period and of the period a year before), ``""`` for a finished period (whole
    periods compared). ``previous`` / ``year_before``: {metric: MetricValue}; ``spans``: the
    (start, end exclusive) local dates of the current, previous and year-before spans."""

    to_date: str
    previous: dict[str, MetricValue]
    year_before: dict[str, MetricValue]
    spans: tuple[tuple[dt.date, dt.date], ...]


def _span_period(kind: str, span: tuple[dt.date, dt.date]) -> Period:
    return Period(kind, span[0], span[1])


def comparison(
    *, scope: Scope, team_ids: Sequence[int] | None, period: Period, today: dt.date
) -> Comparison:
    """Month on month and year on year for ``scope`` in ``period`` seen on local ``today``.

    A finished period is compared with the whole previous period and the whole period a year
    before (stored figures). A period in progress is compared like for like: Dec 1-3 with
    Nov 1-3 and with Dec 1-3 a year before (``domain.periods.previous_to_date_span``,
    ``year_before_to_date_span``), computed now by the engine for those spans, as the
    current period's stored figures cover its first days only. A period not yet started has
    nothing to compare (empty figures). ``team_ids``: the teams whose customers the scope
    covers (None: the whole organisation)."""
    dp = domain_periods.parse_period(period.key)
    if today < period.start:
        return Comparison("", {}, {}, ())
    if today >= period.end:
        before = dp.previous()
        year = dp.year_before()
        kind, sid = scope.kind, int(scope.id or 0)
        return Comparison(
            "",
            stored_metrics(scope_kind=kind, scope_id=sid, period=before.key),
            stored_metrics(scope_kind=kind, scope_id=sid, period=year.key),
            (
                (period.start, period.end),
                (before.start, before.end),
                (year.start, year.end),
            ),
        )
    now_span = domain_periods.to_date_span(dp, today)
    prev_span = domain_periods.previous_to_date_span(dp, today)
    year_span = domain_periods.year_before_to_date_span(dp, today)
    prev_p, year_p = _span_period(period.kind, prev_span), _span_period(period.kind, year_span)
    got = compute([prev_p, year_p], [scope], team_ids=team_ids)
    return Comparison(
        period.kind,
        got[(prev_p, scope)],
        got[(year_p, scope)],
        (now_span, prev_span, year_span),
    )


#: How long a cached comparison may live at most (seconds). Freshness does not rest on it
#: (the key carries :func:`data_version`); it only bounds what a clock set back on a worker
#: could keep (docs/architecture.md, "Dashboard cache").
COMPARISON_CACHE_SECONDS = 300

#: The alias in settings.CACHES that holds computed figures (Redis in production).
FIGURES_CACHE = "figures"


def data_version(*, scope_kind: str, scope_id: int) -> str:
    """A token that changes whenever a recompute of one scope ('rep'|'team'|'branch', id)
    ends: the latest ``computed_at`` of its snapshot rows, any period, as an ISO string (""
    when nothing is stored). Every recompute stamps the scope's rows in the same transaction
    as their values: changed figures are rewritten with the new ``computed_at``
    (``kpi.snapshots.store``), unchanged ones get it on their stamp row
    (``kpi.partials._touch_unchanged``); a change to a scope's customers, activities,
    memberships or targets queues such a recompute (``kpi.services``). One query on the
    natural key's index (docs/architecture.md, "Dashboard cache")."""
    got = KpiSnapshot.objects.filter(scope_kind=scope_kind, scope_id=scope_id).aggregate(
        at=Max("computed_at")
    )["at"]
    return got.isoformat() if got is not None else ""


def cached_comparison(
    *,
    scope_kind: str,
    scope_id: int,
    scope: Scope,
    team_ids: Sequence[int] | None,
    period: Period,
    today: dt.date,
) -> Comparison:
    """:func:`comparison` through Django's cache (settings.CACHES) for a period in progress,
    whose like-for-like spans the engine computes with pandas on every call (about 60-100 ms
    of CPU); finished and future periods read stored figures and are not cached.

    The key holds the scope (kind, id, the teams it covers), the period, ``today`` (the
    spans end on it), ``SUMS_VERSION`` (the engine's figures) and :func:`data_version`, so
    a recompute that writes any figure of the scope makes the next call compute afresh: a
    cached value is never older than the scope's stored figures shown beside it. Values hold
    no words (language-independent) and no viewer: callers check access before calling.
    A cache that cannot be read or written (Redis down) is logged and skipped.
    Raises what :func:`comparison` raises."""
    if not (period.start <= today < period.end):
        return comparison(scope=scope, team_ids=team_ids, period=period, today=today)
    version = data_version(scope_kind=scope_kind, scope_id=scope_id)
    if not version:
        # Nothing stored yet: no recompute would mark a change, so compute every time.
        return comparison(scope=scope, team_ids=team_ids, period=period, today=today)
    teams = ",".join(str(t) for t in sorted(team_ids)) if team_ids is not None else "*"
    key = ":".join(
        (
            "kpi.cmp",
            f"s{SUMS_VERSION}",
            scope_kind,
            str(scope_id),
            period.key,
            today.isoformat(),
            teams,
            version,
        )
    )
    store = caches[FIGURES_CACHE]
    try:
        found = store.get(key)
    except Exception:  # noqa: BLE001 - Redis down: compute, as without a cache
        logger.warning("figures cache unreadable", exc_info=True)
        found = None
    if isinstance(found, Comparison):
        return found
    got = comparison(scope=scope, team_ids=team_ids, period=period, today=today)
    try:
        store.set(key, got, COMPARISON_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - Redis down: the next view computes again
        logger.warning("figures cache unwritable", exc_info=True)
    return got
