"""Dashboards, drill-down, recompute and export: personas get 404 outside their
scope, pages use a fixed number of queries, values None show as "-" and no NaN."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import scope_for
from accounts.tests.factories import MembershipFactory, UserFactory
from customers.services import customer_assign, customer_change_stage, customer_create
from kpi.calculations import parse_period
from kpi.models import KpiRun, KpiSnapshot
from kpi.snapshots import compute_and_store
from kpi.templatetags.kpi_format import format_value
from kpi.views import drill_customer_ids, resolve_scope_key, resolve_team

TZ = timezone.get_default_timezone()


def at(day: int, month: int = 10, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=TZ)


def cohort(org, n_target: int = 4, n_intent: int = 2, n_deal: int = 1):
    """Customers of org.rep in team_a reaching target / intent / deal in October 2026."""
    made = []
    for i in range(n_target):
        c = customer_create(by=org.rep, name=f"客户{i}", owner=org.rep, stage="target", at=at(2))
        if i < n_intent:
            customer_change_stage(
                customer=c, to_stage="intent", by=org.rep, at=at(10), source="system"
            )
        if i < n_deal:
            customer_change_stage(
                customer=c, to_stage="deal", by=org.rep, at=at(20), source="system"
            )
        made.append(c)
    other = customer_create(
        by=org.rep_b, name="别组客户", owner=org.rep_b, stage="target", at=at(3)
    )
    customer_change_stage(
        customer=other, to_stage="intent", by=org.rep_b, at=at(11), source="system"
    )
    return made, other


@pytest.fixture
def computed(org):
    made, other = cohort(org)
    compute_and_store(periods=["2026-10", "2026-09"])
    return made, other


def url_team(org, code=None):
    return reverse("kpi:team_dashboard", args=[code or org.team_a.code]) + "?period=2026-10"


# ---------------------------------------------------------------- formatting


def test_kpi_value_formats_counts_money_rates_and_none():
    assert format_value(None, "intent_rate") == "-"
    assert format_value(float("nan"), "intent_rate") == "-"
    assert format_value(0.24, "intent_rate") == "24.0%"
    assert format_value(Decimal("1234.5"), "total_revenue") == "1,234.50"
    assert format_value(1200, "intents") == "1,200"


# ---------------------------------------------------------------- role-aware entry


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("rep", "/kpi/rep/rep/"),
        ("supervisor", "/kpi/team/north-1/"),
        ("manager", "/kpi/branch/north/"),
    ],
)
def test_dashboard_sends_each_role_to_its_scope(org, client_for, who, target):
    response = client_for(getattr(org, who)).get(reverse("kpi:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(target)


def test_team_filter_redirects_and_keeps_period(org, client_for):
    response = client_for(org.manager).get(
        reverse("kpi:dashboard"), {"team": "north-2", "period": "2026-10"}
    )
    assert response["Location"] == "/kpi/team/north-2/?period=2026-10"


# ---------------------------------------------------------------- content


def test_team_dashboard_shows_funnel_counts_rates_and_drill_links(org, client_for, computed):
    response = client_for(org.supervisor).get(url_team(org))
    assert response.status_code == 200
    html = response.content.decode()
    tiles = {t["metric"]: t for t in response.context["tiles"]}
    assert tiles["intents"]["value"].value == 2
    assert tiles["intent_rate"]["value"].value == pytest.approx(0.5)
    assert tiles["deals"]["value"].value == 1
    assert "50.0%" in html
    assert "/kpi/drilldown/?scope=team%3Anorth-1&amp;period=2026-10&amp;metric=intents" in html
    ranking = response.context["ranking"]
    assert [r["label"] for r in ranking][0] == str(org.rep)
    found = re.search(r'id="kpi-charts"[^>]*>(.*?)</script>', html, re.S)
    assert found is not None
    charts = json.loads(found.group(1))
    assert len(charts["trend"]["labels"]) == 12
    assert "NaN" not in html
    assert "Infinity" not in html


def test_team_without_data_or_targets_is_200_with_dashes_and_no_nan(org, client_for):
    response = client_for(org.supervisor_b).get(url_team(org, "north-2"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="no-data"' in html
    assert 'data-testid="no-targets"' in html
    found = re.search(r'id="kpi-charts"[^>]*>(.*?)</script>', html, re.S)
    assert found is not None
    chart_json = found.group(1)
    assert "NaN" not in chart_json
    assert json.loads(chart_json)["trend"]["series"][3]["data"] == [None] * 12


def test_week_period_is_accepted_and_shows_dates(org, client_for, computed):
    response = client_for(org.supervisor).get(
        reverse("kpi:team_dashboard", args=["north-1"]), {"kind": "week", "week": "2026-W43"}
    )
    assert response.status_code == 200
    assert "2026-W43 (10-19 – 10-25)" in response.content.decode()


def test_bad_period_falls_back_to_this_month(org, client_for):
    response = client_for(org.supervisor).get(
        reverse("kpi:team_dashboard", args=["north-1"]), {"period": "2026-13"}
    )
    assert response.status_code == 200


def test_month_on_month_delta_is_shown(org, client_for, computed):
    response = client_for(org.supervisor).get(url_team(org))
    tiles = {t["metric"]: t for t in response.context["tiles"]}
    now = tiles["intents"]["value"].value
    assert now == 2
    # September had nothing: a base of 0 (under the threshold of 10) shows the absolute
    # change, never a percentage.
    assert tiles["intents"]["mom"] == {"text": "+2", "sign": 1, "absolute": True}
    KpiSnapshot.objects.filter(
        scope_kind="team",
        scope_id=org.team_a.pk,
        metric="intents",
        period_start=dt.date(2026, 9, 1),
    ).update(value=4)
    response = client_for(org.supervisor).get(url_team(org))
    tiles = {t["metric"]: t for t in response.context["tiles"]}
    assert tiles["intents"]["mom"]["text"] == "-2"
    KpiSnapshot.objects.filter(
        scope_kind="team",
        scope_id=org.team_a.pk,
        metric="intents",
        period_start=dt.date(2026, 9, 1),
    ).update(value=40)
    response = client_for(org.supervisor).get(url_team(org))
    tiles = {t["metric"]: t for t in response.context["tiles"]}
    assert tiles["intents"]["mom"]["text"] == "-95.0%"


def test_branch_ranks_teams_with_colour_bands(org, client_for, computed):
    response = client_for(org.manager).get(
        reverse("kpi:branch_dashboard", args=["north"]) + "?period=2026-10&rank=intents"
    )
    assert response.status_code == 200
    labels = [r["label"] for r in response.context["ranking"]]
    assert labels == [org.team_a.name, org.team_b.name]


def test_segment_filter_limits_branch_teams(org, client_for, computed):
    OrgUnit.objects.filter(pk=org.team_a.pk).update(segment="group")
    response = client_for(org.manager).get(
        reverse("kpi:branch_dashboard", args=["north"]), {"period": "2026-10", "segment": "group"}
    )
    assert [r["label"] for r in response.context["ranking"]] == [org.team_a.name]


# ---------------------------------------------------------------- scope: 404


SCOPED_URLS = [
    ("team", lambda org: reverse("kpi:team_dashboard", args=[org.team_a.code])),
    ("rep", lambda org: reverse("kpi:rep_dashboard", args=[org.rep.username])),
    ("branch", lambda org: reverse("kpi:branch_dashboard", args=[org.north.code])),
    ("drill", lambda org: reverse("kpi:drilldown") + "?scope=team:north-1&metric=intents"),
    ("export", lambda org: reverse("kpi:dashboard_export") + "?scope=team:north-1"),
]


@pytest.mark.parametrize(("name", "make_url"), SCOPED_URLS)
@pytest.mark.parametrize("who", ["outsider", "outsider_supervisor", "rep_b", "supervisor_b"])
def test_other_teams_scopes_are_404(org, client_for, name, make_url, who):
    if name == "rep" and who == "supervisor_b":
        pass  # supervisor_b leads team_b only: rep of team_a is hidden too
    response = client_for(getattr(org, who)).get(make_url(org))
    assert response.status_code == 404


def test_manager_of_other_branch_gets_404(org, client_for):
    south_manager = UserFactory(username="south_manager")
    MembershipFactory(user=south_manager, unit=org.south, role=Membership.Role.MANAGER)
    client = client_for(south_manager)
    for make_url in (u for _n, u in SCOPED_URLS):
        assert client.get(make_url(org)).status_code == 404
    assert client.get(reverse("kpi:dashboard")).status_code == 302


def test_rep_sees_own_dashboard_but_not_the_team(org, client_for, computed):
    client = client_for(org.rep)
    assert client.get(reverse("kpi:rep_dashboard", args=["rep"])).status_code == 200
    assert client.get(reverse("kpi:rep_dashboard", args=["teammate"])).status_code == 404
    assert client.get(url_team(org)).status_code == 404


def test_supervisor_cannot_see_whole_branch(org, client_for):
    assert client_for(org.supervisor).get("/kpi/branch/north/").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("kpi:dashboard"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# ---------------------------------------------------------------- query counts


def _team_with_reps(n: int, code: str):
    branch = OrgUnit.objects.get(code="north")
    team = OrgUnit.objects.create(name=f"T{code}", code=code, kind="team", parent=branch)
    reps = []
    for i in range(n):
        user = cast(User, UserFactory(username=f"{code}-r{i}"))
        MembershipFactory(user=user, unit=team, role=Membership.Role.REP)
        reps.append(user)
    stamp = timezone.now()
    rows = [
        KpiSnapshot(
            scope_kind="rep",
            scope_id=u.pk,
            period_kind="month",
            period_start=dt.date(2026, 10, 1),
            metric=m,
            value=Decimal(i),
            computed_at=stamp,
        )
        for i, u in enumerate(reps)
        for m in ("intents", "deals", "intent_rate")
    ]
    rows.append(
        KpiSnapshot(
            scope_kind="team",
            scope_id=team.pk,
            period_kind="month",
            period_start=dt.date(2026, 10, 1),
            metric="intents",
            value=Decimal(3),
            computed_at=stamp,
        )
    )
    KpiSnapshot.objects.bulk_create(rows)
    return team


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_team_dashboard_query_count_does_not_grow_with_team_size(
    org, client_for, django_assert_num_queries
):
    _team_with_reps(3, "small")
    _team_with_reps(15, "big")
    client = client_for(org.manager)
    client.get("/kpi/team/small/?period=2026-10")  # warm session
    n_small, r_small = _count(client, "/kpi/team/small/?period=2026-10")
    n_big, r_big = _count(client, "/kpi/team/big/?period=2026-10")
    assert len(r_small.context["ranking"]) == 3
    assert len(r_big.context["ranking"]) == 15
    assert r_big.context["ranking"][0]["band"] == "top"
    assert r_big.context["ranking"][-1]["band"] == "bottom"
    assert n_small == n_big
    assert n_big <= 19  # session, scope, 3 snapshot reads, one read of the 7 trend series, ...
    with django_assert_num_queries(n_big):
        client.get("/kpi/team/big/?period=2026-10")


def test_branch_and_rep_dashboards_have_fixed_query_counts(org, client_for):
    _team_with_reps(3, "small")
    client = client_for(org.manager)
    client.get("/kpi/branch/north/?period=2026-10")
    n1, _r = _count(client, "/kpi/branch/north/?period=2026-10")
    _team_with_reps(15, "big")
    n2, r = _count(client, "/kpi/branch/north/?period=2026-10")
    assert n1 == n2
    assert len(r.context["ranking"]) == 4


# ---------------------------------------------------------------- drill-down


def test_drilldown_lists_the_customers_behind_the_count(org, client_for, computed):
    made, other = computed
    client = client_for(org.supervisor)
    response = client.get(
        reverse("kpi:drilldown"),
        {"scope": "team:north-1", "period": "2026-10", "metric": "intents"},
    )
    assert response.status_code == 200
    names = [c.name for c in response.context["page"].object_list]
    assert sorted(names) == sorted(c.name for c in made[:2])
    assert other.name not in names
    assert reverse("customers:customer_detail", args=[made[0].pk]) in response.content.decode()


@pytest.mark.parametrize(
    "metric",
    [
        "target_customers",
        "new_targets",
        "intents",
        "intent_pool",
        "deals",
        "funnel_lead",
        "funnel_target",
        "funnel_intent",
        "funnel_deal",
        "open_targets_at_start",
    ],
)
def test_drilldown_count_matches_snapshot(org, computed, metric):
    ds = resolve_team(scope_for(org.admin), "north-1")
    ids = drill_customer_ids(ds, parse_period("2026-10"), metric)
    snap = KpiSnapshot.objects.get(
        scope_kind="team", scope_id=org.team_a.pk, period_start=dt.date(2026, 10, 1), metric=metric
    )
    assert len(ids) == int(snap.value or 0)


@pytest.fixture
def history(org):
    """Open pools at the start of October, a lost customer and a reassignment."""
    old = [
        customer_create(by=org.rep, name=f"九月{i}", owner=org.rep, stage="target", at=at(5, 9))
        for i in range(3)
    ]
    customer_change_stage(
        customer=old[0], to_stage="intent", by=org.rep, at=at(20, 9), source="system"
    )
    customer_change_stage(
        customer=old[1], to_stage="lost", by=org.rep, at=at(25, 9), source="system"
    )
    customer_assign(customer=old[2], owner=org.rep_b, by=org.manager, at=at(10, 9))
    customer_change_stage(customer=old[0], to_stage="deal", by=org.rep, at=at(15), source="system")
    customer_change_stage(
        customer=old[2], to_stage="intent", by=org.rep_b, at=at(16), source="system"
    )
    cohort(org)
    compute_and_store(periods=["2026-10"])


@pytest.mark.parametrize(
    "metric",
    [
        "target_customers",
        "open_targets_at_start",
        "new_targets",
        "intents",
        "intent_pool",
        "deals",
        "funnel_lead",
        "funnel_target",
        "funnel_intent",
        "funnel_deal",
        "funnel_lost",
    ],
)
@pytest.mark.parametrize(
    ("kind", "key"),
    [
        ("team", "north-1"),
        ("team", "north-2"),
        ("rep", "rep"),
        ("rep", "rep_b"),
        ("branch", "north"),
    ],
)
def test_drilldown_matches_snapshots_with_history(org, history, metric, kind, key):
    ds = resolve_scope_key(scope_for(org.admin), f"{kind}:{key}")
    ids = drill_customer_ids(ds, parse_period("2026-10"), metric)
    snap = KpiSnapshot.objects.get(
        scope_kind=kind, scope_id=ds.id, period_start=dt.date(2026, 10, 1), metric=metric
    )
    assert len(ids) == int(snap.value or 0)


def test_drilldown_for_rep_scope_and_unknown_metric(org, client_for, computed):
    client = client_for(org.rep)
    response = client.get(
        reverse("kpi:drilldown"), {"scope": "rep:rep", "period": "2026-10", "metric": "deals"}
    )
    assert response.context["count"] == 1
    # A figure without a customer list is no page: unknown, missing or not drillable.
    for metric in ("nonsense", "", "intent_rate", "total_revenue"):
        for lang in ("en", "zh-hans"):
            response = client.get(
                reverse("kpi:drilldown"),
                {"scope": "rep:rep", "metric": metric},
                HTTP_ACCEPT_LANGUAGE=lang,
            )
            assert response.status_code == 404, (metric, lang)


# ---------------------------------------------------------------- recompute


def test_supervisor_recompute_starts_a_manual_run(
    org, client_for, django_capture_on_commit_callbacks
):
    cohort(org)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org.supervisor).post(
            reverse("kpi:recompute"), {"scope": "team:north-1", "period": "2026-10"}
        )
    assert response.status_code == 302
    run = KpiRun.objects.get()
    assert run.trigger == "manual"
    assert run.scope == "team:north-1"
    assert run.periods == ["2026-09", "2026-10"]
    assert KpiSnapshot.objects.filter(scope_kind="team", scope_id=org.team_a.pk).exists()


def test_recompute_by_htmx_returns_the_run_panel(org, client_for):
    response = client_for(org.manager).post(
        reverse("kpi:recompute"),
        {"scope": "branch:north", "period": "2026-10"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'data-testid="run-panel"' in response.content.decode()
    run = KpiRun.objects.get()
    assert client_for(org.manager).get(reverse("kpi:run_status", args=[run.pk])).status_code == 200


def test_rep_cannot_recompute_and_outsider_gets_404(org, client_for):
    assert (
        client_for(org.rep).post(reverse("kpi:recompute"), {"scope": "rep:rep"}).status_code == 403
    )
    assert (
        client_for(org.outsider_supervisor)
        .post(reverse("kpi:recompute"), {"scope": "team:north-1"})
        .status_code
        == 404
    )
    assert not KpiRun.objects.exists()


def test_recompute_button_only_for_leads(org, client_for):
    html = client_for(org.rep).get("/kpi/rep/rep/").content.decode()
    assert 'data-testid="recompute"' not in html
    html = client_for(org.supervisor).get("/kpi/team/north-1/").content.decode()
    assert 'data-testid="recompute"' in html


def test_run_status_is_404_for_reps(org, client_for):
    run = KpiRun.objects.create(trigger="manual", scope="team:north-1")
    assert client_for(org.rep).get(reverse("kpi:run_status", args=[run.pk])).status_code == 404
    assert (
        client_for(org.outsider_supervisor)
        .get(reverse("kpi:run_status", args=[run.pk]))
        .status_code
        == 404
    )


def test_run_status_follows_the_dashboards_scope_rule(org, client_for):
    """A scoped run is visible to whoever may open that scope's dashboard, to its requester
    and to admins; another team's lead (same branch or not) gets 404. An organisation-wide
    run is every lead's."""
    team_run = KpiRun.objects.create(trigger="manual", scope="team:north-1")
    rep_run = KpiRun.objects.create(trigger="manual", scope="rep:rep")
    branch_run = KpiRun.objects.create(trigger="manual", scope="branch:north")
    own_run = KpiRun.objects.create(
        trigger="manual", scope="team:north-1", requested_by=org.supervisor_b
    )
    org_run = KpiRun.objects.create(trigger="nightly", scope="")

    def answer(user, run_pk):
        return client_for(user).get(reverse("kpi:run_status", args=[run_pk])).status_code

    for run in (team_run, rep_run, branch_run):
        assert answer(org.manager, run.pk) == 200
        assert answer(org.admin, run.pk) == 200
        assert answer(org.outsider_supervisor, run.pk) == 404
    assert answer(org.supervisor, team_run.pk) == 200
    assert answer(org.supervisor, rep_run.pk) == 200
    assert answer(org.supervisor, branch_run.pk) == 404  # leads one team of the branch only
    assert answer(org.supervisor_b, team_run.pk) == 404  # another team of the same branch
    assert answer(org.supervisor_b, rep_run.pk) == 404
    assert answer(org.supervisor_b, own_run.pk) == 200  # the run they started
    assert answer(org.outsider_supervisor, org_run.pk) == 200
    assert answer(org.outsider, org_run.pk) == 404  # reps follow no run
    assert answer(org.supervisor, 2**40) == 404  # beyond any id: 404, not 500


