"""Who owes a weekly report or a monthly analysis: per team of the leader, only their
teams, exported as .xlsx."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from weekly.models import ReportStatus, WeeklyReport
from weekly.selectors import meeting_default_period

pytestmark = pytest.mark.django_db


def test_supervisor_sees_who_owes_and_other_teams_do_not(org, client_for):
    period = meeting_default_period()
    WeeklyReport.objects.create(
        rep=org.teammate, team=org.team_a, week=period.start, status=ReportStatus.SUBMITTED
    )
    page = client_for(org.supervisor).get("/weekly/owed/", {"week": period.key})
    assert page.status_code == 200
    (row,) = page.context["rows"]
    assert [u.username for u in row.weekly_owed] == ["rep"]
    assert {u.username for u in row.analysis_owed} == {"rep", "teammate"}
    assert not row.team_report_done
    other = client_for(org.outsider_supervisor).get("/weekly/owed/", {"week": period.key})
    assert [r.team.code for r in other.context["rows"]] == ["south-1"]
    assert client_for(org.rep).get("/weekly/owed/").status_code == 403


def test_owed_list_exports_to_xlsx(org, client_for):
    response = client_for(org.manager).get("/weekly/owed/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    teams = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert teams == {"北一组", "北二组"}


def test_owed_page_queries_do_not_grow_with_reps(org, client_for):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Membership, User

    client = client_for(org.manager)
    client.get("/weekly/owed/")
    with CaptureQueriesContext(connection) as few:
        client.get("/weekly/owed/")
    for i in range(5):
        user = User.objects.create(username=f"extra{i}", display_name=f"新人{i}")
        Membership.objects.create(user=user, unit=org.team_b, role="rep", start=dt.date(2020, 1, 1))
    with CaptureQueriesContext(connection) as many:
        client.get("/weekly/owed/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_dashboard_links_leaders_to_who_owes(org, client_for):
    page = client_for(org.manager).get("/kpi/", follow=True)
    assert b'data-testid="owed-link"' in page.content
    assert b'href="/weekly/owed/"' in page.content
    mine = client_for(org.rep).get("/kpi/", follow=True)
    assert b'data-testid="owed-link"' not in mine.content
