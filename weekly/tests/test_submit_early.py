"""Submitting a weekly report before its week is over asks first: the figures freeze at
submission (docs/domain, section 4). The step is a <details> that works without
JavaScript, in both languages; a finished week submits in one click."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from domain.periods import period_of
from weekly.models import ReportStatus
from weekly.tests.factories import report

pytestmark = pytest.mark.django_db


def _submit_buttons_outside_confirm(page: str) -> int:
    outside = re.sub(r'<details class="confirm-step".*?</details>', "", page, flags=re.S)
    return outside.count('name="action" value="submit"')


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", ("本周尚未结束", "确定现在提交")), ("en", ("not over yet", "Yes, submit now"))],
)
def test_submitting_this_weeks_report_warns_that_figures_freeze(client, org, language, words):
    this_week = period_of(timezone.localdate(), "week")
    r = report(org.rep, org.team_a, this_week)
    client.force_login(org.rep)
    url = reverse("weekly:report_edit", args=[r.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'data-testid="submit-confirm"' in page
    for word in words:
        assert word in page
    # the confirm step names the week's last day (Sunday), not the exclusive end (Monday)
    assert this_week.last_day.isoformat() in page
    assert this_week.end.isoformat() not in page
    assert _submit_buttons_outside_confirm(page) == 0
    # the confirm step's button submits the report
    answer = client.post(url, {"analysis": "", "summary": "", "action": "submit"})
    assert answer.status_code == 302
    r.refresh_from_db()
    assert r.status == ReportStatus.SUBMITTED


def test_a_finished_weeks_report_submits_without_the_warning(client, org):
    last_week = period_of(timezone.localdate(), "week").previous()
    r = report(org.rep, org.team_a, last_week)
    client.force_login(org.rep)
    page = client.get(reverse("weekly:report_edit", args=[r.pk])).content.decode()
    assert 'data-testid="submit-confirm"' not in page
    assert _submit_buttons_outside_confirm(page) == 1


@pytest.mark.parametrize(
    ("language", "word"), [("zh-hans", "本周尚未结束"), ("en", "not over yet")]
)
def test_the_team_report_of_a_running_week_asks_first_too(client, org, language, word):
    this_week = period_of(timezone.localdate(), "week")
    client.force_login(org.supervisor)
    url = reverse("weekly:team_report", args=[org.team_a.code, this_week.key])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert word in page
    assert _submit_buttons_outside_confirm(page) == 0
    last = reverse("weekly:team_report", args=[org.team_a.code, this_week.previous().key])
    page = client.get(last, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'data-testid="submit-confirm"' not in page
    assert _submit_buttons_outside_confirm(page) == 1


@pytest.mark.parametrize(
    ("language", "sunday"), [("zh-hans", "2026-12-13 星期日"), ("en", "2026-12-13 Sunday")]
)
def test_the_confirm_step_names_sunday_as_the_weeks_last_day(
    client, org, monkeypatch, language, sunday
):
    _today_is(monkeypatch, dt.date(2026, 12, 9))
    week = period_of(dt.date(2026, 12, 9), "week")
    r = report(org.rep, org.team_a, week)
    client.force_login(org.rep)
    page = client.get(
        reverse("weekly:report_edit", args=[r.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert sunday in page
    assert "2026-12-14" not in page


def test_on_the_monday_after_the_week_submits_in_one_click(client, org, monkeypatch):
    week = period_of(dt.date(2026, 12, 9), "week")
    _today_is(monkeypatch, week.end)  # Monday 2026-12-14: the week is over
    r = report(org.rep, org.team_a, week)
    client.force_login(org.rep)
    page = client.get(reverse("weekly:report_edit", args=[r.pk])).content.decode()
    assert 'data-testid="submit-confirm"' not in page
    client.force_login(org.supervisor)
    url = reverse("weekly:team_report", args=[org.team_a.code, week.key])
    page = client.get(url).content.decode()
    assert 'data-testid="submit-confirm"' not in page


def _today_is(monkeypatch, day: dt.date) -> None:
    """Make ``timezone.localdate()`` (no argument) answer ``day``; conversions stay real."""
    real = timezone.localdate

    def fake(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", fake)
