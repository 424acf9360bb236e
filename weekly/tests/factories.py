"""Helpers for weekly tests: a small fixed week of data with hand-computed figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from customers.models import Contract, Stage, StageChange
from customers.services import customer_change_stage
from journals.models import Journal
from journals.tests.factories import local_dt, make_customer, submitted, visit
from kpi.calculations import Period, iso_week_period
from weekly.models import WeeklyReport

#: The fixed week of the hand-computed data set: Monday 2026-11-02 .. Sunday 2026-11-08.
WEEK: Period = iso_week_period(2026, 45)
MON = WEEK.start


def day(n: int) -> dt.date:
    """The n-th day of WEEK (0 = Monday)."""
    return MON + dt.timedelta(days=n)


def journal(rep: Any, team: Any, d: dt.date, *, submit: bool = True) -> Journal:
    j = Journal.objects.create(rep=rep, team=team, day=d)
    return submitted(j) if submit else j


def fixed_week(org: Any) -> dict[str, Any]:
    """org.rep's week (docs/domain section 9, computed by hand):

    - c1 (open target): visited Mon, effective; reaches intent Tue; visited again Fri
      (stage before: intent), not effective.
    - c2 (open target): visited Wed, not effective.
    - c3 (lead): visited Thu, effective.
    - c1 signs a contract on Tue worth 1000.00 a month.

    visits 4; customers visited 3; target-customer visits 2 (c1 Mon, c2 Wed);
    effective customers 2 (c1, c3); effective activity rate 2/3; intents 1;
    weekly intent rate = of {c1, c2} visited as open targets, c1 reached intent = 1/2;
    sales revenue 1000.00. The teammate has no visit: rates "-".
    """
    rep, team = org.rep, org.team_a
    past = local_dt(MON - dt.timedelta(days=200))
    c1 = make_customer(rep, stage=Stage.TARGET, at=past, name="甲公司")
    c2 = make_customer(rep, stage=Stage.TARGET, at=past, name="乙公司")
    c3 = make_customer(rep, stage=Stage.LEAD, at=past, name="丙公司")
    j_mon = journal(rep, team, day(0))
    visit(j_mon, c1, outcome="stage_advanced", occurred_at=local_dt(day(0), 10))
    customer_change_stage(
        customer=c1,
        to_stage=Stage.INTENT,
        by=rep,
        at=local_dt(day(1), 11),
        source=StageChange.Source.IMPORT,
    )
    c1.refresh_from_db()
    visit(journal(rep, team, day(2)), c2, outcome="info", occurred_at=local_dt(day(2), 10))
    visit(
        journal(rep, team, day(3)), c3, outcome="stage_advanced", occurred_at=local_dt(day(3), 10)
    )
    visit(journal(rep, team, day(4)), c1, outcome="info", occurred_at=local_dt(day(4), 15))
    Contract.objects.create(
        customer=c1,
        signed_on=day(1),
        products="宽带",
        monthly_value=Decimal("1000.00"),
        rep=rep,
        team=team,
    )
    return {"c1": c1, "c2": c2, "c3": c3}


def report(rep: Any, team: Any, period: Period = WEEK, **fields: Any) -> WeeklyReport:
    return WeeklyReport.objects.create(rep=rep, team=team, week=period.start, **fields)
