"""The dashboards' comparison cache (docs/architecture.md, "Dashboard cache"): a repeat
view makes fewer queries and shows the same figures, a recompute that changes a figure is
shown on the next view, the cache never opens a scope to another team, in both languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.services import customer_change_stage, customer_create
from kpi import figures
from kpi.snapshots import compute_and_store
from kpi.tests.test_views import at, cohort

TODAY = dt.date(2026, 10, 15)  # October 2026 in progress: compared with Sep 1-15


@pytest.fixture
def october(org, monkeypatch):
    """The cohort of ``test_views`` stored, seen on 15 October (a period in progress)."""
    cohort(org)
    compute_and_store(periods=["2026-10", "2026-09"])
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    # No clear(): on Redis (REDIS_URL) it would empty the broker's database. The keys carry
    # the fresh computed_at of this test's snapshots, so no earlier entry can match.


def _url(org: Any) -> str:
    return reverse("kpi:team_dashboard", args=[org.team_a.code]) + "?period=2026-10"


def _view(client: Any, url: str, lang: str = "zh-hans") -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _deltas(response: Any) -> dict[str, tuple[Any, Any, Any]]:
    return {
        t["metric"]: (str(t["value"].value) if t["value"] else None, t["mom"], t["yoy"])
        for t in response.context["tiles"]
    }


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_repeat_view_is_cheaper_and_identical(org, client_for, october, lang):
    client = client_for(org.supervisor)
    first_n, first = _view(client, _url(org), lang)
    second_n, second = _view(client, _url(org), lang)
    assert first.context["to_date"] == "month"
    assert second_n < first_n  # the engine's loads of Sep 1-15 and Oct 1-15, 2025 are gone
    assert _deltas(second) == _deltas(first)
    assert second.context["charts"] == first.context["charts"]
    assert second.context["compare"] == first.context["compare"]
    # The same figures as computed now without any cache.
    fresh = figures.comparison(
        scope=figures.Scope.team(org.team_a.pk),
        team_ids=[org.team_a.pk],
        period=figures.parse_period("2026-10"),
        today=TODAY,
    )
    intents = {t["metric"]: t for t in second.context["tiles"]}["intents"]
    assert fresh.previous["intents"].value == 0
    assert intents["mom"] == {"text": "+2", "sign": 1, "absolute": True}


def test_a_recompute_that_changes_a_figure_shows_on_the_next_view(org, client_for, october):
    client = client_for(org.supervisor)
    _view(client, _url(org))
    _n, cached = _view(client, _url(org))
    assert {t["metric"]: t for t in cached.context["tiles"]}["intents"]["mom"]["text"] == "+2"
    # Three intents in the first days of September: the like-for-like base changes.
    for i in range(3):
        c = customer_create(
            by=org.rep, name=f"九月{i}", owner=org.rep, stage="target", at=at(2, month=9)
        )
        customer_change_stage(
            customer=c, to_stage="intent", by=org.rep, at=at(5, month=9), source="system"
        )
    compute_and_store(periods=["2026-09"])  # a recompute writes the team's figures
    _n, after = _view(client, _url(org))
    assert {t["metric"]: t for t in after.context["tiles"]}["intents"]["mom"]["text"] == "-1"
    _n, english = _view(client, _url(org), "en")
    assert {t["metric"]: t for t in english.context["tiles"]}["intents"]["mom"]["text"] == "-1"


def test_a_recheck_without_changes_still_refreshes_the_version(org, october):
    before = figures.data_version(scope_kind="team", scope_id=org.team_a.pk)
    assert before
    compute_and_store(periods=["2026-10"])
    assert figures.data_version(scope_kind="team", scope_id=org.team_a.pk) != before


@pytest.mark.parametrize("who", ["outsider", "outsider_supervisor", "rep_b", "supervisor_b"])
def test_a_warm_cache_does_not_open_the_team_to_others(org, client_for, october, who):
    _view(client_for(org.supervisor), _url(org))  # warms the team's entry
    assert client_for(getattr(org, who)).get(_url(org)).status_code == 404


def test_scopes_do_not_share_entries(org, client_for, october):
    client = client_for(org.manager)
    _n, team = _view(client, _url(org))
    _n, branch = _view(client, reverse("kpi:branch_dashboard", args=["north"]) + "?period=2026-10")
    intents = {t["metric"]: t for t in branch.context["tiles"]}["intents"]
    # The branch counts team_b's intent too (test_views.cohort): 3, not the team's 2.
    assert intents["value"].value == 3
    assert {t["metric"]: t for t in team.context["tiles"]}["intents"]["value"].value == 2


def test_an_unreachable_cache_only_costs_the_computation(org, client_for, october, monkeypatch):
    store = caches[figures.FIGURES_CACHE]

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(store, "get", down)
    monkeypatch.setattr(store, "set", down)
    _n, page = _view(client_for(org.supervisor), _url(org))
    assert {t["metric"]: t for t in page.context["tiles"]}["intents"]["mom"]["text"] == "+2"
