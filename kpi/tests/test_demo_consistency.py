"""The demo organisation agrees with itself (``seed_demo``): customers are created before
their first event, pool entries come after creation, the stored KPI figures equal a live
computation of the same data, and a recognition's quoted rate is the figure the pages show.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from accounts.models import OrgUnit
from coaching.models import Recognition
from customers.models import Customer
from kpi import figures
from kpi.calculations import period_of
from kpi.services import default_periods

pytestmark = pytest.mark.django_db

COMPARED = (
    "target_customers",
    "new_targets",
    "intents",
    "intent_rate",
    "deals",
    "close_rate",
    "visits",
    "effective_activity_rate",
    "funnel_lead",
    "funnel_target",
    "sales_revenue",
)


def test_the_seeded_demo_is_consistent_with_itself():
    call_command("seed_demo", stdout=io.StringIO())

    # Creation before activity; pool entries after creation.
    rows: Any = Customer.objects.annotate(
        first_visit=Min("visits__occurred_at"),
        first_stage=Min("stage_changes__at"),
        first_owner=Min("ownerships__start"),
    )
    now = timezone.now()
    for c in rows:
        events = (
            c.first_visit,
            c.first_stage,
            c.first_owner,
            c.pool_since,
            c.stage_changed_at,
            c.last_activity_at,
        )
        for event in events:
            assert event is None or c.created_at <= event <= now, (c.pk, c.created_at, event)

    # One set of figures: what is stored is what the engine says of the final data.
    for team in OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM):
        for key in default_periods():
            stored = figures.stored_metrics(scope_kind="team", scope_id=team.pk, period=key)
            live = figures.live_metrics(scope_kind="team", scope_id=team.pk, period=key)
            for metric in COMPARED:
                if metric in live:
                    assert stored[metric].value == live[metric].value, (team.code, key, metric)

    # A submitted team report froze the team targets of its week, which the demo does not
    # change afterwards: the frozen target is the live one (docs/domain, section 4).
    from weekly import selectors as weekly_sel
    from weekly.models import TeamWeeklyReport

    reports = list(TeamWeeklyReport.objects.exclude(status="draft").select_related("team"))
    assert reports
    for tr in reports:
        period = weekly_sel.week_period(tr)
        frozen = weekly_sel.snapshot_targets(tr.figures)
        assert frozen == weekly_sel.team_targets(tr.team_id, period), (tr.team.code, period.key)

    # A recognition quoting a rate quotes the weekly meeting's live figure of the week it
    # describes (the week of the day two days before it was given, docs/domain, section 8).
    for r in Recognition.objects.filter(source="best_effective_rate"):
        percent = re.search(r"(\d+)%", r.behaviour)
        assert percent is not None
        week = period_of(timezone.localdate(r.created_at) - dt.timedelta(days=2), "week")
        meeting = figures.team_week(team_id=r.team_id, period=week, rep_ids=[r.rep_id])
        value = meeting[str(r.rep_id)]["effective_activity_rate"].value
        assert value is not None
        assert f"{float(value):.0%}" == f"{percent.group(1)}%", (r.behaviour, value)
