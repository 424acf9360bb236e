"""Fixed names of the KPI calculations: stages and metric families.

There is no default time zone: every entry point takes the organisation's zone
(``settings.TIME_ZONE``) from its caller (docs/domain, section 9, Time zone).

The stages and the metric kinds are the domain's (``domain.stages``, ``domain.metrics``):
this module only gives the engine's names for them, so there is one rule in one place
(docs/architecture.md, "Where does rule X live").
"""

from __future__ import annotations

from decimal import Decimal

from domain import metrics as registry
from domain.stages import FUNNEL_STAGES, LOST, OPEN_TARGET_STAGES, REACH_STAGES, STAGE_RANK

__all__ = [
    "BOUNDED_RATES",
    "CENT",
    "DEFAULT_REVENUE_BANDS",
    "FUNNEL_STAGES",
    "LOST",
    "MONEY_METRICS",
    "OPEN_TARGET_STAGES",
    "REACH_STAGES",
    "REVENUE_KIND_NEW",
    "REVENUE_KIND_RETAINED",
    "STAGE_RANK",
    "TARGETABLE_METRICS",
    "UNBOUNDED_RATIOS",
]

REVENUE_KIND_NEW = "new"
REVENUE_KIND_RETAINED = "retained"

#: (label, lower bound of the month's billed amount, inclusive), ascending.
DEFAULT_REVENUE_BANDS: tuple[tuple[str, Decimal], ...] = (
    ("<1k", Decimal("0")),
    ("1k-5k", Decimal("1000")),
    ("5k-20k", Decimal("5000")),
    ("20k+", Decimal("20000")),
)

_BASE = [
    m
    for m in registry.METRICS.values()
    if not m.name.endswith("_completion") and m.name not in registry.FAMILIES
]
#: Rates that lie in [0, 1] by construction (plus every "*_share:*" metric).
BOUNDED_RATES: frozenset[str] = frozenset(
    m.name for m in _BASE if m.kind == registry.RATE and m.upper == 1
)
#: Ratios that are >= 0 but may exceed 1 by definition (plus every "*_completion").
UNBOUNDED_RATIOS: frozenset[str] = frozenset(
    m.name for m in _BASE if m.kind == registry.RATE and m.upper is None
)
#: Metrics a target may be set for that the engine computes; each gives "<metric>_completion".
TARGETABLE_METRICS: tuple[str, ...] = tuple(
    m for m in registry.TARGETABLE if m not in registry.TARGET_ONLY
)
MONEY_METRICS: frozenset[str] = frozenset(m.name for m in _BASE if m.kind == registry.MONEY)

CENT = Decimal("0.01")
