"""One work calendar everywhere: a company holiday and a hand-entered 2027 Spring Festival take
the day out of the journal statuses, the inbox's missing list, the submission statistics, the
rep's calendar, the reminders and the digest; and every journal, reminder and statistics page
works for dates in 2027 and 2030, years the chinesecalendar package does not cover."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.calendar import calendar_day_set
from accounts.models import Notification
from journals import selectors, services, tasks
from journals.tests.factories import local_dt, submitted

pytestmark = pytest.mark.django_db

D = dt.date
COMPANY_HOLIDAY = D(2026, 3, 3)  # Tuesday: the company's annual meeting day off
SPRING_2027 = [D(2027, 2, 8) + dt.timedelta(days=i) for i in range(5)]  # Monday-Friday
AFTER_SPRING = D(2027, 2, 15)  # the Monday after


@pytest.fixture
def holidays(org):
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=False, name="公司年会")
    for day in SPRING_2027:
        calendar_day_set(by=org.admin, day=day, is_workday=False, name="春节")
    return org


@pytest.fixture
def at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


def _missing(team, day):
    rows, _rule = selectors.team_day(team=team, day=day, now=local_dt(day, 23, 0), counts=False)
    return {r.user.username for r in rows if r.status == "missing"}


def test_the_holidays_have_no_missing_journals_and_the_next_work_day_has(holidays):
    org = holidays
    for day in [COMPANY_HOLIDAY, *SPRING_2027]:
        assert _missing(org.team_a, day) == set(), day
        inbox = selectors.inbox(team=org.team_a, day=day, now=local_dt(day, 23, 0))
        assert inbox.counts["missing"] == 0
        assert not inbox.work_day
    assert _missing(org.team_a, AFTER_SPRING) == {"rep", "teammate"}
    assert _missing(org.team_a, D(2026, 3, 4)) == {"rep", "teammate"}


def test_no_reminders_on_the_holidays(holidays, at):
    for day in [COMPANY_HOLIDAY, *SPRING_2027]:
        at(local_dt(day, 21, 30))
        assert services.journal_reminders_send() == 0, day
    assert not Notification.objects.exists()
    at(local_dt(AFTER_SPRING, 21, 30))
    assert tasks.remind_missing.delay().get() == 4
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"rep", "teammate", "rep_b", "outsider"}


def test_the_digest_after_a_holiday_reports_the_work_day_before_it(holidays, at):
    at(local_dt(D(2026, 3, 4), 8, 0))
    assert services.journal_digest_send() == 3
    keys = set(Notification.objects.values_list("key", flat=True))
    assert all(k.endswith(":2026-03-02") for k in keys)
    at(local_dt(AFTER_SPRING, 8, 0))
    services.journal_digest_send()
    assert Notification.objects.filter(key__endswith=":2027-02-05").count() == 3


def test_statistics_and_the_reps_calendar_skip_the_holiday(holidays, client, at):
    org = holidays
    submitted(services.journal_get_or_create_today(rep=org.rep, day=D(2026, 3, 2)))
    at(local_dt(D(2026, 3, 6), 23, 0))
    _weeks, rows = selectors.submission_stats(team=org.team_a, weeks=1)
    counts = {r.user.username: r.total for r in rows}
    assert (counts["rep"].on_time, counts["rep"].missing) == (1, 3)  # 4th, 5th, 6th
    assert counts["teammate"].missing == 4  # 2nd, 4th, 5th, 6th: not the 3rd
    client.force_login(org.rep)
    response = client.get(reverse("journals:calendar"), {"month": "2026-03"})
    cells = {c["day"]: c for week in response.context["weeks"] for c in week}
    assert cells[COMPANY_HOLIDAY]["status"] == "non_working"
    assert cells[D(2026, 3, 4)]["status"] == "missing"


def test_a_team_working_on_the_company_holiday_is_reminded(holidays, at):
    org = holidays
    calendar_day_set(by=org.admin, day=COMPANY_HOLIDAY, is_workday=True, unit=org.team_b)
    at(local_dt(COMPANY_HOLIDAY, 21, 30))
    assert services.journal_reminders_send() == 1
    assert Notification.objects.get().user == org.rep_b


YEAR_DAYS = [D(2027, 2, 9), D(2027, 10, 4), D(2030, 1, 2), D(2030, 12, 31)]


@pytest.mark.parametrize("day", YEAR_DAYS)
def test_every_journal_page_reminder_and_statistic_works_in_2027_and_2030(
    org, client, at, day, django_capture_on_commit_callbacks
):
    at(local_dt(day, 21, 30))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_missing.delay().get()
        tasks.supervisor_digest.delay().get()
    month = f"{day:%Y-%m}"
    pages = [
        (org.rep, "journals:today", {}),
        (org.rep, "journals:journal_list", {}),
        (org.rep, "journals:calendar", {"month": month}),
        (org.supervisor, "journals:calendar", {"rep": org.rep.pk, "month": month}),
        (org.supervisor, "journals:export_month", {"month": month}),
        (org.supervisor, "journals:inbox", {"day": day.isoformat()}),
        (org.supervisor, "journals:inbox", {"day": day.isoformat(), "show": "missing"}),
        (org.supervisor, "journals:submission_stats", {"weeks": 26}),
        (org.supervisor, "journals:morning_meeting", {"day": day.isoformat()}),
        (org.manager, "journals:submission_stats", {}),
        (org.admin, "journals:inbox", {"day": day.isoformat()}),
    ]
    for user, name, params in pages:
        client.force_login(user)
        response = client.get(reverse(name), params)
        assert response.status_code == 200, (user, name, params)
