"""Supervisor pages: inbox (missing on work days only, exemptions), submission
statistics, morning meeting flags; fixed query counts whatever the team size."""

import datetime as dt
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, OrgSettings, User
from accounts.tests.factories import UserFactory
from customers.models import Customer, Stage
from journals import calculations as calc
from journals import selectors, services
from journals.models import Journal, Purpose, SubmissionRule
from journals.tests.factories import (
    exempt,
    local_dt,
    make_customer,
    plan,
    submitted,
    team_with_reps,
    visit,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)
TUESDAY = dt.date(2026, 3, 3)
NOW = local_dt(dt.date(2026, 3, 4), 9)


def statuses(team, day, now=NOW):
    rows, _rule = selectors.team_day(team=team, day=day, now=now)
    return {r.user.username: r.status for r in rows}


def test_inbox_statuses_on_a_work_day(org):
    submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY))
    submitted(services.journal_get_or_create_today(rep=org.teammate, day=MONDAY), late=True)
    data = selectors.inbox(team=org.team_a, day=MONDAY, now=NOW)
    assert {r.user.username: r.status for r in data.rows} == {
        "rep": calc.ON_TIME,
        "teammate": calc.LATE,
    }
    assert data.counts["unreviewed"] == 2
    assert data.counts["submitted"] == 2


def test_missing_only_on_work_days_and_not_when_exempt(org):
    # 2026-10-01 is a national holiday, 2026-10-10 a make-up working Saturday
    holiday = statuses(org.team_a, dt.date(2026, 10, 1), now=local_dt(dt.date(2026, 10, 11)))
    assert set(holiday.values()) == {calc.NON_WORKING}
    makeup = statuses(org.team_a, dt.date(2026, 10, 10), now=local_dt(dt.date(2026, 10, 11)))
    assert set(makeup.values()) == {calc.MISSING}
    exempt(org.rep, MONDAY, TUESDAY, kind="trip")
    monday = statuses(org.team_a, MONDAY)
    assert monday == {"rep": calc.EXEMPT, "teammate": calc.MISSING}
    assert "supervisor" not in monday  # supervisors need not submit by default


def test_draft_is_pending_until_the_deadline_then_missing(org):
    services.journal_get_or_create_today(rep=org.rep, day=MONDAY)
    assert statuses(org.team_a, MONDAY, now=local_dt(MONDAY, 20, 59))["rep"] == calc.PENDING
    assert statuses(org.team_a, MONDAY, now=local_dt(MONDAY, 21, 0))["rep"] == calc.MISSING


def test_rule_can_ask_supervisors_too(org):
    SubmissionRule.objects.create(team=None, supervisors_must_submit=True)
    assert statuses(org.team_a, MONDAY)["supervisor"] == calc.MISSING


def test_inbox_page_filters_and_actions(client, org):
    journal = submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY))
    client.force_login(org.supervisor)
    url = reverse("journals:inbox")
    page = client.get(url, {"day": "2026-03-02", "show": "missing"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert [r["member"].user for r in page.context["rows"]] == [org.teammate]
    body = page.content.decode()
    assert 'data-testid="count-missing">1<' in body
    review = client.post(reverse("journals:journal_review", args=[journal.pk]), {"next": url})
    assert review.status_code == 302
    assert Journal.objects.get(pk=journal.pk).status == Journal.Status.REVIEWED
    exemption = client.post(
        reverse("journals:exemption_add"),
        {
            "user": org.teammate.pk,
            "kind": "leave",
            "start": "2026-03-02",
            "end": "2026-03-02",
            "next": url,
        },
    )
    assert exemption.status_code == 302
    assert statuses(org.team_a, MONDAY)["teammate"] == calc.EXEMPT
    assert client.get(url, {"day": "bogus", "show": "bogus"}).status_code == 200
    assert client.get(url, {"team": "abc"}).status_code == 404


def test_rep_has_no_inbox(client, org):
    client.force_login(org.rep)
    assert client.get(reverse("journals:inbox")).status_code == 403
    assert client.get(reverse("journals:morning_meeting")).status_code == 403


def test_manager_picks_among_the_branch_teams(client, org):
    client.force_login(org.manager)
    page = client.get(reverse("journals:inbox"), {"team": org.team_b.pk})
    assert page.status_code == 200
    assert {t.pk for t in page.context["teams"]} == {org.team_a.pk, org.team_b.pk}
    assert client.get(reverse("journals:inbox"), {"team": org.team_s.pk}).status_code == 404


def test_submission_stats_by_rep_and_week(org):
    submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY))
    submitted(services.journal_get_or_create_today(rep=org.rep, day=TUESDAY), late=True)
    exempt(org.teammate, MONDAY, dt.date(2026, 3, 6))
    starts, rows = selectors.submission_stats(
        team=org.team_a, weeks=2, now=local_dt(dt.date(2026, 3, 6), 22)
    )
    assert starts == [dt.date(2026, 2, 23), MONDAY]
    by_user = {r.user.username: r for r in rows}
    week = by_user["rep"].weeks[MONDAY]
    assert (week.on_time, week.late, week.missing) == (1, 1, 3)
    assert by_user["teammate"].weeks[MONDAY].missing == 0
    assert by_user["teammate"].weeks[MONDAY].exempt == 5
    assert by_user["teammate"].weeks[dt.date(2026, 2, 23)].missing == 5
    assert "supervisor" not in by_user


