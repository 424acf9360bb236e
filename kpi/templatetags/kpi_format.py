"""Formatting of KPI values for templates and exports: the ``kpi_value`` filter and the
metric labels, both read from the one metric registry ``domain.metrics`` (every page,
export and chart labels a metric through :func:`metric_label`). None (no value / pending,
docs/domain, section 9) is shown as "-"."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django import template
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.labels import current_label
from domain import metrics as registry
from domain.industries import industry_label

register = template.Library()

NO_VALUE = "-"


def _entry(metric: str) -> registry.Metric | None:
    try:
        return registry.metric(metric)
    except KeyError:
        return None


def metric_kind(metric: str) -> str:
    """'rate', 'money' or 'count' for a metric name (drives formatting): the registry's
    kind (``domain.metrics``); an unknown name formats as a count (a ratio if it ends in
    ``_completion``)."""
    entry = _entry(metric)
    if entry is not None:
        return entry.kind
    return registry.RATE if metric.endswith("_completion") else registry.COUNT


def metric_label(metric: str) -> str:
    """Label of a metric name in the active language, from the one metric registry
    (``domain.metrics``: ``x_completion`` included); a ``family:detail`` name shows its
    detail; an industry share's detail in the reader's language, as the customer pages show
    it (``domain.industries.industry_label``; docs/domain, section 5); an unknown name
    shows itself."""
    if ":" in metric:
        family, detail = metric.split(":", 1)
        if not detail:
            return str(_("(none)"))
        if family == "industry_share":
            return current_label(detail, industry_label(detail, "en"))
        return detail
    entry = _entry(metric)
    if entry is None:
        return metric
    return current_label(entry.label_zh, entry.label_en)


def _part(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    return getattr(value, key, None)


def rate_help(metric: str, value: Any) -> str:
    """What a rate counts, with its own numerator and denominator, for the rates whose
    numerator differs from a count shown beside them ('' for the others or without figures).
    The weekly intent rate counts only the target customers visited in the week
    (docs/domain, section 9), so "Intents reached 1" may stand next to 0.0%."""
    if metric != "weekly_intent_rate" or value is None:
        return ""
    num, den = _part(value, "numerator"), _part(value, "denominator")
    if num is None or den is None:
        return ""
    return str(
        _(
            "%(num)s of %(den)s target customers visited this week reached intent; "
            "intents reached without such a visit are not counted in this rate"
        )
        % {"num": f"{float(num):,.0f}", "den": f"{float(den):,.0f}"}
    )


#: :func:`metric_label` as a lazy string, for module-level tables and form choices.
lazy_metric_label = lazy(metric_label, str)


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
