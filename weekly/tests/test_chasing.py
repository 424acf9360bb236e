"""Chasing weekly reports (催交), the reminder before the week's deadline and read receipts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Chase, Notification
from domain.periods import period_of
from journals.tests.factories import local_dt
from weekly.chasing import (
    weekly_chase,
    weekly_deadline,
    weekly_owed,
    weekly_reminders_before_deadline,
)
from weekly.models import ReportStatus, WeeklyReport, WeeklyReportRead

pytestmark = pytest.mark.django_db

WEEK = period_of(dt.date(2026, 3, 2), "week")  # Monday 2 March 2026, a full work week


def test_the_supervisor_chases_who_has_not_submitted(org):
    WeeklyReport.objects.create(
        rep=org.teammate, team=org.team_a, week=WEEK.start, status=ReportStatus.SUBMITTED
    )
    WeeklyReport.objects.create(rep=org.rep, team=org.team_a, week=WEEK.start)  # a draft
    assert weekly_owed(team=org.team_a, period=WEEK) == [org.rep]
    chases = weekly_chase(team=org.team_a, period=WEEK, by=org.supervisor)
    assert [c.user for c in chases] == [org.rep]
    assert Notification.objects.filter(user=org.rep, key__startswith="weekly-chase:").exists()
    with pytest.raises(ValidationError):
        weekly_chase(team=org.team_a, period=WEEK, by=org.supervisor, user=org.teammate)
    with pytest.raises(PermissionDenied):
        weekly_chase(team=org.team_a, period=WEEK, by=org.supervisor_b)


def test_the_week_is_due_on_its_last_work_day_and_reminded_once_before(org):
    deadline = weekly_deadline(org.team_a, WEEK)
    assert deadline == local_dt(dt.date(2026, 3, 6), 21)  # Friday at the journal deadline
    assert weekly_reminders_before_deadline(now=local_dt(dt.date(2026, 3, 6), 12)) == 0
    soon = local_dt(dt.date(2026, 3, 6), 20, 30)
    assert weekly_reminders_before_deadline(now=soon) == 4  # every rep of every team
    assert weekly_reminders_before_deadline(now=soon) == 0
    assert Chase.objects.filter(kind="weekly", by__isnull=True).count() == 4


def test_chase_page_and_read_receipts(org, client_for):
    client = client_for(org.supervisor)
    url = reverse("weekly:team_chase", args=["north-1", WEEK.key])
    assert client.post(url, {"user": org.rep.pk}).status_code == 302
    assert Chase.objects.get().user == org.rep
    assert client_for(org.outsider_supervisor).post(url).status_code == 404
    report = WeeklyReport.objects.create(
        rep=org.rep, team=org.team_a, week=WEEK.start, status=ReportStatus.SUBMITTED
    )
    page = client_for(org.supervisor).get(reverse("weekly:report_detail", args=[report.pk]))
    assert page.status_code == 200
    assert WeeklyReportRead.objects.get().reader == org.supervisor
    own = client_for(org.rep).get(reverse("weekly:report_detail", args=[report.pk]))
    assert b'data-testid="reader"' in own.content
    assert WeeklyReportRead.objects.count() == 1


def test_the_chase_page_cannot_name_someone_of_another_team(org, client_for):
    url = reverse("weekly:team_chase", args=[org.team_a.code, WEEK.key])
    client = client_for(org.supervisor)
    response = client.post(url, {"user": org.rep_b.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Nobody owes this weekly report." in response.content.decode()
    assert not Chase.objects.filter(user=org.rep_b).exists()
    assert not Notification.objects.filter(user=org.rep_b).exists()
