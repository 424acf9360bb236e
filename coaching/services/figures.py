"""KPI figures the diagnosis and the recognition suggestions read per rep and period
(stored snapshots when complete, else a live compute).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kpi import figures as kpi_figures
from kpi.calculations import MetricValue, Period

#: KPI metrics the diagnosis reads per rep and period.
DIAGNOSIS_METRICS: tuple[str, ...] = (
    "target_customers",
    "new_targets",
    "funnel_target",
    "funnel_relationship",
    "intents",
    "intent_rate",
    "intent_pool",
    "deals",
    "close_rate",
    "visits",
    "effective_activity_rate",
    "target_customers_completion",
    "new_targets_completion",
    "deals_completion",
    "visits_completion",
)


# --------------------------------------------------------------------------- KPI figures


def rep_metrics(
    *,
    team_ids: Sequence[int],
    rep_ids: Sequence[int],
    periods: Sequence[Period],
    metrics: Sequence[str] = DIAGNOSIS_METRICS,
    reps_by_period: Mapping[str, Sequence[int]] | None = None,
) -> dict[tuple[str, int], dict[str, MetricValue]]:
    """KPI figures per (period key, rep id): ``{metric: MetricValue}``, read through the
    seam ``kpi.figures.rep_figures`` (stored snapshots when every rep has them, else one live
    run, both in the organisation's time zone); ``reps_by_period`` (period key -> rep ids)
    gives each period its own reps."""
    return kpi_figures.rep_figures(
        team_ids=team_ids,
        rep_ids=rep_ids,
        periods=periods,
        metrics=metrics,
        reps_by_period=reps_by_period,
    )
