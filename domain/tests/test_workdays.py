import datetime as dt

from domain.workdays import covered_years, is_workday, previous_workday, workdays_between

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
