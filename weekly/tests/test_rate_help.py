"""'Intents reached 1' beside 'Weekly intent rate 0.0%' is right (docs/domain, section 9: the
rate counts only the target customers visited in the week); the page says so, with the
rate's numerator and denominator, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Stage, StageChange
from customers.services import customer_change_stage
from journals.tests.factories import local_dt, make_customer, visit
from kpi.snapshots import compute_and_store
from weekly import selectors as sel

from .factories import MON, WEEK, day, journal

EN = "0 of 1 target customers visited this week reached intent"
ZH = "本周拜访的 1 个目标客户中有 0 个达成意向"


def _week(org):
    """c2 (open target) visited Wednesday, no intent; c4 (open target) reaches intent on
    Tuesday without a visit. By hand: intents 1; weekly intent rate 0 / 1 = 0.0%."""
    rep, team = org.rep, org.team_a
    past = local_dt(MON - dt.timedelta(days=200))
    c2 = make_customer(rep, stage=Stage.TARGET, at=past, name="乙公司")
    c4 = make_customer(rep, stage=Stage.TARGET, at=past, name="丁公司")
    visit(journal(rep, team, day(2)), c2, outcome="info", occurred_at=local_dt(day(2), 10))
    customer_change_stage(
        customer=c4,
        to_stage=Stage.INTENT,
        by=rep,
        at=local_dt(day(1), 11),
        source=StageChange.Source.IMPORT,
    )


@pytest.mark.django_db
def test_weekly_rows_explain_the_weekly_intent_rate(org):
    _week(org)
    figs = sel.team_week_figures(team_id=org.team_a.pk, period=WEEK, rep_ids=[org.rep.pk])
    for lang, text in (("en", EN), ("zh-hans", ZH)):
        with translation.override(lang):
            rows = {r.metric: r for r in sel.figure_rows(figures=figs[str(org.rep.pk)], plan={})}
        assert rows["intents"].actual == "1"
        assert rows["weekly_intent_rate"].actual == "0.0%"
        assert text in rows["weekly_intent_rate"].help
        assert rows["intents"].help == ""


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "text"), [("en", EN), ("zh-hans", ZH)])
def test_kpi_week_page_explains_the_weekly_intent_rate(org, client_for, lang, text):
    _week(org)
    compute_and_store(periods=[WEEK.key])
    url = reverse("kpi:rep_dashboard", args=[org.rep.username]) + f"?period={WEEK.key}"
    html = client_for(org.rep).get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert text in html
