"""The weekly report shows follow-ups of every channel beside in-person visits
(docs/domain.md, section 9, "Visits and follow-ups"): a phone call or a WeChat never raises
the visit count and always raises the follow-up count and the customers touched."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.models import Stage
from journals.models import Purpose
from journals.tests.factories import local_dt, make_customer, visit
from weekly import selectors as sel
from weekly.models import WeeklyReport

from .factories import WEEK, day, fixed_week, journal

pytestmark = pytest.mark.django_db


def _remote_contacts(org):
    """fixed_week plus a phone call to c2 (Fri) and a WeChat to a fourth customer (Sat).

    By hand: visits 4 (in person only), customers visited 3; follow-ups 4 + 2 = 6,
    customers touched {c1, c2, c3, c4} = 4."""
    made = fixed_week(org)
    c4 = make_customer(org.rep, stage=Stage.LEAD, at=local_dt(day(0)), name="丁公司")
    fri = journal(org.rep, org.team_a, day(5))
    visit(fri, made["c2"], Purpose.SERVICE, channel="phone", occurred_at=local_dt(day(5), 9))
    visit(fri, c4, Purpose.RESEARCH, channel="wechat", occurred_at=local_dt(day(5), 11))


def test_follow_ups_and_customers_touched_count_every_channel(org):
    _remote_contacts(org)
    figs = sel.team_week_figures(team_id=org.team_a.pk, period=WEEK, rep_ids=[org.rep.pk])
    rep = figs[str(org.rep.pk)]
    assert sel.figure_value(rep, "visits") == 4
    assert sel.figure_value(rep, "customers_visited") == 3
    assert sel.figure_value(rep, "follow_ups") == 6
    assert sel.figure_value(rep, "customers_touched") == 4
    assert sel.figure_value(figs["team"], "follow_ups") == 6


def test_the_report_page_shows_the_follow_up_rows(org, client_for):
    _remote_contacts(org)
    report = WeeklyReport.objects.create(rep=org.rep, team=org.team_a, week=WEEK.start)
    page = client_for(org.rep).get(
        reverse("weekly:report_detail", args=[report.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    rows = {r.metric: r for r in page.context["rows"]}
    assert rows["visits"].actual == "4"
    assert rows["follow_ups"].actual == "6"
    assert rows["customers_touched"].actual == "4"
    assert "Follow-ups (all channels)" in page.content.decode()
