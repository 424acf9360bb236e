"""KPI figures the diagnosis and the recognition suggestions read per rep and period
(stored snapshots when complete, else a live compute).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from accounts.models import OrgSettings
from kpi.calculations import MetricValue, Period, Scope, compute_many

log = logging.getLogger(__name__)


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
) -> dict[tuple[str, int], dict[str, MetricValue]]:
    """KPI figures per (period key, rep id): ``{metric: MetricValue}``.

    Uses the stored KPI snapshots (kpi.selectors.snapshot_table) when they exist for every
    rep, else computes live with kpi.calculations over kpi.loading.load_input(team_ids).
    """
    out: dict[tuple[str, int], dict[str, MetricValue]] = {}
    if not rep_ids or not periods:
        return out
    missing: list[Period] = []
    try:
        from kpi.selectors import snapshot_table  # type: ignore[import-not-found]
    except ImportError:
        snapshot_table = None
    for period in periods:
        table: dict[int, dict[str, MetricValue]] = {}
        if snapshot_table is not None:
            try:
                table = snapshot_table(
                    scope_kind="rep", scope_ids=list(rep_ids), period=period, metrics=list(metrics)
                )
            except (LookupError, ValueError, TypeError):
                log.warning("KPI snapshots unavailable for %s; computing live", period)
                table = {}
        if all(table.get(rid) for rid in rep_ids):
            for rid in rep_ids:
                out[(period.key, rid)] = table[rid]
        else:
            missing.append(period)
    if missing:
        from kpi.loading import load_input

        data = load_input(team_ids=list(team_ids))
        result = compute_many(
            missing,
            [Scope.rep(rid) for rid in rep_ids],
            data,
            new_revenue_months=OrgSettings.load().new_revenue_months,
        )
        for (period, scope), figures in result.items():
            out[(period.key, int(scope.id))] = figures  # type: ignore[arg-type]
    return out
