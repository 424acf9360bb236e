"""Fixed names of the KPI calculations: stages, outcomes, metric families.

There is no default time zone: every entry point takes the organisation's zone
(``settings.TIME_ZONE``) from its caller, so a date boundary is never taken in a zone the
organisation does not use (docs/domain, section 9, Periods).
"""

from __future__ import annotations

from decimal import Decimal

#: Funnel stages in order; mirrors customers.models.STAGE_ORDER (a test keeps them equal).
STAGE_RANK: dict[str, int] = {"lead": 0, "target": 1, "relationship": 2, "intent": 3, "deal": 4}
FUNNEL_STAGES: tuple[str, ...] = tuple(STAGE_RANK)
REACH_STAGES: tuple[str, ...] = ("target", "relationship", "intent", "deal")
LOST = "lost"
OPEN_TARGET_STAGES = frozenset({"target", "relationship"})
EFFECTIVE_OUTCOMES = frozenset({"stage_advanced", "deal", "next_step"})
REVENUE_KIND_NEW = "new"
REVENUE_KIND_RETAINED = "retained"

#: (label, lower bound of the month's billed amount, inclusive), ascending.
DEFAULT_REVENUE_BANDS: tuple[tuple[str, Decimal], ...] = (
    ("<1k", Decimal("0")),
    ("1k-5k", Decimal("1000")),
    ("5k-20k", Decimal("5000")),
    ("20k+", Decimal("20000")),
)

#: Rates that lie in [0, 1] by construction (plus every "*_share:*" metric).
BOUNDED_RATES: frozenset[str] = frozenset(
    {
        "intent_rate",
        "close_rate",
        "effective_activity_rate",
        "weekly_intent_rate",
        "zero_usage_share",
        "in_arrears_share",
    }
)
#: Ratios that are >= 0 but may exceed 1 by definition (plus every "*_completion").
UNBOUNDED_RATIOS: frozenset[str] = frozenset({"target_growth_rate", "collection_rate"})

#: Metrics a target may be set for; each gives "<metric>_completion".
TARGETABLE_METRICS: tuple[str, ...] = (
    "new_targets",
    "target_customers",
    "intents",
    "deals",
    "visits",
    "customers_visited",
    "target_customer_visits",
    "effective_customers",
    "sales_revenue",
    "new_sales_revenue",
    "total_revenue",
    "new_revenue",
    "retained_revenue",
    "received",
)
MONEY_METRICS: frozenset[str] = frozenset(
    {
        "sales_revenue",
        "new_sales_revenue",
        "total_revenue",
        "new_revenue",
        "retained_revenue",
        "received",
        "arpu",
    }
)

CENT = Decimal("0.01")
