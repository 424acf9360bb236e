"""The REST API's scoped viewsets share one base (``accounts/api/scoped.py``,
``ScopedReadOnlyViewSet``): rows come through the caller's scope, another team's row is a 404
on read and write, and a write to a row the caller may read but not change is a 403 (the
model's ``ScopedQuerySet`` rule), before any service runs."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from accounts.api.people import MembershipViewSet, UnitViewSet, UserViewSet
from accounts.api.scoped import ScopedReadOnlyViewSet
from coaching.api import CoachingPlanViewSet, FindingViewSet
from coaching.tests.factories import make_finding, make_plan
from customers.api import CustomerViewSet
from journals.api.views import JournalViewSet, PlanItemViewSet, VisitViewSet
from journals.models import Journal
from journals.tests.factories import make_customer, visit
from weekly.api import TeamWeeklyReportViewSet, WeeklyReportViewSet
from weekly.models import TeamWeeklyReport
from weekly.tests.factories import report

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 2)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_the_scoped_viewsets_share_the_one_base():
    for viewset in (
        JournalViewSet,
        PlanItemViewSet,
        VisitViewSet,
        WeeklyReportViewSet,
        TeamWeeklyReportViewSet,
        FindingViewSet,
        CoachingPlanViewSet,
        UserViewSet,
        UnitViewSet,
        MembershipViewSet,
        CustomerViewSet,
    ):
        assert issubclass(viewset, ScopedReadOnlyViewSet), viewset
        assert "get_queryset" not in vars(viewset), viewset
        assert "scoped_queryset" in vars(viewset), viewset


def test_every_scoped_endpoint_hides_another_teams_rows(org):
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=MONDAY)
    a_visit = visit(journal, make_customer(org.rep, team=org.team_a))
    rows = {
        "journals": journal.pk,
        "visits": a_visit.pk,
        "weekly-reports": report(org.rep, org.team_a).pk,
        "team-weekly-reports": TeamWeeklyReport.objects.create(
            team=org.team_a, week=MONDAY, author=org.supervisor
        ).pk,
        "findings": make_finding(org.rep, org.team_a).pk,
        "coaching-plans": make_plan(org.rep, org.team_a, org.supervisor).pk,
    }
    outsider, supervisor = _api(org.outsider_supervisor), _api(org.supervisor)
    for path, pk in rows.items():
        url = f"/api/v1/{path}/{pk}/"
        assert outsider.get(url).status_code == 404, path
        assert pk not in [r["id"] for r in outsider.get(f"/api/v1/{path}/").json()["results"]]
        assert supervisor.get(url).status_code == 200, path


def test_a_reader_gets_403_and_another_team_404_on_a_write(org):
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=MONDAY)
    a_visit = visit(journal, make_customer(org.rep, team=org.team_a))
    url = f"/api/v1/journals/{journal.pk}/"
    etag = _api(org.rep).get(url)["ETag"]
    for user, code in ((org.supervisor, 403), (org.manager, 403), (org.outsider, 404)):
        client = _api(user)
        patch = client.patch(url, {"summary": "x"}, format="json", HTTP_IF_MATCH=etag)
        assert patch.status_code == code, user
        assert client.post(f"{url}submit/").status_code == code, user
        assert client.delete(f"/api/v1/visits/{a_visit.pk}/").status_code == code, user
    journal.refresh_from_db()
    assert journal.status == Journal.Status.DRAFT
    assert journal.visits.count() == 1
