"""The deal forecast from stage history, arithmetic on plain data (docs/domain, section 7,
"Forecast").

Months are whole numbers (:func:`month_index`: year * 12 + month - 1), so "three months
later" is ``m + 3``. The forecast is made **at the start of a month** ``as_of``: only what
happened in months before ``as_of`` is known.

1. **Cohorts** (:func:`conversion_rates`). Every customer that reached a stage ``s`` in month
   ``e`` belongs to the cohort ``(s, e)``. For each offset ``k`` (0, 1, 2, ...) the rate
   ``r_s(k)`` is the share of the members of fully observed cohorts (``e + k < as_of``) whose
   deal came in month ``e + k``. Members that were lost or never dealt stay in the
   denominator. **Minimum cohort size**: an offset observed on fewer than
   :data:`MIN_COHORT_SIZE` members is too thin to give its own rate; the observed offsets are
   merged, from the last one backwards, into one band until the band holds at least
   :data:`MIN_COHORT_SIZE` members (summed over its offsets), and every offset of the band
   gets the band's pooled rate (its deals over its members), as a life table groups its sparse
   last ages into one open interval. Sizes only shrink as ``k`` grows, so the thin offsets are
   always the tail.
2. **Projection** (:func:`deal_probabilities`). An open customer at stage ``s`` since month
   ``e`` has age ``a = as_of - e`` and, not having dealt in months ``e .. as_of - 1``, deals
   in month ``as_of + j`` with probability ``r_s(a + j) / (1 - r_s(0) - ... - r_s(a - 1))``
   (0 when that survival share is 0 or less; capped at 1).
3. **Revenue with the ARPU lag** (:func:`expected_revenue`). A deal of month ``m`` bills
   from month ``m + 1`` (ARPU is lagged one month, docs/domain section 9), so the expected new
   revenue of month ``as_of + j`` is the sum over earlier forecast months ``i < j`` of the
   expected deals of ``i`` times the monthly value per deal.
4. **Back-test** (:func:`backtest_error`): forecast made at the start of a past month
   versus the deals that month had.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

#: How many months after entering a stage a deal still counts for that stage's rates.
MAX_OFFSET = 24

#: Fewest cohort members an offset's rate may rest on; thinner tail offsets are pooled (see
#: :func:`conversion_rates`). 30 is the usual floor for a share to be read on its own.
MIN_COHORT_SIZE = 30


def month_index(day: dt.date) -> int:
    """The month of ``day`` as a whole number (``year * 12 + month - 1``)."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    """The first day of month ``index`` (inverse of :func:`month_index`)."""
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class CohortEntry:
    """One customer's entry into one stage: ``stage`` code, ``entered`` month index and
    ``dealt`` month index of its deal (None: no deal recorded)."""

    stage: str
    entered: int
    dealt: int | None


@dataclass(frozen=True)
class Rates:
    """Conversion rates of one stage: ``by_offset[k]`` is the share of a cohort dealing
    ``k`` months after entering (float in [0, 1]); ``sizes[k]`` the members behind it."""

    stage: str
    by_offset: tuple[float, ...]
    sizes: tuple[int, ...]

    def rate(self, offset: int) -> float:
        """``r(offset)``; 0 beyond the observed offsets."""
        return self.by_offset[offset] if 0 <= offset < len(self.by_offset) else 0.0


def conversion_rates(
    entries: Iterable[CohortEntry],
    *,
    as_of: int,
    max_offset: int = MAX_OFFSET,
    min_size: int | None = None,
) -> dict[str, Rates]:
    """Per stage, the deal rate by months since entry, from the cohorts before ``as_of``.

    Only entries with ``entered < as_of`` count, and a cohort ``e`` counts for offset ``k``
    only when month ``e + k`` is over (``e + k < as_of``), so nothing after ``as_of`` is
    used (the back-test relies on it). A deal before the entry (bad data) is ignored.
    Offsets with no observed cohort get rate 0. The tail offsets with fewer than
    ``min_size`` members (default :data:`MIN_COHORT_SIZE`, read at call time) share one
    pooled rate: the observed offsets from the last one backwards form a band until the band
    holds ``min_size`` members, and each gets the band's deals over its members.
    ``sizes`` stay the members of each offset. Returns ``{stage: Rates}``.
    """
    floor = MIN_COHORT_SIZE if min_size is None else min_size
    members: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    deals: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        if entry.entered >= as_of:
            continue
        members[entry.stage][entry.entered] += 1
        if entry.dealt is not None and entry.entered <= entry.dealt < as_of:
            deals[entry.stage][entry.dealt - entry.entered] += 1
    out: dict[str, Rates] = {}
    for stage, cohorts in members.items():
        sizes = [sum(n for e, n in cohorts.items() if e + k < as_of) for k in range(max_offset)]
        won = [deals[stage].get(k, 0) for k in range(max_offset)]
        rates = [won[k] / sizes[k] if sizes[k] else 0.0 for k in range(max_offset)]
        observed = [k for k in range(max_offset) if sizes[k]]
        if observed and sizes[observed[-1]] < floor:
            band = [observed.pop()]
            while observed and sum(sizes[k] for k in band) < floor:
                band.append(observed.pop())
            pooled = sum(won[k] for k in band) / sum(sizes[k] for k in band)
            for k in band:
                rates[k] = pooled
        out[stage] = Rates(stage=stage, by_offset=tuple(rates), sizes=tuple(sizes))
    return out


def deal_probabilities(
    rates: Rates | None, *, entered: int, as_of: int, months: int = 3
) -> list[float]:
    """Probability that an open customer (at the rates' stage since month ``entered``, no
    deal yet) deals in each of the months ``as_of .. as_of + months - 1``.

    ``rates`` None (a stage never seen) gives zeros. Raises ValueError when ``entered`` is
    not before ``as_of`` (the forecast only knows finished months).
    """
    if entered >= as_of:
        raise ValueError(f"entered month {entered} is not before the forecast month {as_of}")
    if rates is None:
        return [0.0] * months
    age = as_of - entered
    survival = 1.0 - sum(rates.rate(k) for k in range(age))
    if survival <= 0:
        return [0.0] * months
    return [min(1.0, rates.rate(age + j) / survival) for j in range(months)]


@dataclass(frozen=True)
class OpenItem:
    """One open customer (or project) to forecast: ``stage`` it is at, ``entered`` month it
    reached that stage, ``value`` its monthly revenue once dealt (CNY), and ``group`` keys it
    counts for (for example ``("rep:3", "team:7", "branch:2")``)."""

    stage: str
    entered: int
    value: Decimal
    group: tuple[str, ...]


@dataclass
class Projection:
    """Expected deals and expected new revenue (CNY) per forecast month for one group."""

    deals: list[float]
    revenue: list[Decimal]


def project(
    items: Iterable[OpenItem], rates: dict[str, Rates], *, as_of: int, months: int = 3
) -> dict[str, Projection]:
    """Sum the expected deals and the lagged expected revenue of ``items`` per group key.

    Revenue of month ``j`` = sum of ``p_i * value`` over earlier forecast months ``i < j``
    (a deal bills from the month after it; month 0's revenue from forecast deals is 0).
    Money is rounded half-up to the cent per group and month.
    """
    deals: dict[str, list[float]] = defaultdict(lambda: [0.0] * months)
    money: dict[str, list[float]] = defaultdict(lambda: [0.0] * months)
    for item in items:
        probs = deal_probabilities(
            rates.get(item.stage), entered=item.entered, as_of=as_of, months=months
        )
        value = float(item.value)
        for key in item.group:
            for j, p in enumerate(probs):
                deals[key][j] += p
                for later in range(j + 1, months):
                    money[key][later] += p * value
    return {
        key: Projection(
            deals=deals[key],
            revenue=[expected_revenue_cents(v) for v in money[key]],
        )
        for key in deals
    }


def expected_revenue_cents(value: float) -> Decimal:
    """A float amount of CNY as a Decimal rounded half-up to the cent."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def expected_revenue(deals: Sequence[float], value: Decimal) -> list[Decimal]:
    """The lagged revenue of one value per deal: month ``j`` bills the deals of months before
    ``j`` (``[0, d0 * v, (d0 + d1) * v, ...]``), rounded half-up to the cent."""
    out, running = [], 0.0
    for d in deals:
        out.append(expected_revenue_cents(running * float(value)))
        running += d
    return out


def backtest_error(forecast: Sequence[float], actual: Sequence[int]) -> float | None:
    """Mean absolute error of forecast versus actual deals over the months compared, as a
    share of the actual deals (``sum |f - a| / sum a``); None when no deal happened."""
    total = sum(actual)
    if not total:
        return None
    return sum(abs(f - a) for f, a in zip(forecast, actual, strict=True)) / total
