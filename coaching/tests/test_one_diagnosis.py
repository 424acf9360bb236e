"""One diagnosis per rep and period on every page (docs/domain, section 8): the morning
meeting (the month of its day), the weekly meeting (its week), the heat map and the rep's
page read the stored findings through ``coaching.selectors.open_findings``, so they list
the same findings; a dismissed one is on none of them; another team's supervisor reads
none of them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from coaching.models import Finding

MONTH, WEEK = dt.date(2026, 3, 1), dt.date(2026, 3, 2)  # 2026-03 and 2026-W10


def _finding(org, kind: str, start: dt.date, symptom: str, **kw) -> Finding:
    return Finding.objects.create(
        rep=org.rep,
        team=org.team_a,
        period_kind=kind,
        period_start=start,
        symptom=symptom,
        computed_at=timezone.now(),
        **kw,
    )


def _linked(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r"/coaching/findings/(\d+)/", html)}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_every_page_shows_the_same_diagnosis_of_a_rep_and_period(org, client_for, lang):
    month = {
        _finding(org, "month", MONTH, "few_targets").pk,
        _finding(org, "month", MONTH, "low_activity").pk,
    }
    week = {_finding(org, "week", WEEK, "no_preparation").pk}
    dismissed = _finding(
        org, "month", MONTH, "missing_journals", status=Finding.Status.DISMISSED
    ).pk
    team = org.team_a.pk
    client = client_for(org.supervisor)

    def linked(url: str) -> set[int]:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200, url
        return _linked(page.content.decode())

    morning = linked(reverse("journals:morning_meeting") + f"?team={team}&day=2026-03-05")
    weekly = linked(reverse("weekly:meeting") + f"?team={team}&week=2026-W10")
    heat_month = linked(reverse("coaching:heatmap") + f"?team={team}&period=2026-03")
    heat_week = linked(reverse("coaching:heatmap") + f"?team={team}&period=2026-W10")
    rep_page = linked(reverse("coaching:rep_findings", args=[org.rep.pk]))
    assert morning == heat_month == month
    assert weekly == heat_week == week
    assert rep_page == month | week
    assert dismissed not in morning | weekly | heat_month | rep_page

    other = client_for(org.supervisor_b)
    assert other.get(reverse("coaching:heatmap") + f"?team={team}").status_code == 404
    assert other.get(reverse("coaching:rep_findings", args=[org.rep.pk])).status_code == 404
    for pk in month | week:
        assert other.get(reverse("coaching:finding_detail", args=[pk])).status_code == 404
