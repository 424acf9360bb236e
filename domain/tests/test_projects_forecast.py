"""The project ordering rule and the forecast arithmetic (docs/domain, section 7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from domain import forecast as fc
from domain import projects as pj


def test_a_point_may_be_done_only_after_its_predecessors() -> None:
    statuses = ["done", "in_progress", "not_started", "blocked"]
    assert pj.open_predecessors(statuses, 0) == []
    assert pj.open_predecessors(statuses, 1) == []
    assert pj.open_predecessors(statuses, 3) == [1, 2]
    with pytest.raises(IndexError):
        pj.open_predecessors(statuses, 4)


def test_current_point_and_overdue() -> None:
    assert pj.current_index(["done", "done", "in_progress"]) == 2
    assert pj.current_index(["done"]) is None
    today = dt.date(2026, 12, 7)
    assert pj.is_overdue("in_progress", dt.date(2026, 12, 6), today)
    assert not pj.is_overdue("done", dt.date(2026, 12, 6), today)
    assert not pj.is_overdue("in_progress", today, today)
    assert not pj.is_overdue("not_started", None, today)
    assert [p.code for p in pj.DEFAULT_CONTROL_POINTS][:3] == ["relationship", "needs", "decision"]
    assert len(pj.DEFAULT_CONTROL_POINTS) == 9


def test_month_index_round_trip() -> None:
    m = fc.month_index(dt.date(2026, 1, 15))
    assert fc.month_start(m) == dt.date(2026, 1, 1)
    assert fc.month_start(m - 1) == dt.date(2025, 12, 1)


def test_forecast_on_a_hand_made_cohort_equals_the_hand_computation() -> None:
    """Intent cohorts, forecast made at the start of month 10 (only months 0..9 known).

    Cohort 6 (4 customers): deals at offsets 0, 1, 1; one never.
    Cohort 7 (1 customer): its deal in month 12 is not known yet.
    Cohort 8 (2 customers): one deal at offset 1; one never.
    Cohort 9 (1 customer): no deal yet. Cohort 10 is after the forecast: left out.
    Members observed at offset k (cohorts with e + k < 10): k=0: 8, k=1: 7 (6, 7, 8),
    k=2: 5 (6, 7), k=3: 4 (6), k=4: none.
    Rates: r(0) = 1/8, r(1) = 3/7, r(2) = r(3) = r(4) = 0.
    Open intent customer since month 9 (age 1): survival 1 - 1/8 = 7/8,
    p(10) = (3/7) / (7/8) = 24/49, p(11) = p(12) = 0.
    Since month 8 (age 2): survival 1 - 1/8 - 3/7, rates ahead 0: p = 0, 0, 0.
    Revenue at 1000 CNY a month per deal: month 10: 0; 11 and 12: 24/49 * 1000 = 489.80.
    """
    entries = [
        fc.CohortEntry("intent", 6, 6),
        fc.CohortEntry("intent", 6, 7),
        fc.CohortEntry("intent", 6, 7),
        fc.CohortEntry("intent", 6, None),
        fc.CohortEntry("intent", 8, 9),
        fc.CohortEntry("intent", 8, None),
        fc.CohortEntry("intent", 9, None),
        fc.CohortEntry("intent", 10, 10),  # after the forecast month: unknown then
        fc.CohortEntry("intent", 7, 12),  # its deal comes after as_of: not yet seen
    ]
    # Cohort 7 (one member, no deal seen before month 10) is also fully observed up to k=2.
    # min_size=1: every observed offset keeps its own rate (the pooling is pinned below).
    rates = fc.conversion_rates(entries, as_of=10, max_offset=5, min_size=1)["intent"]
    assert rates.sizes == (8, 7, 5, 4, 0)
    assert rates.by_offset == pytest.approx((1 / 8, 3 / 7, 0.0, 0.0, 0.0))
    survival = 1 - 1 / 8
    assert fc.deal_probabilities(rates, entered=9, as_of=10) == pytest.approx(
        [(3 / 7) / survival, 0.0, 0.0]
    )
    assert fc.deal_probabilities(rates, entered=8, as_of=10) == [0.0, 0.0, 0.0]
    p = (3 / 7) / survival  # 24/49
    items = [
        fc.OpenItem("intent", 9, Decimal("1000"), ("rep:1", "team:1")),
        fc.OpenItem("intent", 8, Decimal("500"), ("rep:2", "team:1")),
        fc.OpenItem("lead", 9, Decimal("1000"), ("rep:2", "team:1")),  # stage never seen
    ]
    result = fc.project(items, {"intent": rates}, as_of=10)
    assert result["rep:1"].deals == pytest.approx([p, 0, 0])
    cents = Decimal(str(p * 1000)).quantize(Decimal("0.01"))
    assert cents == Decimal("489.80")
    assert result["rep:1"].revenue == [Decimal("0.00"), cents, cents]
    assert result["team:1"].deals == pytest.approx([p, 0, 0])
    assert result["rep:2"].deals == [0.0, 0.0, 0.0]


def test_thin_tail_offsets_share_one_pooled_rate() -> None:
    """Minimum cohort size 10, forecast at the start of month 10 (only months 0..9 known).

    Cohort 5: 4 members, deals at offsets 1 and 4. Cohort 8: 6 members, deal at offset 0.
    Cohort 9: 6 members, deals at offsets 0 and 0.
    Members at offset k (cohorts with e + k < 10): k=0: 16, k=1: 10 (5, 8), k=2..4: 4 (5),
    k=5: none. Own rates: r(0) = 3/16, r(1) = 1/10, r(2) = r(3) = 0, r(4) = 1/4.
    Offset 4 has 4 < 10 members: band {4}; 4 < 10, add 3: 8; add 2: 12 >= 10, stop.
    Band 2..4: deals 0 + 0 + 1 over 4 + 4 + 4 members = 1/12 for each of k = 2, 3, 4.
    Offsets 0 and 1 have 16 and 10 >= 10 members: own rates. Offset 5 (no member): 0.
    Open customer since month 8 (age 2): survival 1 - 3/16 - 1/10 = 57/80,
    p(10) = (1/12) / (57/80) = 20/171, p(11) = 20/171 (k=3), p(12) = 20/171 (k=4).
    """
    entries = [fc.CohortEntry("lead", 5, 6), fc.CohortEntry("lead", 5, 9)]
    entries += [fc.CohortEntry("lead", 5, None)] * 2
    entries += [fc.CohortEntry("lead", 8, 8)] + [fc.CohortEntry("lead", 8, None)] * 5
    entries += [fc.CohortEntry("lead", 9, 9)] * 2 + [fc.CohortEntry("lead", 9, None)] * 4
    rates = fc.conversion_rates(entries, as_of=10, max_offset=6, min_size=10)["lead"]
    assert rates.sizes == (16, 10, 4, 4, 4, 0)
    assert rates.by_offset == pytest.approx((3 / 16, 1 / 10, 1 / 12, 1 / 12, 1 / 12, 0.0))
    assert fc.deal_probabilities(rates, entered=8, as_of=10) == pytest.approx([20 / 171] * 3)
    # Without the floor the thin offsets keep their own, noisy rates.
    raw = fc.conversion_rates(entries, as_of=10, max_offset=6, min_size=1)["lead"]
    assert raw.by_offset == pytest.approx((3 / 16, 1 / 10, 0.0, 0.0, 1 / 4, 0.0))
    # The default floor is the documented one (30); a stage whose members all fall short
    # pools every observed offset into one rate: 5 deals over 16 + 10 + 4 + 4 + 4 = 38.
    assert fc.MIN_COHORT_SIZE == 30
    whole = fc.conversion_rates(entries, as_of=10, max_offset=6)["lead"]
    assert whole.by_offset == pytest.approx((5 / 38,) * 5 + (0.0,))


def test_lagged_revenue_and_backtest_error() -> None:
    assert fc.expected_revenue([1.0, 0.5, 2.0], Decimal("100")) == [
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("150.00"),
    ]
    assert fc.backtest_error([2.0, 1.0], [1, 3]) == pytest.approx(3 / 4)
    assert fc.backtest_error([2.0], [0]) is None
    with pytest.raises(ValueError, match="not before"):
        fc.deal_probabilities(None, entered=10, as_of=10)
