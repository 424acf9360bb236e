"""Entry points: :func:`compute_many` (periods x scopes) and :func:`compute_scope`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from kpi.calculations.constants import DEFAULT_REVENUE_BANDS
from kpi.calculations.engine import _compute_period
from kpi.calculations.normalise import _tz
from kpi.calculations.periods import Period, Scope, as_scope, parse_period
from kpi.calculations.prepare import _bands, _prepare, _Scopes
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
    names and rules: module docstring and docs/domain.md sections 6 and 9. ``tz`` (required,
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
