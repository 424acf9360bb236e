"""Metric values (count, rate, money) and the :class:`KpiInput` frames read."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from kpi.calculations.constants import CENT


@dataclass(frozen=True)
class MetricValue:
    """One computed figure. ``value`` None means *no value* (shown as "-")."""

    value: int | float | Decimal | None
    numerator: int | Decimal | None = None
    denominator: int | Decimal | None = None
    status: str = "ok"  # 'ok' | 'pending' | 'no_data'

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe dict: Decimals as strings (like DRF), None as null, no NaN."""
        return {
            "value": _jsonable(self.value),
            "numerator": _jsonable(self.numerator),
            "denominator": _jsonable(self.denominator),
            "status": self.status,
        }


def _jsonable(v: Any) -> Any:
    return str(v) if isinstance(v, Decimal) else v


def metrics_as_json(metrics: Mapping[str, MetricValue]) -> dict[str, dict[str, Any]]:
    """{metric: MetricValue.as_dict()} - safe for ``json.dumps(..., allow_nan=False)``."""
    return {name: mv.as_dict() for name, mv in metrics.items()}


def _count(n: int) -> MetricValue:
    return MetricValue(int(n))


def _rate(num: int, den: int) -> MetricValue:
    num, den = int(num), int(den)
    if den == 0:
        return MetricValue(None, num, 0, "no_data")
    return MetricValue(num / den, num, den)


def _money(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def _money_rate(num_cents: int, den_cents: int) -> MetricValue:
    if int(den_cents) == 0:
        return MetricValue(None, _money(num_cents), _money(0), "no_data")
    return MetricValue(int(num_cents) / int(den_cents), _money(num_cents), _money(den_cents))


# --------------------------------------------------------------------------- input


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


#: The columns of :attr:`KpiInput.targets`.
TARGET_COLUMNS = ("scope_kind", "scope_id", "period", "metric", "value")


@functools.cache
def _targets_template() -> pd.DataFrame:
    return _empty(TARGET_COLUMNS)


def no_targets() -> pd.DataFrame:
    """An empty targets frame (:attr:`KpiInput.targets` of an input without targets): a
    copy of one built once (a whole empty ``KpiInput()`` builds nine frames, a fifth of
    the engine's time for a small input such as one customer bucket)."""
    return _targets_template().copy()


@dataclass
class KpiInput:
    """The plain data the calculations read (see the module docstring for the columns)."""

    stage_changes: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["customer_id", "from_stage", "to_stage", "at", "rep_id", "team_id"]
        )
    )
    ownerships: pd.DataFrame = field(
        default_factory=lambda: _empty(["customer_id", "owner_id", "team_id", "start", "end"])
    )
    memberships: pd.DataFrame = field(
        default_factory=lambda: _empty(["user_id", "unit_id", "role", "start", "end"])
    )
    visits: pd.DataFrame = field(
        default_factory=lambda: _empty(
            [
                "customer_id",
                "rep_id",
                "team_id",
                "occurred_at",
                "outcome",
                "next_step",
                "next_step_date",
                "channel",
            ]
        )
    )
    revenue: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["customer_id", "month", "billed", "received", "kind", "product"]
        )
    )
    contracts: pd.DataFrame = field(
        default_factory=lambda: _empty(
            ["customer_id", "signed_on", "monthly_value", "rep_id", "team_id"]
        )
    )
    billing_months: pd.DataFrame = field(default_factory=lambda: _empty(["month"]))
    targets: pd.DataFrame = field(default_factory=no_targets)
    customers: pd.DataFrame = field(default_factory=lambda: _empty(["id", "industry", "segment"]))


# --------------------------------------------------------------------------- normalising
#
# Internally every customer is a dense position 0..N-1 (its rank among the sorted customer
# ids), every id is int64 with -1 for "none", every instant is int64 nanoseconds since the
# epoch (UTC) with _NEVER for "none / still open", and every date is an int64 day number.
# Per-customer facts are then numpy arrays indexed by position, and lookups are indexing.
