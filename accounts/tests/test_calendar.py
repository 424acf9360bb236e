"""The organisation's work calendar: entries win (team over branch over organisation), then the
official calendar, then Monday-Friday; coverage of a year; the services; one query a request."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.calendar import (
    SOURCE_BRANCH,
    SOURCE_OFFICIAL,
    SOURCE_ORGANISATION,
    SOURCE_TEAM,
    SOURCE_WEEKDAYS,
    calendar_book,
    calendar_cache,
    calendar_day_clear,
    calendar_day_set,
    calendar_days_import,
    is_workday,
    previous_workday,
    uncovered_years,
    work_calendar,
    workdays_between,
    year_grid,
)
from accounts.models import CalendarDay

pytestmark = pytest.mark.django_db

D = dt.date
COMPANY_HOLIDAY = D(2026, 3, 3)  # a Tuesday
SPRING_2027 = [D(2027, 2, 8) + dt.timedelta(days=i) for i in range(5)]  # Monday-Friday


def test_without_entries_the_official_calendar_then_weekdays(org):
    assert not is_workday(D(2026, 10, 1))  # National Day
    assert is_workday(D(2026, 10, 10), org.team_a)  # make-up Saturday
    assert is_workday(D(2027, 2, 9))  # 2027 not covered by the package: Monday-Friday
    assert work_calendar(org.team_a).source_of(D(2027, 2, 9)) == SOURCE_WEEKDAYS
    assert work_calendar(org.team_a).source_of(D(2026, 10, 1)) == SOURCE_OFFICIAL


def test_team_entry_beats_branch_entry_beats_organisation_entry(org):
    saturday = D(2026, 3, 7)
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False, name="公司年会")
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=True, unit=org.north)
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False, unit=org.team_b)
    calendar_day_set(by=org.admin, day=saturday, is_workday=True, name="客户日", unit=org.team_a)

    assert not is_workday(COMPANY_HOLIDAY)  # organisation
    assert not is_workday(COMPANY_HOLIDAY, org.team_s)  # south: organisation entry
    assert is_workday(COMPANY_HOLIDAY, org.team_a)  # north branch works
    assert not is_workday(COMPANY_HOLIDAY, org.team_b)  # ... but team b does not
    assert is_workday(COMPANY_HOLIDAY, org.team_a.pk)  # by id as well
    assert work_calendar(org.team_a).source_of(COMPANY_HOLIDAY) == SOURCE_BRANCH
    assert work_calendar(org.team_b).source_of(COMPANY_HOLIDAY) == SOURCE_TEAM
    assert work_calendar(org.team_s).source_of(COMPANY_HOLIDAY) == SOURCE_ORGANISATION
    assert work_calendar(org.team_s).name_of(COMPANY_HOLIDAY) == "公司年会"

    assert is_workday(saturday, org.team_a)
    assert not is_workday(saturday, org.team_b)
    assert workdays_between(D(2026, 3, 2), D(2026, 3, 8), org.team_s) == [
        D(2026, 3, 2),
        D(2026, 3, 4),
        D(2026, 3, 5),
        D(2026, 3, 6),
    ]
    assert previous_workday(D(2026, 3, 4), org.team_s) == D(2026, 3, 2)
    assert previous_workday(D(2026, 3, 9), org.team_a) == saturday


def test_a_year_is_covered_by_the_package_or_by_days_off_the_organisation_entered(org):
    book = calendar_book()
    assert book.year_covered(2026)
    assert not book.year_covered(2027)
    assert uncovered_years(D(2026, 11, 30)) == []  # not before December 1st
    assert uncovered_years(D(2026, 12, 1)) == [2027]
    assert uncovered_years(D(2027, 3, 1)) == [2027]  # still missing in the year itself
    # a team's entry or a work day does not cover the year; an organisation day off does
    calendar_day_set(by=org.admin, day=SPRING_2027[0], is_workday=False, unit=org.team_a)
    calendar_day_set(by=org.admin, day=D(2027, 2, 20), is_workday=True, name="调休")
    assert uncovered_years(D(2026, 12, 1)) == [2027]
    calendar_day_set(by=org.admin, day=SPRING_2027[0], is_workday=False, name="春节")
    assert uncovered_years(D(2026, 12, 1)) == []
    assert uncovered_years(D(2030, 12, 24)) == [2030, 2031]


def test_only_admins_change_the_calendar_and_the_company_unit_is_refused(org):
    with pytest.raises(PermissionDenied):
        calendar_day_set(by=org.manager, day=COMPANY_HOLIDAY, is_workday=False)
    with pytest.raises(PermissionDenied):
        calendar_day_clear(by=org.supervisor, day=COMPANY_HOLIDAY)
    with pytest.raises(ValidationError):
        calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False, unit=org.company)
    with pytest.raises(ValidationError):
        calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False, name="x" * 61)
    assert not CalendarDay.objects.exists()


def test_set_replaces_and_clear_removes_the_entry(org):
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False, name=" 年会 ")
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False, name="公司年会")
    entry = CalendarDay.objects.get()
    assert (entry.name, entry.updated_by) == ("公司年会", org.admin)
    assert calendar_day_clear(by=org.admin, day=COMPANY_HOLIDAY)
    assert not calendar_day_clear(by=org.admin, day=COMPANY_HOLIDAY)
    assert is_workday(COMPANY_HOLIDAY)


def test_import_stores_only_differences_and_named_days(org):
    calendar_day_set(by=org.admin, day=D(2027, 5, 3), is_workday=False, name="old")
    days = {D(2027, 1, 1) + dt.timedelta(days=i): (None, "") for i in range(365)}
    # a whole year as exported: every day with its weekday status, plus Spring Festival
    wanted = {d: (d.weekday() < 5, "") for d in days}
    wanted.update({d: (False, "春节") for d in SPRING_2027})
    wanted[D(2027, 2, 20)] = (True, "")  # a make-up Saturday, unnamed
    stored, removed = calendar_days_import(by=org.admin, year=2027, unit=None, days=wanted)
    assert (stored, removed) == (6, 1)
    assert set(CalendarDay.objects.values_list("date", flat=True)) == {
        *SPRING_2027,
        D(2027, 2, 20),
    }
    # a team file: only what differs from the organisation's calendar is stored for the team
    team_days = {d: (False, "") for d in SPRING_2027} | {D(2027, 2, 9): (True, "值班")}
    assert calendar_days_import(by=org.admin, year=2027, unit=org.team_a, days=team_days) == (
        1,
        0,
    )
    assert is_workday(D(2027, 2, 9), org.team_a)
    assert not is_workday(D(2027, 2, 9), org.team_b)
    with pytest.raises(ValidationError):
        calendar_days_import(by=org.admin, year=2027, unit=None, days={D(2028, 1, 3): (True, "")})


def test_the_calendar_is_read_once_per_request_or_task(org):
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False)
    with calendar_cache():
        with CaptureQueriesContext(connection) as ctx:
            for team in (org.team_a, org.team_b, org.team_s, None):
                workdays_between(D(2026, 1, 1), D(2026, 12, 31), team)
            is_workday(COMPANY_HOLIDAY, org.team_a.pk)
        assert len(ctx.captured_queries) == 1
        calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=True)
        assert is_workday(COMPANY_HOLIDAY)  # a write drops the memo


def test_year_grid_marks_entries_of_the_unit(org):
    calendar_day_set(by=org.admin, day=SPRING_2027[1], is_workday=False, name="春节")
    months = year_grid(2027, None)
    assert len(months) == 12
    feb = months[1]
    cells = {c.day: c for week in feb.weeks for c in week if c}
    assert len(cells) == 28
    assert cells[SPRING_2027[1]].own_entry
    assert not cells[SPRING_2027[1]].is_workday
    assert cells[SPRING_2027[1]].name == "春节"
    team_cells = {c.day: c for w in year_grid(2027, org.team_a)[1].weeks for c in w if c}
    assert not team_cells[SPRING_2027[1]].own_entry  # inherited from the organisation
    assert team_cells[SPRING_2027[1]].source == SOURCE_ORGANISATION
    with pytest.raises(ValueError, match="year"):
        year_grid(0, None)


def test_the_nightly_check_warns_from_december_first(org, monkeypatch, caplog, settings):
    from django.utils import timezone

    from accounts import tasks

    def at(day):
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(1, 50)))
        monkeypatch.setattr(timezone, "now", lambda: moment)

    at(D(2026, 11, 30))
    with caplog.at_level("WARNING", logger="accounts.tasks"):
        assert tasks.calendar_check.delay().get() == []
    ours = [r for r in caplog.records if r.name == "accounts.tasks"]
    assert not ours
    at(D(2026, 12, 1))
    with caplog.at_level("WARNING", logger="accounts.tasks"):
        assert tasks.calendar_check.delay().get() == [2027]
    ours = [r for r in caplog.records if r.name == "accounts.tasks"]
    assert len(ours) == 1
    assert "2027" in ours[0].getMessage()
    entries = settings.CELERY_BEAT_SCHEDULE.values()
    assert "accounts.calendar_check" in {entry["task"] for entry in entries}