def test_morning_meeting_flags(org):
    OrgSettings.objects.update_or_create(pk=1, defaults={"visit_standard_per_day": 3})
    a = make_customer(org.rep, stage=Stage.TARGET)
    b = make_customer(org.rep, stage=Stage.TARGET)
    yesterday = submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY))
    plan(yesterday, Purpose.FIRST, a)
    plan(yesterday, Purpose.EXPLANATION, b)
    visit(yesterday, a, next_step="送报价", next_step_date=MONDAY)  # overdue by Tuesday
    Customer.objects.filter(pk=a.pk).update(last_activity_at=local_dt(MONDAY))
    today = services.journal_get_or_create_today(rep=org.rep, day=TUESDAY)
    plan(today, Purpose.FIRST, a, preparation="")
    plan(today, Purpose.CLOSING)  # no target named
    meeting = selectors.morning_meeting(team=org.team_a, day=TUESDAY, now=local_dt(TUESDAY, 8))
    rows = {r.user.username: r for r in meeting.rows}
    rep = rows["rep"]
    assert set(rep.flags) == {
        calc.NO_TARGET,
        calc.NO_PREPARATION,
        calc.LOW_VOLUME,
        calc.OVERDUE_NEXT_STEPS,
        calc.NOT_FOLLOWED_UP,  # b: a target never visited
    }
    assert (rep.overdue, rep.stale) == (1, 1)
    visits_row = next(a for a in rep.achievement if a.key == "visits")
    assert (visits_row.planned, visits_row.actual) == (2, 1)
    assert set(rows["teammate"].flags) == {calc.NO_PLAN, calc.MISSED_YESTERDAY}


def test_morning_meeting_reads_each_days_members_and_exemptions_from_one_load(org):
    """Today's rows and the previous work day's come from one load of memberships and
    exemptions (selectors.team_members): each day keeps its own members and exemptions."""
    newcomer = cast(User, UserFactory(username="newcomer"))
    Membership.objects.create(user=newcomer, unit=org.team_a, role="rep", start=TUESDAY)
    Membership.objects.filter(user=org.teammate, unit=org.team_a).update(end=MONDAY)
    exempt(org.rep, MONDAY, kind="trip")  # the previous work day only
    meeting = selectors.morning_meeting(team=org.team_a, day=TUESDAY, now=local_dt(TUESDAY, 8))
    rows = {r.user.username: r for r in meeting.rows}
    assert set(rows) == {"rep", "newcomer"}  # the teammate left on Monday
    assert rows["rep"].previous_status == calc.EXEMPT
    assert rows["rep"].exempt_kind == ""
    assert rows["newcomer"].previous_status == calc.NOT_REQUIRED  # not in the team on Monday
    loaded = selectors.team_members(team=org.team_a, first=MONDAY, last=TUESDAY)
    with pytest.raises(ValueError, match="outside"):
        selectors.team_day(team=org.team_a, day=dt.date(2026, 3, 5), now=NOW, loaded=loaded)
    monday, _rule = selectors.team_day(team=org.team_a, day=MONDAY, now=NOW, loaded=loaded)
    assert {r.user.username: r.status for r in monday} == {
        "rep": calc.EXEMPT,
        "teammate": calc.MISSING,
    }


