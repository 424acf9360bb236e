"""Drill-downs of the visit counts (docs/domain, section 9, "Visits and follow-ups" and
"Drill-down"): ``visits`` lists the in-person visit records, ``follow_ups`` the contact
records of every channel, from the engine's own masks, so each list has as many rows as
the headline; the dashboard links them; another team's supervisor gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.scoping import scope_for
from customers.models import Stage
from journals import services
from journals.tests.factories import local_dt, make_customer
from kpi.calculations import Scope, parse_period
from kpi.figures import compute
from kpi.views.drill import drill_customer_ids, drill_visit_ids
from kpi.views.scopes import resolve_scope_key, resolve_team

DAY = dt.date(2026, 3, 4)
URL = reverse("kpi:drilldown")


@pytest.fixture
def contacts(org):
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    customer = make_customer(org.rep, stage=Stage.TARGET)
    other = make_customer(org.rep, stage=Stage.TARGET)
    made = []
    for hour, channel, purpose, who in (
        (9, "visit", "first", customer),
        (10, "visit", "service", other),
        (11, "phone", "service", customer),
        (15, "wechat", "collection", other),
    ):
        made.append(
            services.visit_record(
                journal=journal,
                by=org.rep,
                customer=who,
                purpose=purpose,
                occurred_at=local_dt(DAY, hour),
                channel=channel,
                # The first visit is effective (a dated next step), the others are not.
                next_step="报价" if hour == 9 else "",
                next_step_date=DAY if hour == 9 else None,
            )
        )
    return made


@pytest.mark.parametrize(("metric", "expected"), [("visits", 2), ("follow_ups", 4)])
def test_the_visit_lists_equal_their_headlines(org, contacts, metric, expected):
    period = parse_period("2026-03")
    headline = compute([period], [Scope.team(org.team_a.pk)])[(period, Scope.team(org.team_a.pk))]
    ids = drill_visit_ids(resolve_team(scope_for(org.admin), "north-1"), period, metric)
    assert len(ids) == headline[metric].value == expected
    in_person = {v.pk for v in contacts if v.channel == "visit"}
    assert set(ids) == (in_person if metric == "visits" else {v.pk for v in contacts})


@pytest.mark.parametrize(
    ("metric", "lang", "heading", "not_heading"),
    [
        ("visits", "en", "2 in-person visits", "contact record"),
        ("visits", "zh-hans", "2 次当面拜访", "跟进"),
        ("follow_ups", "en", "4 contact records, all channels", "in-person"),
        ("follow_ups", "zh-hans", "4 条跟进记录（全部方式）", "当面拜访"),
    ],
)
def test_the_visit_list_heading_says_what_its_metric_counts(
    org, client_for, contacts, metric, lang, heading, not_heading
):
    """visits lists in-person visits only, follow_ups every channel: the count's words say
    which (docs/domain, section 9, "Visits and follow-ups")."""
    params = {"scope": "team:north-1", "period": "2026-03", "metric": metric}
    page = client_for(org.supervisor).get(URL, params, HTTP_ACCEPT_LANGUAGE=lang)
    html = page.content.decode()
    start = html.index('data-testid="drill-count"')
    count_text = html[start : html.index("</span>", start)]
    assert heading in count_text
    assert not_heading not in count_text


def test_the_visit_drilldown_page_in_both_languages_and_scoped(org, client_for, contacts):
    params = {"scope": "team:north-1", "period": "2026-03", "metric": "follow_ups"}
    for lang, count in (("en", "4 contact records"), ("zh-hans", "4 条跟进记录（全部方式）")):
        page = client_for(org.supervisor).get(URL, params, HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200
        html = page.content.decode()
        assert count in html
        assert html.count("/customers/") >= 4
    assert client_for(org.supervisor_b).get(URL, params).status_code == 404
    dash = client_for(org.supervisor).get(
        reverse("kpi:team_dashboard", args=["north-1"]), {"period": "2026-03"}
    )
    assert "metric=visits" in dash.content.decode()


@pytest.mark.parametrize(
    ("metric", "expected"), [("customers_visited", 2), ("effective_customers", 1)]
)
def test_the_customers_behind_the_effective_activity_rate_equal_its_parts(
    org, contacts, metric, expected
):
    period = parse_period("2026-03")
    scope = Scope.team(org.team_a.pk)
    headline = compute([period], [scope])[(period, scope)]
    ids = drill_customer_ids(resolve_team(scope_for(org.admin), "north-1"), period, metric)
    assert len(ids) == headline[metric].value == expected
    assert headline["effective_activity_rate"].value == pytest.approx(0.5)
    if metric == "effective_customers":
        assert ids == [contacts[0].customer_id]


def test_the_dashboard_links_the_effective_activity_rate_to_its_customers(
    org, client_for, contacts
):
    dash = client_for(org.supervisor).get(
        reverse("kpi:team_dashboard", args=["north-1"]), {"period": "2026-03"}
    )
    html = dash.content.decode()
    assert "metric=effective_customers" in html
    assert "metric=follow_ups" in html or "metric=visits" in html


def test_the_visit_list_reads_a_fixed_number_of_queries(org, client_for, contacts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(org.supervisor)
    params = {"scope": "team:north-1", "period": "2026-03", "metric": "follow_ups"}
    client.get(URL, params)  # warm the session and caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, params).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    assert few == 20  # session, scope, the engine input of the team, the page, names
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    for hour in (12, 13, 14, 16):
        services.visit_record(
            journal=journal,
            by=org.rep,
            customer=make_customer(org.rep, stage=Stage.TARGET),
            purpose="first",
            occurred_at=local_dt(DAY, hour),
            channel="visit",
        )
    assert queries() == few


@pytest.mark.parametrize("period", ["2026-03", "2026-W10"])
def test_the_reps_own_card_shows_follow_ups_and_customers_touched_equal_to_their_lists(
    org, client_for, contacts, period
):
    """The rep's KPI card (month or week) shows visits, follow-ups of every channel and
    customers touched, read through kpi.figures, each linked to a list of as many rows
    (docs/domain, section 9, "Visits and follow-ups" and "Drill-down")."""
    from kpi.snapshots import compute_and_store

    compute_and_store(periods=[period])
    client = client_for(org.rep)
    page = client.get(reverse("kpi:rep_dashboard", args=[org.rep.username]), {"period": period})
    tiles = {t["metric"]: t for t in page.context["tiles"]}
    for metric, expected in (("visits", 2), ("follow_ups", 4), ("customers_touched", 2)):
        tile = tiles[metric]
        assert tile["value"].value == expected
        assert f"metric={metric}" in tile["drill"]
        assert tile["drill"] in page.content.decode().replace("&amp;", "&")
        listed = client.get(tile["drill"])
        assert listed.status_code == 200
        assert listed.context["count"] == expected
        assert len(listed.context["page"].object_list) == expected
    ids = drill_customer_ids(
        resolve_scope_key(scope_for(org.rep), f"rep:{org.rep.username}"),
        parse_period(period),
        "customers_touched",
    )
    assert sorted(ids) == sorted({v.customer_id for v in contacts})


def test_a_team_dashboard_keeps_its_tiles_without_the_reps_activity_counts(
    org, client_for, contacts
):
    page = client_for(org.supervisor).get(
        reverse("kpi:team_dashboard", args=["north-1"]), {"period": "2026-03"}
    )
    assert "customers_touched" not in {t["metric"] for t in page.context["tiles"]}
