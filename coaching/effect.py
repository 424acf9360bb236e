"""The effect of a coaching plan: the chosen KPIs over equal windows before and during/after
the plan (docs/domain section 8: "the effect seen (KPIs before vs after)"). Pure functions.

Windows are whole ISO weeks so the KPI engine's week figures can be reused: the *after*
window runs from the plan's start week to its end week, cut at the current week; the
*before* window is the same number of weeks immediately before the start week. Counts are
summed over the weeks; rates are the summed numerators over the summed denominators (no
denominator: no value).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain import metrics as registry

#: KPIs a plan may watch (week metrics of kpi.calculations); their labels and kinds are
#: the metric registry's (domain.metrics).
EFFECT_METRICS: tuple[str, ...] = (
    "visits",
    "customers_visited",
    "effective_customers",
    "effective_activity_rate",
    "new_targets",
    "target_customer_visits",
    "intents",
    "intent_rate",
    "deals",
    "close_rate",
)
RATE_METRICS = frozenset(m for m in EFFECT_METRICS if registry.metric(m).kind == registry.RATE)


@dataclass(frozen=True)
class Windows:
    """Week starts (Mondays) of the two windows; always the same length."""

    before: list[dt.date]
    after: list[dt.date]


def monday(day: dt.date) -> dt.date:
    """The Monday of the ISO week containing ``day``."""
    return day - dt.timedelta(days=day.weekday())


def windows(start: dt.date, end: dt.date, today: dt.date) -> Windows:
    """Equal windows of whole ISO weeks before and from the plan start.

    After: Monday of ``start``'s week to the week of min(end, today). Before: as many weeks
    right before. A plan that has not started yet has two empty windows.
    """
    first = monday(start)
    last = monday(min(end, today))
    if last < first:
        return Windows([], [])
    n = (last - first).days // 7 + 1
    after = [first + dt.timedelta(weeks=i) for i in range(n)]
    before = [first - dt.timedelta(weeks=n - i) for i in range(n)]
    return Windows(before, after)


def aggregate(metric: str, weeks: Sequence[Mapping[str, Any]]) -> float | None:
    """One metric over several weeks of figures ``{metric: MetricValue-like}``.

    Counts: sum of values. Rates: sum of numerators / sum of denominators; None when the
    denominator is 0 or there are no weeks.
    """
    if not weeks:
        return None
    if metric in RATE_METRICS:
        num = sum(float(getattr(w.get(metric), "numerator", 0) or 0) for w in weeks)
        den = sum(float(getattr(w.get(metric), "denominator", 0) or 0) for w in weeks)
        return num / den if den else None
    return float(sum(float(getattr(w.get(metric), "value", 0) or 0) for w in weeks))


def compare(
    metrics: Sequence[str],
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Rows ``{"metric", "label", "is_rate", "before", "after", "change"}`` per metric.

    ``change`` = after - before (None when either is missing).
    """
    rows = []
    for m in metrics:
        b, a = aggregate(m, before), aggregate(m, after)
        rows.append(
            {
                "metric": m,
                "label": m,  # the page labels it (kpi_format.metric_label)
                "is_rate": m in RATE_METRICS,
                "before": b,
                "after": a,
                "change": None if a is None or b is None else a - b,
            }
        )
    return rows


def week_value(metric: str, figures: Mapping[str, Any]) -> float | None:
    """One week's value for the chart (None: no value)."""
    value = getattr(figures.get(metric), "value", None)
    return None if value is None else float(value)
