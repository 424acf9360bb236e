"""The metric names and their display order, by period kind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kpi.calculations.constants import DEFAULT_REVENUE_BANDS, FUNNEL_STAGES, TARGETABLE_METRICS

_ORDER_COMMON = (
    *(f"funnel_{s}" for s in FUNNEL_STAGES),
    "funnel_lost",
    "target_customers",
    "open_targets_at_start",
    "new_targets",
    "target_growth_rate",
    "intents",
    "intent_rate",
    "intent_pool",
    "deals",
    "close_rate",
    "visits",
    "customers_visited",
    "target_customer_visits",
    "target_customers_visited",
    "effective_customers",
    "effective_activity_rate",
    "follow_ups",
    "customers_touched",
)
_ORDER_WEEK = (*_ORDER_COMMON, "weekly_intent_rate", "sales_revenue", "new_sales_revenue")
_ORDER_MONTH = (
    *_ORDER_COMMON,
    "sales_revenue",
    "new_sales_revenue",
    "total_revenue",
    "new_revenue",
    "retained_revenue",
    "received",
    "collection_rate",
    "arpu",
    "zero_usage_share",
    "in_arrears_share",
)


def metric_names(
    kind: str, revenue_bands: Sequence[tuple[str, Any]] = DEFAULT_REVENUE_BANDS
) -> list[str]:
    """The fixed metric names of a 'month' or 'week' period, in output order.

    Besides these, months have one ``industry_share:<industry>`` and ``product_share:<product>``
    per industry and product present in the scope.
    """
    base = list(_ORDER_MONTH if kind == "month" else _ORDER_WEEK)
    if kind == "month":
        base += [f"revenue_band_share:{label}" for label, _low in revenue_bands]
    base += [f"{m}_completion" for m in TARGETABLE_METRICS if m in base]
    return base
