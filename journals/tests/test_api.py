"""The journals API: a visit filed through it (with a token, as a phone app would) lands
in the rep's journal page and in the KPIs; journals, plan items and comments follow the
same checks as the pages; other teams get 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from customers.models import Stage
from journals.models import Journal, Visit
from journals.tests.factories import local_dt, make_customer

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def token_api(user) -> APIClient:
    _row, text = api_token_create(user=user, name="phone", expires_in_days=30)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    return client


def test_a_visit_filed_through_the_api_shows_on_the_journal_and_in_the_kpis(
    org, client, settings, django_capture_on_commit_callbacks
):
    settings.KPI_TOUCH_WHEN_EAGER = True  # recompute on change, as a worker would
    customer = make_customer(org.rep, stage=Stage.TARGET, name="腾飞科技有限公司")
    today = timezone.localdate()
    phone = token_api(org.rep)
    with django_capture_on_commit_callbacks(execute=True):
        filed = phone.post(
            "/api/v1/visits/",
            {
                "customer": customer.pk,
                "purpose": "explanation",
                "occurred_at": local_dt(today, 0, 5).isoformat(),
                "learned": "两个办公室，60 人",
                "next_step": "发报价",
                "next_step_date": (today + dt.timedelta(days=2)).isoformat(),
                "outcome": "next_step",
                "latitude": "22.543096",
                "longitude": "114.057865",
                "accuracy_m": 20,
            },
            format="json",
        )
        assert filed.status_code == 201, filed.content
        visit = Visit.objects.get(pk=filed.json()["id"])
        assert visit.is_effective
        assert visit.checked_in_at is not None
        journal = Journal.objects.get(rep=org.rep, day=today)
        assert visit.journal == journal
        submitted = phone.post(f"/api/v1/journals/{journal.pk}/submit/")
        assert submitted.status_code == 200, submitted.content
    # The rep's journal page shows it.
    client.force_login(org.rep)
    page = client.get(reverse("journals:journal_detail", args=[journal.pk])).content.decode()
    assert "两个办公室，60 人" in page
    # And the KPIs count it, through the dashboards' read seam.
    month = today.strftime("%Y-%m")
    figures = phone.get("/api/v1/kpi/figures/", {"scope": "rep:rep", "period": month})
    assert figures.status_code == 200, figures.content
    values = {f["metric"]: f["value"] for f in figures.json()["figures"]}
    assert values["visits"] == 1
    assert values["customers_visited"] == 1
    assert values["target_customer_visits"] == 1
    team = api(org.supervisor).get(
        "/api/v1/kpi/figures/", {"scope": "team:north-1", "period": month}
    )
    assert {f["metric"]: f["value"] for f in team.json()["figures"]}["visits"] == 1


def test_kpi_figures_follow_the_dashboards_scope_rules(org):
    rep = api(org.rep)
    assert (
        rep.get("/api/v1/kpi/figures/", {"scope": "team:north-1", "period": "2026-10"}).status_code
        == 404
    )
    assert (
        rep.get("/api/v1/kpi/figures/", {"scope": "rep:teammate", "period": "2026-10"}).status_code
        == 404
    )
    outsider = api(org.outsider_supervisor)
    assert (
        outsider.get(
            "/api/v1/kpi/figures/", {"scope": "team:north-1", "period": "2026-10"}
        ).status_code
        == 404
    )
    manager = api(org.manager)
    ok = manager.get("/api/v1/kpi/figures/", {"scope": "branch:north", "period": "2026-W43"})
    assert ok.status_code == 200
    assert ok.json()["figures"] == []
    bad = manager.get(
        "/api/v1/kpi/figures/",
        {"scope": "branch:north", "period": "2026-13"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400
    assert "period" in bad.json()


def test_visits_cannot_be_filed_for_another_reps_customer_or_in_another_journal(org):
    theirs = make_customer(org.teammate)
    today = timezone.localdate()
    rep = api(org.rep)
    response = rep.post(
        "/api/v1/visits/",
        {"customer": theirs.pk, "purpose": "first", "occurred_at": local_dt(today).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "customer" in response.json()
    other_journal = api(org.teammate).post("/api/v1/journals/", {}, format="json").json()["id"]
    mine = make_customer(org.rep)
    response = rep.post(
        "/api/v1/visits/",
        {
            "journal": other_journal,
            "customer": mine.pk,
            "purpose": "first",
            "occurred_at": local_dt(today).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400  # the teammate's journal is not visible to a rep
    sup = api(org.supervisor)
    response = sup.post(
        "/api/v1/visits/",
        {
            "journal": other_journal,
            "customer": mine.pk,
            "purpose": "first",
            "occurred_at": local_dt(today).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 403  # visible, but only its author writes it


def test_journal_text_plan_comments_and_review_through_the_api(org):
    customer = make_customer(org.rep)
    rep = api(org.rep)
    created = rep.post("/api/v1/journals/", {}, format="json")
    assert created.status_code == 201
    journal_id = created.json()["id"]
    assert rep.post("/api/v1/journals/", {}, format="json").status_code == 200
    url = f"/api/v1/journals/{journal_id}/"
    etag = rep.get(url)["ETag"]
    assert rep.patch(url, {"summary": "x"}, format="json").status_code == 428
    saved = rep.patch(url, {"summary": "今天很好"}, format="json", HTTP_IF_MATCH=etag)
    assert saved.status_code == 200
    assert saved.json()["summary"] == "今天很好"
    item = rep.post(
        "/api/v1/plan-items/",
        {"journal": journal_id, "purpose": "closing", "customer": customer.pk},
        format="json",
    )
    assert item.status_code == 201, item.content
    assert item.json()["kind"] == "visit"
    twice = rep.post(
        "/api/v1/plan-items/",
        {"journal": journal_id, "purpose": "closing", "customer": customer.pk},
        format="json",
    )
    assert twice.status_code == 400
    assert "customer" in twice.json()
    sup = api(org.supervisor)
    assert sup.patch(url, {"summary": "no"}, format="json", HTTP_IF_MATCH="*").status_code == 403
    assert (
        sup.post(f"{url}review/", {"evaluation": "好"}, format="json").status_code == 400
    )  # draft
    assert rep.post(f"{url}submit/").status_code == 200
    assert rep.post(f"{url}review/", {"evaluation": "me"}, format="json").status_code == 403
    reviewed = sup.post(
        f"{url}review/", {"evaluation": "准备充分", "reviewed": True}, format="json"
    )
    assert reviewed.status_code == 200
    assert reviewed.json()["status"] == "reviewed"
    comment = sup.post(f"{url}comments/", {"text": "@rep 明天带报价"}, format="json")
    assert comment.status_code == 201
    assert [c["text"] for c in rep.get(f"{url}comments/").json()] == ["@rep 明天带报价"]
    assert api(org.outsider_supervisor).get(url).status_code == 404
    assert api(org.outsider_supervisor).post(f"{url}comments/", {"text": "x"}).status_code == 404
    assert api(org.teammate).get(url).status_code == 404


def test_journal_list_is_scoped_and_filtered(org):
    for user in (org.rep, org.teammate, org.outsider):
        api(user).post("/api/v1/journals/", {}, format="json")
    sup = api(org.supervisor).get("/api/v1/journals/").json()
    assert sup["count"] == 2
    only = api(org.supervisor).get("/api/v1/journals/", {"rep": org.rep.pk}).json()
    assert [j["rep"] for j in only["results"]] == [org.rep.pk]
    assert api(org.rep).get("/api/v1/journals/").json()["count"] == 1