def test_morning_meeting_page_presentation_and_print(client, org):
    client.force_login(org.supervisor)
    page = client.get(
        reverse("journals:morning_meeting"), {"present": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="presentation"' in body
    assert "Leave meeting mode" in body
    normal = client.get(reverse("journals:morning_meeting")).content.decode()
    assert "data-print" in normal
    assert 'class="presentation"' not in normal


def _fill(team, reps, day):
    """Each rep: yesterday's submitted journal with plan and visits, today's plan."""
    for rep in reps:
        customers = [make_customer(rep, stage=Stage.TARGET) for _ in range(2)]
        prev = submitted(
            services.journal_get_or_create_today(rep=rep, day=day - dt.timedelta(days=1))
        )
        for c in customers:
            plan(prev, Purpose.FIRST, c)
            visit(prev, c, next_step="回访", next_step_date=day - dt.timedelta(days=1))
        today = services.journal_get_or_create_today(rep=rep, day=day)
        plan(today, Purpose.EXPLANATION, customers[0])
        plan(today, Purpose.COLLECTION, customers[1])


@pytest.mark.parametrize(
    "page", ["journals:inbox", "journals:morning_meeting", "journals:submission_stats"]
)
def test_team_pages_use_a_fixed_number_of_queries(client, org, page, django_assert_num_queries):
    small, sup_small, reps_small = team_with_reps(3, code="small", parent=org.north)
    big, sup_big, reps_big = team_with_reps(12, code="big", parent=org.north)
    _fill(small, reps_small, TUESDAY)
    _fill(big, reps_big, TUESDAY)
    url = reverse(page)
    client.force_login(sup_small)
    client.get(url, {"day": "2026-03-03"})  # warm-up: settings rows created on first use
    with CaptureQueriesContext(connection) as ctx:
        small_page = client.get(url, {"day": "2026-03-03"})
    count = len(ctx.captured_queries)
    assert len(small_page.context["rows"]) == 3
    client.force_login(sup_big)
    client.get(url, {"day": "2026-03-03"})
    with django_assert_num_queries(count):
        big_page = client.get(url, {"day": "2026-03-03"})
    assert len(big_page.context["rows"]) == 12
    # one of them reads the work calendar, once per request; the morning meeting adds
    # four for its minutes (the minutes, their action items, the owners to choose from,
    # the day's exemptions for the attendance) and one for the team's projects with
    # overdue control points; the memberships and exemptions of both days are read once (23)
    assert count <= 23


def test_morning_meeting_shows_the_reps_diagnosis_findings(client, org):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from accounts.scoping import local_today
    from coaching.models import Finding

    month = local_today().replace(day=1)
    Finding.objects.create(
        rep=org.rep,
        team=org.team_a,
        period_kind="month",
        period_start=month,
        symptom="low_activity",
        computed_at=timezone.now(),
    )
    Finding.objects.create(
        rep=org.rep,
        team=org.team_a,
        period_kind="month",
        period_start=month - dt.timedelta(days=40),
        symptom="hard_to_close",
        computed_at=timezone.now(),
    )
    client.force_login(org.supervisor)
    page = client.get(reverse("journals:morning_meeting"), HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Too little activity" in body
    assert "Hard to close" not in body  # another month


@pytest.mark.parametrize(
    ("lang", "flag", "old_flag", "help_text"),
    [
        ("en", "No visit planned", ">No plan<", "Counted by purpose, not by customer"),
        ("zh-hans", "无拜访计划", ">无计划<", "按目的统计，不按客户"),
    ],
)
def test_morning_meeting_no_plan_flag_says_it_counts_visits_and_achievement_says_by_purpose(
    org, client_for, lang, flag, old_flag, help_text
):
    """A plan of one service follow-up: the card lists it, and the flag says what it counts
    (no *visit* planned, docs/domain.md section 3); plan achievement counts by purpose, not
    by customer, and says so (a planned service follow-up to one customer is achieved by
    service follow-ups to others: 2 / 1)."""
    planned, other = make_customer(org.rep, name="东莞铭普光磁"), make_customer(org.rep)
    yesterday = submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY))
    plan(yesterday, Purpose.SERVICE, planned)
    visit(yesterday, other, Purpose.SERVICE)
    visit(yesterday, other, Purpose.SERVICE, occurred_at=local_dt(MONDAY, 15))
    today = services.journal_get_or_create_today(rep=org.rep, day=TUESDAY)
    plan(today, Purpose.SERVICE, planned)
    page = client_for(org.supervisor).get(
        reverse("journals:morning_meeting"),
        {"team": org.team_a.pk, "day": TUESDAY.isoformat()},
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    html = page.content.decode()
    card = next(c for c in html.split('data-testid="meeting-card"') if "东莞铭普光磁" in c)
    assert f'data-flag="no_plan">{flag}<' in card
    assert old_flag not in html
    assert help_text in card
    meeting = selectors.morning_meeting(team=org.team_a, day=TUESDAY, now=local_dt(TUESDAY, 8))
    rep = next(r for r in meeting.rows if r.user == org.rep)
    service = next(a for a in rep.achievement if a.key == Purpose.SERVICE)
    assert (service.planned, service.actual, service.percent) == (1, 2, 200)


@pytest.mark.parametrize("param", ["date_from", "day_from", "date_to", "day_to"])
def test_an_invalid_date_filter_on_the_journal_list_is_an_error_and_lists_nothing(
    org, client_for, param
):
    """?date_from=abc (or the API's name day_from) was ignored and listed everything: now
    the form says the date is invalid and no journal is listed; the API answers 400."""
    from rest_framework.test import APIClient

    submitted(services.journal_get_or_create_today(rep=org.rep, day=MONDAY))
    client = client_for(org.supervisor)
    url = reverse("journals:journal_list")
    assert client.get(url).context["page"].paginator.count == 1
    page = client.get(url, {param: "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 0
    assert "Enter a valid date." in page.content.decode()
    assert client.get(url, {param: "2026-03-02"}).context["page"].paginator.count == 1
    if param.startswith("day_"):
        api = APIClient()
        api.force_login(org.supervisor)
        assert api.get("/api/v1/journals/", {param: "abc"}).status_code == 400
