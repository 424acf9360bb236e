import datetime as dt

from domain.workdays import (
    covered_years,
    is_workday,
    package_covers,
    previous_workday,
    workdays_between,
)

D = dt.date


def test_official_calendar_where_covered() -> None:
    assert 2026 in covered_years()
    assert not is_workday(D(2026, 10, 1))  # National Day
    assert is_workday(D(2026, 10, 10))  # make-up Saturday
    assert is_workday(D(2026, 10, 9))


def test_fallback_monday_to_friday_for_2027() -> None:
    assert 2027 not in covered_years()
    assert is_workday(D(2027, 1, 1))  # a Friday: no holiday data yet
    assert not is_workday(D(2027, 1, 2))  # Saturday
    assert workdays_between(D(2027, 1, 1), D(2027, 1, 5)) == [
        D(2027, 1, 1),
        D(2027, 1, 4),
        D(2027, 1, 5),
    ]


def test_overrides_win() -> None:
    overrides = {D(2027, 1, 1): False, D(2026, 10, 1): True}
    assert not is_workday(D(2027, 1, 1), overrides=overrides)
    assert is_workday(D(2026, 10, 1), overrides=overrides)
    assert workdays_between(D(2027, 1, 1), D(2027, 1, 4), overrides=overrides) == [D(2027, 1, 4)]
    assert previous_workday(D(2027, 1, 4), overrides=overrides) == D(2026, 12, 31)
    assert workdays_between(D(2027, 1, 5), D(2027, 1, 4)) == []


def test_national_day_and_make_up_days() -> None:
    assert not is_workday(D(2026, 10, 1))  # Thursday, national holiday
    assert not is_workday(D(2026, 10, 7))
    assert D(2026, 10, 10).weekday() == 5
    assert is_workday(D(2026, 10, 10))  # make-up Saturday after the national holiday
    assert is_workday(D(2026, 9, 20))  # make-up Sunday
    assert not is_workday(D(2026, 10, 17))  # an ordinary Saturday


def test_previous_workday_skips_holidays_and_far_years_fall_back() -> None:
    assert previous_workday(D(2026, 10, 8)) == D(2026, 9, 30)
    assert previous_workday(D(2026, 10, 12)) == D(2026, 10, 10)
    assert len(workdays_between(D(2026, 10, 1), D(2026, 10, 11))) == 3  # 8th, 9th, 10th
    assert is_workday(D(2099, 6, 1))  # Monday
    assert not is_workday(D(2099, 6, 6))  # Saturday


def test_package_covers() -> None:
    assert package_covers(2026)
    assert not package_covers(2030)
