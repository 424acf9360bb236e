import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from domain.periods import (
    day_bounds,
    iso_week_period,
    month_period,
    parse_period,
    period_bounds,
    period_of,
    previous_to_date_span,
    to_date_span,
    weeks_in_iso_year,
    year_before_to_date_span,
)

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def test_parse_month_and_week() -> None:
    assert parse_period("2026-10") == month_period(2026, 10)
    assert parse_period(" 2026-w43 ").key == "2026-W43"
    assert parse_period("2026-W01").start == D(2025, 12, 29)
    assert parse_period("2026-W53").end == D(2027, 1, 4)
    assert parse_period("2000-01").start == D(2000, 1, 1)
    assert parse_period("2100-12").end == D(2101, 1, 1)
    p = month_period(2026, 2)
    assert parse_period(p) is p


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9999-W52", "out of range"),
        ("0001-W01", "out of range"),
        ("1999-12", "out of range"),
        ("2101-01", "out of range"),
        ("1-W1", "Not a period"),
        ("2026-13", "Not a month"),
        ("2026-00", "Not a month"),
        ("2027-W53", "has no week 53"),
        ("2026-W00", "has no week 0"),
        ("October", "Not a period"),
    ],
)
def test_parse_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_period(text)


def test_weeks_and_period_of() -> None:
    assert weeks_in_iso_year(2026) == 53
    assert weeks_in_iso_year(2027) == 52
    assert period_of(D(2027, 1, 1), "week") == iso_week_period(2026, 53)
    assert period_of(D(2026, 2, 28), "month") == month_period(2026, 2)
    assert month_period(2026, 12).next() == month_period(2027, 1)
    assert iso_week_period(2026, 1).previous() == iso_week_period(2025, 52)
    with pytest.raises(ValueError, match="kind"):
        period_of(D(2026, 1, 1), "year")


def test_local_bounds_need_a_zone() -> None:
    start, end = day_bounds(D(2026, 11, 1), SH)
    assert start == dt.datetime(2026, 10, 31, 16, 0, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(days=1)
    ps, pe = period_bounds(month_period(2026, 11), SH)
    assert ps == start
    assert pe == dt.datetime(2026, 12, 1, tzinfo=SH)
    # 2026-10-31 17:30 UTC is 2026-11-01 01:30 in Shanghai: in November.
    assert ps <= dt.datetime(2026, 10, 31, 17, 30, tzinfo=dt.UTC) < pe


def test_to_date_spans_dec_vs_nov() -> None:
    dec = month_period(2026, 12)
    assert to_date_span(dec, D(2026, 12, 3)) == (D(2026, 12, 1), D(2026, 12, 4))
    assert previous_to_date_span(dec, D(2026, 12, 3)) == (D(2026, 11, 1), D(2026, 11, 4))
    assert year_before_to_date_span(dec, D(2026, 12, 3)) == (D(2025, 12, 1), D(2025, 12, 4))


def test_to_date_spans_clamp_to_shorter_month() -> None:
    mar = month_period(2026, 3)
    assert to_date_span(mar, D(2026, 3, 31)) == (D(2026, 3, 1), D(2026, 4, 1))
    assert previous_to_date_span(mar, D(2026, 3, 31)) == (D(2026, 2, 1), D(2026, 3, 1))
    assert previous_to_date_span(mar, D(2026, 3, 29)) == (D(2026, 2, 1), D(2026, 3, 1))
    assert previous_to_date_span(month_period(2028, 3), D(2028, 3, 30)) == (
        D(2028, 2, 1),
        D(2028, 3, 1),
    )  # leap year: 29 days
    # Feb 29 2028 a year before: Feb 2027 has 28 days.
    assert year_before_to_date_span(month_period(2028, 2), D(2028, 2, 29)) == (
        D(2027, 2, 1),
        D(2027, 3, 1),
    )


def test_to_date_spans_weeks_and_finished_periods() -> None:
    w1 = iso_week_period(2026, 1)  # Mon 2025-12-29
    assert to_date_span(w1, D(2025, 12, 31)) == (D(2025, 12, 29), D(2026, 1, 1))
    assert previous_to_date_span(w1, D(2025, 12, 31)) == (D(2025, 12, 22), D(2025, 12, 25))
    w53 = iso_week_period(2026, 53)
    assert year_before_to_date_span(w53, D(2027, 1, 10)) == (
        iso_week_period(2025, 52).start,
        iso_week_period(2025, 52).end,
    )
    nov = month_period(2026, 11)
    assert to_date_span(nov, D(2027, 5, 5)) == (nov.start, nov.end)
    with pytest.raises(ValueError, match="not started"):
        to_date_span(nov, D(2026, 10, 31))
