"""Demo weekly reports: 12 weeks, consistent with the journals, idempotent."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.utils import timezone

from accounts.demo import DemoOrg
from customers.models import Stage
from journals import demo as journals_demo
from journals.tests.factories import make_customer
from kpi.calculations import period_of
from weekly import demo
from weekly import selectors as sel
from weekly.models import TeamWeeklyReport, WeeklyReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_org(org):
    for rep in (org.rep, org.teammate):
        for stage in (Stage.LEAD, Stage.TARGET, Stage.RELATIONSHIP, Stage.TARGET):
            make_customer(rep, stage=stage, at=timezone.now() - dt.timedelta(days=120))
    return DemoOrg(
        company=org.company,
        teams=[org.team_a],
        admin=org.admin,
        managers=[org.manager],
        supervisors={org.team_a.pk: org.supervisor},
        reps={org.team_a.pk: [org.rep, org.teammate]},
    )


def test_demo_reports_match_the_journals_and_are_idempotent(demo_org, org):
    journals_demo.seed(demo_org, random.Random(7), io.StringIO(), days=90)
    out = io.StringIO()
    demo.seed(demo_org, random.Random(3), out)
    assert "weekly:" in out.getvalue()
    current = period_of(timezone.localdate(), "week")
    weeks = {r.week for r in WeeklyReport.objects.all()}
    assert max(weeks) == current.previous().start  # the current week stays open
    assert len(weeks) == demo.WEEKS
    assert TeamWeeklyReport.objects.filter(team=org.team_a).count() == demo.WEEKS
    # frozen figures equal what the KPI calculations give from the journals
    sample = WeeklyReport.objects.filter(rep=org.rep).order_by("-week").first()
    assert sample is not None
    live = sel.live_figures(sample)
    for metric in ("visits", "customers_visited", "effective_customers"):
        assert sel.figure_value(sample.figures, metric) == sel.figure_value(live, metric)
    assert sum(sel.figure_value(r.figures, "visits") or 0 for r in WeeklyReport.objects.all()) > 0
    # each week's plan is the previous week's goals
    reports = {r.week: r for r in WeeklyReport.objects.filter(rep=org.rep)}
    for week, r in reports.items():
        prev = reports.get(week - dt.timedelta(days=7))
        if prev:
            assert r.plan == prev.next_goals
    demo.seed(demo_org, random.Random(3), out)
    assert "already there" in out.getvalue()
    demo.reset()  # deletes the demo teams' reports only (by team code)
    assert WeeklyReport.objects.filter(team=org.team_a).exists()
