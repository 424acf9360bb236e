"""The Chinese official calendar with make-up working days."""

import datetime as dt

from journals.workdays import is_work_day, previous_work_day, work_days


def test_national_day_is_not_a_work_day():
    assert not is_work_day(dt.date(2026, 10, 1))  # Thursday, national holiday
    assert not is_work_day(dt.date(2026, 10, 7))


def test_make_up_weekend_days_are_work_days():
    assert dt.date(2026, 10, 10).weekday() == 5
    assert is_work_day(dt.date(2026, 10, 10))  # make-up Saturday after the national holiday
    assert is_work_day(dt.date(2026, 9, 20))  # make-up Sunday
    assert not is_work_day(dt.date(2026, 10, 17))  # an ordinary Saturday


def test_year_without_published_calendar_falls_back_to_weekdays():
    assert is_work_day(dt.date(2099, 6, 1))  # Monday
    assert not is_work_day(dt.date(2099, 6, 6))  # Saturday


def test_previous_work_day_skips_holidays():
    assert previous_work_day(dt.date(2026, 10, 8)) == dt.date(2026, 9, 30)
    assert previous_work_day(dt.date(2026, 10, 12)) == dt.date(2026, 10, 10)
    assert len(work_days(dt.date(2026, 10, 1), dt.date(2026, 10, 11))) == 3  # 8th, 9th, 10th
