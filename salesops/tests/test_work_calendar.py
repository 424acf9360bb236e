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
from journals.models import Journal
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
    iso_year, iso_week, _weekday = day.isocalendar()
    week = f"{iso_year}-W{iso_week:02d}"
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
        (org.supervisor, "weekly:meeting", {"week": week}),
        (org.rep, "weekly:report_current", {"week": week}),
        (org.supervisor, "weekly:report_list", {"week": week}),
        (org.supervisor, "coaching:heatmap", {"period": month}),
        (org.supervisor, "coaching:recognition_board", {}),
        (org.admin, "accounts:calendar", {"year": day.year, "day": day.isoformat()}),
        (org.admin, "accounts:calendar_export", {"year": day.year}),
    ]
    for user, name, params in pages:
        client.force_login(user)
        response = client.get(reverse(name), params, follow=True)
        assert response.status_code == 200, (user, name, params)
    client.force_login(org.supervisor)
    team_report = reverse("weekly:team_report", args=[org.team_a.code, week])
    assert client.get(team_report).status_code == 200


# --- diagnosis and the weekly report -------------------------------------------------------

WEEK_MONDAY = D(2026, 10, 26)  # ISO week 2026-W44, Monday-Friday all official work days


def _submit_mon_to_wed(rep, team):
    for i in range(3):
        day = WEEK_MONDAY + dt.timedelta(days=i)
        submitted(Journal.objects.create(rep=rep, team=team, day=day))


def test_a_company_holiday_leaves_the_diagnosis_work_days_and_missing_journals(org):
    from coaching.models import Finding
    from coaching.services import findings_recompute
    from coaching.services.findings import team_habit_facts

    _submit_mon_to_wed(org.rep, org.team_a)
    today = D(2026, 11, 2)
    facts = team_habit_facts(org.team_a.pk, "2026-W44", today)
    assert (facts[org.rep.pk].work_days, facts[org.rep.pk].missing_journals) == (5, 2)
    findings_recompute(team_ids=[org.team_a.pk], period="2026-W44", today=today)
    assert Finding.objects.filter(rep=org.rep, symptom="missing_journals").exists()

    for day in (D(2026, 10, 29), D(2026, 10, 30)):  # Thursday and Friday off
        calendar_day_set(by=org.admin, day=day, is_workday=False, name="公司假日")
    facts = team_habit_facts(org.team_a.pk, "2026-W44", today)
    assert (facts[org.rep.pk].work_days, facts[org.rep.pk].missing_journals) == (3, 0)
    findings_recompute(team_ids=[org.team_a.pk], period="2026-W44", today=today)
    assert not Finding.objects.filter(rep=org.rep, symptom="missing_journals").exists()


def test_a_company_holiday_leaves_the_weekly_reports_missing_journals(org):
    from domain.periods import parse_period
    from weekly.selectors import journal_gaps

    _submit_mon_to_wed(org.rep, org.team_a)
    week = parse_period("2026-W44")
    members = [org.rep, org.teammate]
    gaps = journal_gaps(team_id=org.team_a.pk, period=week, members=members, today=D(2026, 11, 2))
    assert gaps == {org.rep.pk: 2, org.teammate.pk: 5}
    calendar_day_set(by=org.admin, day=D(2026, 10, 29), is_workday=False, name="公司假日")
    gaps = journal_gaps(team_id=org.team_a.pk, period=week, members=members, today=D(2026, 11, 2))
    assert gaps == {org.rep.pk: 1, org.teammate.pk: 4}
    # a team entry only changes that team
    calendar_day_set(by=org.admin, day=D(2026, 10, 29), is_workday=True, unit=org.team_a)
    gaps = journal_gaps(team_id=org.team_a.pk, period=week, members=members, today=D(2026, 11, 2))
    assert gaps == {org.rep.pk: 2, org.teammate.pk: 5}


