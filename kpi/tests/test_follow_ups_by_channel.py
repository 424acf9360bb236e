"""Which KPI counts include phone calls, WeChat and e-mails (docs/domain, section 9,
"Visits and follow-ups"), read through the one seam kpi.figures, live and stored. Every
expected number is worked out by hand beside the data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from customers.models import Stage
from customers.tests.factories import make_customer
from journals.models import Journal, Visit
from kpi import figures
from kpi.calculations import iso_week_period, month_period
from kpi.snapshots import compute_and_store

SH = ZoneInfo("Asia/Shanghai")
W10 = iso_week_period(2026, 10)  # Monday 2026-03-02 .. Sunday 2026-03-08
MARCH = month_period(2026, 3)


def _contact(org, journal, customer, *, channel, purpose, at, **fields) -> Visit:
    return Visit.objects.create(
        journal=journal,
        rep=org.rep,
        team=org.team_a,
        customer=customer,
        purpose=purpose,
        occurred_at=at,
        stage_before=customer.stage,
        channel=channel,
        **fields,
    )


@pytest.fixture
def week(org, settings):
    """Rep A on Tuesday 2026-03-03 (Shanghai): customers c1, c2 open targets since February,
    c3 a lead. Four contacts:

    1. in person, c1, explanation, outcome info, no next step  -> a visit, not effective
    2. phone,     c1, service, dated next step                  -> would be effective
    3. WeChat,    c2, coordination, outcome stage_advanced       -> would be a target visit
    4. e-mail,    c3, appointment
    """
    settings.TIME_ZONE = "Asia/Shanghai"
    feb = dt.datetime(2026, 2, 2, 10, tzinfo=SH)
    c1 = make_customer(org.rep, stage=Stage.TARGET, at=feb)
    c2 = make_customer(org.rep, stage=Stage.TARGET, at=feb)
    c3 = make_customer(org.rep, stage=Stage.LEAD, at=feb)
    day = dt.date(2026, 3, 3)
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=day)
    at = dt.datetime(2026, 3, 3, 9, tzinfo=SH)
    _contact(org, journal, c1, channel="visit", purpose="explanation", at=at, outcome="info")
    _contact(
        org,
        journal,
        c1,
        channel="phone",
        purpose="service",
        at=at + dt.timedelta(hours=1),
        next_step="Send the quote",
        next_step_date=dt.date(2026, 3, 5),
    )
    _contact(
        org,
        journal,
        c2,
        channel="wechat",
        purpose="coordination",
        at=at + dt.timedelta(hours=2),
        outcome="stage_advanced",
    )
    _contact(
        org, journal, c3, channel="email", purpose="appointment", at=at + dt.timedelta(hours=3)
    )
    return org


#: By hand from the fixture: only contact 1 is a visit; all four are follow-ups, of three
#: distinct customers. Contact 2's dated next step and contact 3's advance would make them
#: effective and contact 3 a target-customer visit, were they visits: they are not.
EXPECTED = {
    "visits": 1,
    "customers_visited": 1,
    "target_customer_visits": 1,
    "target_customers_visited": 1,
    "effective_customers": 0,
    "effective_activity_rate": 0.0,  # 0 effective / 1 visited
    "follow_ups": 4,
    "customers_touched": 3,
}


@pytest.mark.parametrize("period", [W10, MARCH], ids=["week", "month"])
def test_only_in_person_visits_count_as_visits_every_contact_as_a_follow_up(week, period):
    org = week
    for kind, pk in (("rep", org.rep.pk), ("team", org.team_a.pk)):
        live = figures.live_metrics(scope_kind=kind, scope_id=pk, period=period)
        assert {name: live[name].value for name in EXPECTED} == EXPECTED, kind
    compute_and_store(periods=[period], team_ids=[org.team_a.pk])
    stored = figures.stored_metrics(scope_kind="rep", scope_id=org.rep.pk, period=period)
    assert {name: stored[name].value for name in EXPECTED} == EXPECTED
    if period is W10:  # of the one target customer visited in person, none reached intent
        assert live["weekly_intent_rate"].value == 0.0


def test_a_phone_call_raises_the_follow_ups_not_the_visits(org, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    customer = make_customer(org.rep, stage=Stage.TARGET, at=dt.datetime(2026, 2, 2, tzinfo=SH))
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=dt.date(2026, 3, 4))

    def figures_now() -> dict[str, object]:
        live = figures.live_metrics(scope_kind="rep", scope_id=org.rep.pk, period=W10)
        return {m: live[m].value for m in ("visits", "customers_visited", "follow_ups")}

    assert figures_now() == {"visits": 0, "customers_visited": 0, "follow_ups": 0}
    _contact(
        org,
        journal,
        customer,
        channel="phone",
        purpose="collection",
        at=dt.datetime(2026, 3, 4, 15, tzinfo=SH),
    )
    assert figures_now() == {"visits": 0, "customers_visited": 0, "follow_ups": 1}
    _contact(
        org,
        journal,
        customer,
        channel="visit",
        purpose="closing",
        at=dt.datetime(2026, 3, 4, 16, tzinfo=SH),
    )
    assert figures_now() == {"visits": 1, "customers_visited": 1, "follow_ups": 2}


def test_the_team_ranking_shows_follow_ups_beside_visits(week, client_for):
    org = week
    compute_and_store(periods=[MARCH], team_ids=[org.team_a.pk])
    for lang, label in (("en", "Follow-ups (all channels)"), ("zh-hans", "跟进次数（全部方式）")):
        page = client_for(org.supervisor).get(
            f"/kpi/team/{org.team_a.code}/?period={MARCH.key}", HTTP_ACCEPT_LANGUAGE=lang
        )
        assert page.status_code == 200
        assert label in page.content.decode()
