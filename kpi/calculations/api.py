"""Entry points: :func:`compute_many` (periods x scopes), :func:`compute_scope` and
:func:`compute_members` (a count and the customers behind it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from domain import metrics as registry
from kpi.calculations.constants import DEFAULT_REVENUE_BANDS
from kpi.calculations.engine import _compute_period
from kpi.calculations.normalise import _tz
from kpi.calculations.periods import Period, Scope, as_scope, parse_period
from kpi.calculations.prepare import _bands, _prepare, _Prepared, _Scopes
from kpi.calculations.values import KpiInput, MetricValue


def compute_many(
    periods: Iterable[Period | str],
    scopes: Iterable[Scope | tuple[Any, ...]],
    data: KpiInput,
    *,
    tz: dt.tzinfo | str,
    new_revenue_months: int = 12,
    revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS,
) -> dict[tuple[Period, Scope], dict[str, MetricValue]]:
    """Every metric for every (period, scope) pair: {(period, scope): {metric: MetricValue}}.

    The input is normalised once; each period is then computed for all scopes in one
    pass (fact rows are mapped to scopes by sorted-array lookups and aggregated with
    bincount), so the cost grows with the data, not with the number of scopes. Periods may
    be given as '2026-10' / '2026-W43', scopes as tuples (see :func:`as_scope`). Metric
    names and rules: module docstring and docs/domain sections 6 and 9. ``tz`` (required,
    keyword) is the organisation's zone: every period bound is local midnight there. Raises
    ValueError for a bad period, scope, band list, zone or a negative ``new_revenue_months``.
    """
    zone = _tz(tz)
    if new_revenue_months < 0:
        raise ValueError("new_revenue_months must not be negative")
    period_list = [parse_period(p) for p in periods]
    scope_list = [as_scope(s) for s in scopes]
    bands = _bands(revenue_bands)
    prep = _prepare(data, zone)
    sm = _Scopes(scope_list)
    out: dict[tuple[Period, Scope], dict[str, MetricValue]] = {}
    for period in period_list:
        results = _compute_period(prep, period, sm, new_revenue_months, bands)
        for scope, metrics in zip(scope_list, results, strict=True):
            out[(period, scope)] = metrics
    return out


def compute_members(
    period: Period | str,
    scope: Scope | tuple[Any, ...],
    data: KpiInput,
    metric: str,
    *,
    tz: dt.tzinfo | str,
    new_revenue_months: int = 12,
) -> tuple[MetricValue, list[int]]:
    """A customer-count metric of one scope and period, and the customers it counts.

    Returns (the metric's value, the sorted customer ids behind it), both from the same
    masks of one engine pass, so ``len(ids) == value.value`` always holds. ``metric`` must
    be a drillable metric of the registry (``domain.metrics``: funnel, pools and stage
    events); raises ValueError for any other metric, a bad period or a bad scope.
    """
    entry = registry.METRICS.get(metric)
    if entry is None or not entry.drillable:
        raise ValueError(f"No customer list for metric {metric!r}")
    prep, result, members = _one_scope_pass(period, scope, data, tz, new_revenue_months)
    pos, _sk = members[metric]  # one scope: every pair is this scope's
    return result[metric], sorted(int(i) for i in prep.ids[pos])


def _one_scope_pass(
    period: Period | str,
    scope: Scope | tuple[Any, ...],
    data: KpiInput,
    tz: dt.tzinfo | str,
    new_revenue_months: int,
) -> tuple[_Prepared, dict[str, MetricValue], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """One engine pass over one scope and period that keeps the masks: (the prepared
    input, {metric: MetricValue}, {member key: (positions, scope keys)}). Raises
    ValueError for a bad period or scope."""
    p, s = parse_period(period), as_scope(scope)
    prep = _prepare(data, _tz(tz))
    members: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    bands = _bands(DEFAULT_REVENUE_BANDS)
    result = _compute_period(prep, p, _Scopes([s]), new_revenue_months, bands, members)[0]
    return prep, result, members


#: Metrics whose visit records the drill-down lists (docs/domain, section 9, "Visits and
#: follow-ups"): in-person visits, and contacts of every channel.
VISIT_MEMBER_METRICS = ("visits", "follow_ups")


def compute_visit_members(
    period: Period | str,
    scope: Scope | tuple[Any, ...],
    data: KpiInput,
    metric: str,
    *,
    tz: dt.tzinfo | str,
    new_revenue_months: int = 12,
) -> tuple[MetricValue, list[int]]:
    """A visit-count metric of one scope and period (``visits``: in-person visits;
    ``follow_ups``: contact records of every channel) and the ids of the visit records it
    counts, from the same masks of one engine pass, so ``len(ids) == value.value``. The
    visits frame of ``data`` must carry the records' ``id`` (``kpi.loading.load_input``
    does). Raises ValueError for another metric, a bad period or a bad scope."""
    if metric not in VISIT_MEMBER_METRICS:
        raise ValueError(f"No visit list for metric {metric!r}")
    prep, result, members = _one_scope_pass(period, scope, data, tz, new_revenue_months)
    pos, _sk = members[f"visit_records:{metric}"]
    return result[metric], sorted(int(i) for i in prep.visits.id[pos])


def compute_scope(
    period: Period | str,
    scope: Scope | tuple[Any, ...],
    data: KpiInput,
    *,
    tz: dt.tzinfo | str,
    new_revenue_months: int = 12,
    revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS,
) -> dict[str, MetricValue]:
    """Every metric of one scope and period: {metric name: MetricValue}.

    ``new_revenue_months`` is OrgSettings.new_revenue_months. See :func:`compute_many`.
    """
    p, s = parse_period(period), as_scope(scope)
    return compute_many(
        [p], [s], data, tz=tz, new_revenue_months=new_revenue_months, revenue_bands=revenue_bands
    )[(p, s)]