# ---------------------------------------------------------------- export


def test_dashboard_export_has_every_table(org, client_for, computed):
    response = client_for(org.supervisor).get(
        reverse("kpi:dashboard_export"),
        {"scope": "team:north-1", "period": "2026-10"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert len(wb.sheetnames) == 6
    kpis = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert kpis["Intents reached"] == 2
    funnel = list(wb.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert funnel[0][0] == "Leads"
    sheet = wb.worksheets[0]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    rate = cells["Intent rate"][1]
    assert isinstance(rate.value, float) or rate.value == "-"
    if isinstance(rate.value, float):
        assert rate.number_format == "0.0%"
    texts = [c.value for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert not any(t.startswith("'") for t in texts)  # no visible apostrophes
    signed = [
        c for row in sheet.iter_rows(min_row=2) for c in row[2:] if c.value not in (None, "-")
    ]
    assert all(c.data_type == "s" for c in signed)  # "+18.5%" stays text, never a formula


def test_dashboard_export_writes_typed_formulas_as_text_and_numbers_as_numbers():
    from openpyxl import Workbook

    from kpi.views.exports import _sheet

    wb = Workbook()
    _sheet(wb, "T", ["=SUM(A1)", "Value"], [['=HYPERLINK("x")', 0.25]], [["", "rate"]])
    ws = wb["T"]
    assert (ws["A1"].value, ws["A1"].data_type) == ("=SUM(A1)", "s")
    assert (ws["A2"].value, ws["A2"].data_type) == ('=HYPERLINK("x")', "s")
    assert ws["A2"].quotePrefix
    assert (ws["B2"].value, ws["B2"].data_type, ws["B2"].number_format) == (0.25, "n", "0.0%")
    saved = io.BytesIO()
    wb.save(saved)
    again = load_workbook(io.BytesIO(saved.getvalue()))["T"]
    assert (again["A2"].value, again["A2"].data_type) == ('=HYPERLINK("x")', "s")


@pytest.mark.parametrize(
    "url",
    [
        "/kpi/drilldown/?scope=garbage&metric=intents",
        "/kpi/drilldown/?scope=team:nope&metric=intents",
        "/kpi/export/?scope=",
        "/kpi/team/nope/",
        "/kpi/rep/nobody/",
        "/kpi/branch/north-1/",
    ],
)
def test_bad_scopes_are_404_not_500(org, client_for, url):
    assert client_for(org.admin).get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["period=2026-W60", "period=0001-01", "kind=week&week=junk", "rank=nonsense", "segment=zzz"],
)
def test_bad_filter_values_still_render(org, client_for, query):
    assert client_for(org.admin).get(f"/kpi/team/north-1/?{query}").status_code == 200


def test_drilldown_page_parameter_junk_is_fine(org, client_for, computed):
    response = client_for(org.manager).get(
        "/kpi/drilldown/?scope=branch:north&period=2026-10&metric=funnel_lead&page=abc"
    )
    assert response.status_code == 200
    assert response.context["count"] == 5


def test_admin_without_branch_choice_goes_to_first_branch(org, client_for):
    response = client_for(org.admin).get(reverse("kpi:dashboard"))
    assert response["Location"].startswith("/kpi/branch/")


def test_user_without_membership_gets_an_empty_state(org, client_for):
    loner = UserFactory(username="loner")
    response = client_for(loner).get(reverse("kpi:dashboard"))
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()


def test_run_panel_polls_while_running_and_keeps_the_button(org, client_for):
    run = KpiRun.objects.create(trigger="manual", scope="team:north-1", status="running")
    client = client_for(org.supervisor)
    html = client.get("/kpi/team/north-1/?period=2026-10").content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert f"/kpi/runs/{run.pk}/?scope=team%3Anorth-1" in html
    KpiRun.objects.filter(pk=run.pk).update(status="done")
    panel = client.get(f"/kpi/runs/{run.pk}/?scope=team:north-1&period=2026-10").content.decode()
    assert "every 2s" not in panel
    assert 'data-testid="recompute"' in panel


def test_ranking_bands_are_symmetric_thirds():
    from kpi.views import ranking

    rows = [{"id": i, "label": f"r{i}"} for i in range(5)]
    table = {i: {"deals": i} for i in range(4)}  # r4 has no value: ranked last, no band
    out = ranking(rows, table, "deals", ("deals",))
    assert [r["label"] for r in out] == ["r3", "r2", "r1", "r0", "r4"]
    assert [r["band"] for r in out] == ["top", "middle", "middle", "bottom", ""]
    assert out[-1]["rank"] is None


def test_company_manager_lands_on_a_branch_and_sees_both(org, client_for):
    boss = UserFactory(username="boss")
    MembershipFactory(user=boss, unit=org.company, role=Membership.Role.MANAGER)
    client = client_for(boss)
    assert client.get(reverse("kpi:dashboard"))["Location"].startswith("/kpi/branch/")
    assert client.get("/kpi/branch/south/").status_code == 200
    response = client.get("/kpi/branch/north/")
    assert len(response.context["filters"]["branches"]) == 2


def test_history_fixture_is_not_trivial(org, history):
    ds_b = resolve_scope_key(scope_for(org.admin), "team:north-2")
    ds_a = resolve_scope_key(scope_for(org.admin), "team:north-1")
    october = parse_period("2026-10")
    assert len(drill_customer_ids(ds_b, october, "open_targets_at_start")) == 1  # reassigned
    assert len(drill_customer_ids(ds_b, october, "target_customers")) == 2
    assert len(drill_customer_ids(ds_a, october, "intent_pool")) == 3
    assert len(drill_customer_ids(ds_a, october, "funnel_lost")) == 1


def test_branch_breadcrumb_only_for_those_who_may_open_the_branch(org, client_for, computed):
    branch_url = reverse("kpi:branch_dashboard", args=["north"])
    page = client_for(org.supervisor).get(reverse("kpi:team_dashboard", args=["north-1"]))
    assert branch_url not in page.content.decode()
    page = client_for(org.manager).get(reverse("kpi:team_dashboard", args=["north-1"]))
    assert branch_url in page.content.decode()


@pytest.mark.parametrize("bad", ["2026-13", "1900-01", "abc", "2026-W60"])
def test_an_invalid_period_shows_the_current_month_and_says_so(org, client_for, bad):
    """The one period parser (kpi.views.scopes.period_from_request): a bad ?period= shows
    the current month with a warning, on the dashboard and the drill-down alike."""
    from accounts.scoping import local_today

    client = client_for(org.rep)
    url = reverse("kpi:rep_dashboard", args=[org.rep.username])
    page = client.get(url, {"period": bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["filters"]["period"].key == f"{local_today():%Y-%m}"
    warning = "The period in the address is not valid; showing the current month."
    assert warning in page.content.decode()
    zh = client.get(url, {"period": bad}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "网址中的期间无效，显示本月数据。" in zh
    drill = client.get(
        reverse("kpi:drilldown"),
        {"scope": f"rep:{org.rep.username}", "period": bad, "metric": "deals"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert drill.status_code == 200
    assert warning in drill.content.decode()
    fine = client.get(url, {"period": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en")
    assert warning not in fine.content.decode()
    assert warning not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
