"""Formatting of KPI values for templates and exports: the ``kpi_value`` filter and the
metric labels. None (no value / pending, DOMAIN.md section 9) is shown as "-"."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from kpi.calculations import BOUNDED_RATES, MONEY_METRICS, UNBOUNDED_RATIOS

register = template.Library()

NO_VALUE = "-"

#: Display labels of the fixed metric names of kpi.calculations (DOMAIN.md section 11).
METRIC_LABELS: dict[str, Any] = {
    "funnel_lead": _("Leads"),
    "funnel_target": _("Target customers reached"),
    "funnel_relationship": _("Relationship established"),
    "funnel_intent": _("Intent reached"),
    "funnel_deal": _("Deal"),
    "funnel_lost": _("Lost"),
    "target_customers": _("Target customers"),
    "open_targets_at_start": _("Open targets at start"),
    "new_targets": _("New target customers"),
    "target_growth_rate": _("Target growth rate"),
    "intents": _("Intents reached"),
    "intent_rate": _("Intent rate"),
    "intent_pool": _("Intent pool"),
    "deals": _("Deals"),
    "close_rate": _("Close rate"),
    "visits": _("Visits"),
    "customers_visited": _("Customers visited"),
    "target_customer_visits": _("Target customer visits"),
    "target_customers_visited": _("Target customers visited"),
    "effective_customers": _("Effective customers"),
    "effective_activity_rate": _("Effective activity rate"),
    "weekly_intent_rate": _("Weekly intent rate"),
    "sales_revenue": _("Sales revenue (contracts)"),
    "new_sales_revenue": _("New sales revenue (contracts)"),
    "total_revenue": _("Total revenue"),
    "new_revenue": _("New revenue"),
    "retained_revenue": _("Retained revenue"),
    "received": _("Revenue received"),
    "collection_rate": _("Collection rate"),
    "arpu": _("ARPU (lagged one month)"),
    "zero_usage_share": _("Zero-usage share"),
    "in_arrears_share": _("In-arrears share"),
    "installations": _("Installations"),
    "retained_follow_ups": _("Follow-ups of retained customers"),
    "milestones": _("Big-account milestones"),
}


def metric_kind(metric: str) -> str:
    """'rate', 'money' or 'count' for a metric name (drives formatting)."""
    base = metric.split(":", 1)[0]
    if (
        base in BOUNDED_RATES
        or base in UNBOUNDED_RATIOS
        or base.endswith("_completion")
        or base.endswith("_share")
    ):
        return "rate"
    if base in MONEY_METRICS:
        return "money"
    return "count"


def metric_label(metric: str) -> str:
    """Human label of a metric name; ``x_completion`` and ``kind:detail`` names too."""
    if metric in METRIC_LABELS:
        return str(METRIC_LABELS[metric])
    if metric.endswith("_completion"):
        return _("%(metric)s completion") % {"metric": metric_label(metric[: -len("_completion")])}
    if ":" in metric:
        return metric.split(":", 1)[1] or str(_("(none)"))
    return metric


def raw_value(value: Any) -> Any:
    """The plain value of a MetricValue (or the value itself); NaN/Infinity -> None."""
    if hasattr(value, "value") and hasattr(value, "status"):
        value = value.value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    return value


def as_number(value: Any) -> float | None:
    """A JSON-safe float (None for no value, NaN or Infinity): for chart data."""
    value = raw_value(value)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_value(value: Any, metric: str = "") -> str:
    """Counts as ``1,234``, money as ``1,234.50``, rates as ``24.0%``; None as "-"."""
    value = raw_value(value)
    if value is None or value == "":
        return NO_VALUE
    kind = metric_kind(metric) if metric else "count"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return NO_VALUE
    if kind == "rate":
        return f"{number * 100:.1f}%"
    if kind == "money":
        return f"{number:,.2f}"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}"


@register.filter
def kpi_value(value: Any, metric: str = "") -> str:
    """Template filter: ``{{ mv|kpi_value:"intent_rate" }}`` (see :func:`format_value`)."""
    return format_value(value, metric)


@register.filter
def kpi_label(metric: str) -> str:
    """Template filter: the label of a metric name."""
    return metric_label(str(metric))