def test_the_on_time_streak_skips_the_holidays(holidays):
    from coaching.services import STREAK_MIN, recognition_suggestions

    org = holidays
    day = AFTER_SPRING  # the Monday after the hand-entered Spring Festival
    work: list[dt.date] = []
    d = day - dt.timedelta(days=1)
    while len(work) < STREAK_MIN:
        if d.weekday() < 5 and d not in SPRING_2027:
            work.append(d)
        d -= dt.timedelta(days=1)
    for d in work:
        submitted(Journal.objects.create(rep=org.rep, team=org.team_a, day=d), at=local_dt(d, 18))
    suggestions = recognition_suggestions(team_id=org.team_a.pk, day=day)
    streaks = [s for s in suggestions if s["source"] == "journal_streak"]
    assert [s["rep_id"] for s in streaks] == [org.rep.pk]


# --- targets and statistics pages in uncovered years -------------------------------------


def test_the_hand_entered_spring_festival_leaves_the_weekly_target_split(holidays):
    """20 visits for February 2027 (Monday-Friday: 20 work days; 8-12 February entered by
    hand as the Spring Festival): 15 work days, W05 (1-5), W07 (15-19), W08 (22-26) 5 each,
    W06 none. 20 x 5/15 = 6.67 each -> 6, 6, 6 (18); the 2 left to the earliest two of the
    tie, W05 and W07: 7, 0, 7, 6. March 2027 has a target too, so W09 (1-7 March) shows no
    February share (1 March is a Monday: W09 starts in March)."""
    from kpi.loading import targets_frame
    from kpi.models import Target

    org = holidays
    Target.objects.create(team=org.team_a, month=D(2027, 2, 1), metric="visits", value=20)
    frame = targets_frame([org.team_a.pk])
    weeks = frame[frame["period"].str.contains("W")]
    got = dict(zip(weeks["period"], weeks["value"], strict=True))
    assert got == {"2027-W05": 7, "2027-W06": 0, "2027-W07": 7, "2027-W08": 6}


@pytest.mark.parametrize("day", YEAR_DAYS)
def test_every_kpi_and_targets_page_works_in_2027_and_2030(holidays, client, day):
    """The statistics pages (dashboards, drill-down, targets, monthly analysis, team report)
    for months and weeks of 2027 and 2030 with a hand-entered Spring Festival and a target
    split over it: 200, never a 500."""
    from kpi.models import Target

    org = holidays
    month = day.replace(day=1)
    Target.objects.create(team=org.team_a, month=month, metric="visits", value=20)
    Target.objects.create(rep=org.rep, month=month, metric="sales_revenue", value=1000)
    iso_year, iso_week, _weekday = day.isocalendar()
    week = f"{iso_year}-W{iso_week:02d}"
    for period in (f"{month:%Y-%m}", week):
        pages = [
            (org.manager, reverse("kpi:dashboard"), {"period": period}),
            (
                org.supervisor,
                reverse("kpi:team_dashboard", args=[org.team_a.code]),
                {"period": period},
            ),
            (org.rep, reverse("kpi:rep_dashboard", args=[org.rep.username]), {"period": period}),
            (
                org.manager,
                reverse("kpi:branch_dashboard", args=[org.north.code]),
                {"period": period},
            ),
            (
                org.supervisor,
                reverse("kpi:dashboard_export"),
                {"period": period, "scope": f"team:{org.team_a.code}"},
            ),
        ]
        for user, url, params in pages:
            client.force_login(user)
            assert client.get(url, params, follow=True).status_code == 200, (user, url, params)
    client.force_login(org.supervisor)
    month_text = f"{month:%Y-%m}"
    for url, params in [
        (reverse("kpi:target_list"), {"month": month_text}),
        (reverse("kpi:target_edit", args=[org.team_a.code, month_text]), {}),
        (reverse("kpi:target_export"), {"month": month_text}),
        (reverse("kpi:analysis_list"), {}),
        (reverse("weekly:team_report", args=[org.team_a.code, week]), {}),
    ]:
        assert client.get(url, params, follow=True).status_code == 200, url
