"""The effect of a plan compares the same KPI over windows of equal length."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from coaching import effect
from kpi.calculations import MetricValue


def test_windows_are_whole_weeks_of_equal_length() -> None:
    w = effect.windows(dt.date(2026, 11, 4), dt.date(2026, 11, 30), today=dt.date(2026, 11, 18))
    assert w.after == [dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)]
    assert w.before == [dt.date(2026, 10, 12), dt.date(2026, 10, 19), dt.date(2026, 10, 26)]


def test_a_finished_plan_uses_its_whole_length() -> None:
    w = effect.windows(dt.date(2026, 9, 7), dt.date(2026, 9, 20), today=dt.date(2026, 11, 18))
    assert len(w.after) == len(w.before) == 2
    assert w.before[-1] + dt.timedelta(weeks=1) == w.after[0]


def test_a_plan_in_the_future_has_no_windows() -> None:
    w = effect.windows(dt.date(2026, 12, 7), dt.date(2026, 12, 20), today=dt.date(2026, 11, 18))
    assert w.before == w.after == []


@given(
    start=st.dates(dt.date(2024, 1, 1), dt.date(2027, 1, 1)),
    length=st.integers(0, 120),
    lag=st.integers(-30, 200),
)
def test_windows_always_equal_and_adjacent(start: dt.date, length: int, lag: int) -> None:
    end = start + dt.timedelta(days=length)
    w = effect.windows(start, end, today=start + dt.timedelta(days=lag))
    assert len(w.before) == len(w.after)
    if w.after:
        assert w.after[0] == effect.monday(start)
        assert w.before[-1] + dt.timedelta(weeks=1) == w.after[0]


def test_counts_sum_and_rates_pool_their_numerators() -> None:
    before = [
        {"visits": MetricValue(5), "close_rate": MetricValue(0.5, 1, 2)},
        {"visits": MetricValue(3), "close_rate": MetricValue(None, 0, 0, "no_data")},
    ]
    after = [
        {"visits": MetricValue(9), "close_rate": MetricValue(0.5, 2, 4)},
        {"visits": MetricValue(11), "close_rate": MetricValue(1.0, 2, 2)},
    ]
    rows = {r["metric"]: r for r in effect.compare(["visits", "close_rate"], before, after)}
    assert rows["visits"]["before"] == 8
    assert rows["visits"]["after"] == 20
    assert rows["visits"]["change"] == 12
    assert rows["close_rate"]["before"] == 0.5
    assert abs(rows["close_rate"]["after"] - 4 / 6) < 1e-9


def test_a_rate_without_denominator_has_no_value() -> None:
    weeks = [{"close_rate": MetricValue(None, 0, 0, "no_data")}]
    (row,) = effect.compare(["close_rate"], weeks, weeks)
    assert row["before"] is None
    assert row["change"] is None
