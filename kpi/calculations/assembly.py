"""Assembly of one period's values: billing-pending months, ARPU, targets, completion."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from kpi.calculations.constants import CENT, MONEY_METRICS, TARGETABLE_METRICS
from kpi.calculations.names import _ORDER_MONTH, _ORDER_WEEK
from kpi.calculations.periods import Period, Scope
from kpi.calculations.prepare import _Prepared, _Scopes
from kpi.calculations.values import MetricValue, _money, _money_rate, _rate


def _assemble(
    prep: _Prepared,
    period: Period,
    sm: _Scopes,
    counts: dict[str, np.ndarray],
    rates: dict[str, tuple[np.ndarray, np.ndarray]],
    money: dict[str, np.ndarray],
    arpu: tuple[np.ndarray, np.ndarray, bool],
    shares: dict[str, tuple[np.ndarray, np.ndarray, list[str]]],
) -> list[dict[str, MetricValue]]:
    """Per-scope dicts of MetricValues, in the fixed metric order."""
    is_month = period.kind == "month"
    order = _ORDER_MONTH if is_month else _ORDER_WEEK
    counts_l = {k: v.tolist() for k, v in counts.items()}
    money_l = {k: v.tolist() for k, v in money.items()}
    rates_l = {k: (a.tolist(), b.tolist()) for k, (a, b) in rates.items()}
    arpu_sum, arpu_n = arpu[0].tolist(), arpu[1].tolist()
    period_key = period.key
    has_targets = any(key[2] == period_key for key in prep.targets)
    results: list[dict[str, MetricValue]] = []
    for i in range(sm.n):
        out: dict[str, MetricValue] = {}
        for name in order:
            if name in counts_l:
                out[name] = MetricValue(counts_l[name][i])
            elif name in money_l:
                out[name] = MetricValue(_money(money_l[name][i]))
            elif name == "collection_rate":
                out[name] = _money_rate(rates_l[name][0][i], rates_l[name][1][i])
            elif name == "arpu":
                out[name] = _arpu(arpu_sum[i], arpu_n[i], arpu[2])
            else:
                out[name] = _rate(rates_l[name][0][i], rates_l[name][1][i])
        if is_month:
            base = counts_l["_share_base"][i]
            for prefix in ("revenue_band_share", "industry_share"):
                nums, present, labels = shares[prefix]
                for j in np.flatnonzero(present[i]):
                    out[f"{prefix}:{labels[j]}"] = _rate(int(nums[i, j]), base)
            nums, present, labels = shares["product_share"]
            total = money_l["total_revenue"][i]
            for j in np.flatnonzero(present[i]):
                out[f"product_share:{labels[j]}"] = _money_rate(int(nums[i, j]), total)
        if is_month and not arpu[2]:
            _mark_billing_pending(out)
        _add_completion(out, prep.targets if has_targets else {}, sm.scopes[i], period_key)
        results.append(out)
    return results


#: Month metrics read from billing records: until the month's billing is in (a revenue
#: import for it completed, or an admin closed it) they are *pending*, not 0, as docs/domain
#: section 9 says of lagged ARPU; a month without billing data has no revenue figure yet.
BILLING_METRICS = frozenset(
    {
        "total_revenue",
        "new_revenue",
        "retained_revenue",
        "received",
        "collection_rate",
        "zero_usage_share",
        "in_arrears_share",
    }
)
_BILLING_PREFIXES = ("revenue_band_share:", "product_share:")


def _mark_billing_pending(out: dict[str, MetricValue]) -> None:
    """Replace the billing-based values of a month whose billing is not in by 'pending'."""
    for name in list(out):
        if name in BILLING_METRICS or name.startswith(_BILLING_PREFIXES):
            out[name] = MetricValue(None, None, None, "pending")


def _arpu(billed_cents: int, customers: int, billing_in: bool) -> MetricValue:
    """docs/domain section 9: lagged ARPU, pending until the month's billing is in."""
    if customers == 0:
        return MetricValue(None, None, 0, "no_data")
    if not billing_in:
        return MetricValue(None, None, int(customers), "pending")
    total = _money(billed_cents)
    value = (total / customers).quantize(CENT, rounding=ROUND_HALF_UP)
    return MetricValue(value, total, int(customers))


def _target_for(
    targets: Mapping[tuple[str, int | None, str, str], Decimal],
    scope: Scope,
    period_key: str,
    metric: str,
) -> Decimal | None:
    own = targets.get((scope.kind, scope.id, period_key, metric))
    if own is not None or scope.kind != "branch" or scope.id is not None:
        return own
    # A branch given only by its teams: the sum of the teams' targets (None if none has one).
    found = [
        t
        for t in (targets.get(("team", tid, period_key, metric)) for tid in sorted(scope.team_ids))
        if t is not None
    ]
    return sum(found, Decimal(0)) if found else None


def _add_completion(
    out: dict[str, MetricValue],
    targets: Mapping[tuple[str, int | None, str, str], Decimal],
    scope: Scope,
    period_key: str,
) -> None:
    """<metric>_completion = actual / target (docs/domain section 9); no target -> no value."""
    for metric in TARGETABLE_METRICS:
        if metric not in out:
            continue
        value = out[metric].value
        # Targetable metrics are counts (int) or money (Decimal), never rates.
        actual = Decimal(str(value)) if isinstance(value, float) else value
        if out[metric].status == "pending":
            out[f"{metric}_completion"] = MetricValue(None, None, None, "pending")
            continue
        target = _target_for(targets, scope, period_key, metric) if targets else None
        money = metric in MONEY_METRICS
        if target is None:
            out[f"{metric}_completion"] = MetricValue(None, actual, None, "no_data")
            continue
        if money:
            shown: int | Decimal = target.quantize(CENT)
        else:
            shown = int(target) if target == target.to_integral_value() else target
        if target <= 0 or actual is None:
            out[f"{metric}_completion"] = MetricValue(None, actual, shown, "no_data")
        else:
            ratio = float(Decimal(actual) / target)
            out[f"{metric}_completion"] = MetricValue(ratio, actual, shown)
