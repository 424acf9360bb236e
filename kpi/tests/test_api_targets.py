"""Targets, weekly reports and coaching through the API: read in the caller's scope
(other teams 404), targets set by the team's leads only and acknowledged by the rep."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from coaching.tests.factories import make_finding, make_plan
from kpi.models import Target
from weekly.tests.factories import report

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_a_supervisor_sets_a_reps_target_and_the_rep_acknowledges_it(org):
    sup = api(org.supervisor)
    body = {"team": org.team_a.pk, "rep": org.rep.pk, "month": "2026-10", "metric": "visits"}
    saved = sup.post("/api/v1/targets/", {**body, "value": "60"}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["value"] == "60.00"
    assert saved.json()["acknowledged_at"] is None
    rep = api(org.rep)
    assert [
        t["metric"] for t in rep.get("/api/v1/targets/", {"month": "2026-10"}).json()["results"]
    ] == ["visits"]
    acked = rep.post("/api/v1/targets/acknowledge/", {"month": "2026-10"}, format="json")
    assert acked.json() == {"acknowledged": 1}
    assert Target.objects.get(rep=org.rep).acknowledged_at is not None
    # The rep cannot set targets; another team's supervisor does not see this team.
    assert rep.post("/api/v1/targets/", {**body, "value": "1"}, format="json").status_code == 403
    other = api(org.outsider_supervisor).post(
        "/api/v1/targets/", {**body, "value": "1"}, format="json"
    )
    assert other.status_code == 400
    assert "team" in other.json()
    assert (
        api(org.outsider_supervisor).get(f"/api/v1/targets/{saved.json()['id']}/").status_code
        == 404
    )
    # A rep of another team is refused by field.
    wrong = sup.post("/api/v1/targets/", {**body, "rep": org.rep_b.pk, "value": "5"}, format="json")
    assert wrong.status_code == 400
    assert "rep" in wrong.json()
    # Null deletes.
    assert sup.post("/api/v1/targets/", {**body, "value": None}, format="json").status_code == 204
    assert not Target.objects.exists()


def test_weekly_reports_are_read_in_scope(org):
    mine = report(org.rep, org.team_a)
    theirs = report(org.outsider, org.team_s)
    rep = api(org.rep)
    ids = [r["id"] for r in rep.get("/api/v1/weekly-reports/").json()["results"]]
    assert ids == [mine.pk]
    assert rep.get(f"/api/v1/weekly-reports/{theirs.pk}/").status_code == 404
    assert api(org.supervisor).get(f"/api/v1/weekly-reports/{mine.pk}/").status_code == 200
    assert api(org.teammate).get(f"/api/v1/weekly-reports/{mine.pk}/").status_code == 404


def test_findings_and_coaching_plans_are_read_in_scope(org):
    finding = make_finding(org.rep, org.team_a)
    plan = make_plan(org.rep, org.team_a, org.supervisor)
    make_finding(org.outsider, org.team_s)
    sup = api(org.supervisor)
    assert [f["id"] for f in sup.get("/api/v1/findings/").json()["results"]] == [finding.pk]
    body = sup.get(f"/api/v1/coaching-plans/{plan.pk}/").json()
    assert body["coachee"] == org.rep.pk
    assert api(org.outsider_supervisor).get(f"/api/v1/coaching-plans/{plan.pk}/").status_code == 404
    assert api(org.teammate).get(f"/api/v1/findings/{finding.pk}/").status_code == 404


def test_the_api_refuses_a_target_above_the_metrics_maximum(org):
    sup = api(org.supervisor)
    body = {"team": org.team_a.pk, "rep": org.rep.pk, "month": "2026-10", "metric": "visits"}
    refused = sup.post("/api/v1/targets/", {**body, "value": "1000000000"}, format="json")
    assert refused.status_code == 400
    assert "value" in str(refused.json())
    assert not Target.objects.exists()
