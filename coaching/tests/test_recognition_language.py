"""Texts the system writes for recognitions and coaching plans are shown in the reader's
language (docs/architecture.md, Conventions, i18n: codes with values, rendered when shown):
the board, the rep's page and the notification, for a zh-hans and an en reader; a text a
lead typed, and rows stored before, stay as they are."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.calendar import workdays_between as work_days
from accounts.models import Notification
from coaching import services
from coaching.models import Recognition, Symptom
from journals.tests.factories import JournalFactory, submitted

from .factories import make_finding

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


def _streak_suggestion(org) -> dict:
    for d in work_days(DAY - dt.timedelta(days=30), DAY - dt.timedelta(days=1)):
        submitted(JournalFactory.create(rep=org.rep, team=org.team_a, day=d))
    with translation.override("zh-hans"):
        (idea,) = services.recognition_suggestions(team_id=org.team_a.pk, day=DAY)
    return idea


def _page(client, user, url: str, language: str) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get(url).content.decode()


def test_a_suggested_recognition_reads_in_each_readers_language(
    org, client, django_capture_on_commit_callbacks
) -> None:
    idea = _streak_suggestion(org)
    assert idea["behaviour"].startswith("连续")
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        rec = services.recognition_give(
            by=org.supervisor,
            rep=org.rep,
            behaviour=idea["behaviour"],
            impact=idea["impact"],
            source=idea["source"],
            message=json.loads(json.dumps(idea["message"])),
        )
    n = idea["message"]["behaviour"]["params"]["n"]
    english = f"Submitted the journal on time {n} work days in a row"
    board = reverse("coaching:recognition_board") + f"?team={org.team_a.pk}"
    rep_page = reverse("coaching:rep_findings", args=[org.rep.pk])
    for url in (board, rep_page):
        page = _page(client, org.rep, url, "en")
        assert english in page
        assert "Keeps the morning meeting" in page
        assert "连续" not in page
        page = _page(client, org.rep, url, "zh-hans")
        assert idea["behaviour"] in page
        assert english not in page
    note = Notification.objects.get(user=org.rep, key=f"recognition-{rec.pk}")
    with translation.override("en"):
        assert note.shown_title == f"You were recognised: {english}"
        assert note.shown_body == "Keeps the morning meeting and the team's figures reliable."
    with translation.override("zh-hans"):
        assert note.shown_title == f"您获得了表彰：{idea['behaviour']}"


def test_the_board_form_carries_the_suggestion_as_codes(org, client) -> None:
    idea = _streak_suggestion(org)
    page = _page(
        client,
        org.supervisor,
        reverse("coaching:recognition_board") + f"?team={org.team_a.pk}",
        "zh-hans",
    )
    assert 'name="message"' in page
    response = client.post(
        reverse("coaching:recognition_give"),
        {
            "rep": org.rep.pk,
            "behaviour": idea["behaviour"],
            "impact": idea["impact"],
            "source": idea["source"],
            "message": json.dumps(idea["message"]),
        },
    )
    assert response.status_code == 302
    rec = Recognition.objects.get(rep=org.rep)
    assert rec.message["behaviour"]["msgid"].startswith("Submitted the journal on time")
    with translation.override("en"):
        assert rec.shown_impact == "Keeps the morning meeting and the team's figures reliable."


def test_typed_texts_and_a_message_that_does_not_match_stay_as_given(org) -> None:
    idea = _streak_suggestion(org)
    with translation.override("zh-hans"):
        rec = services.recognition_give(
            by=org.supervisor,
            rep=org.rep,
            behaviour="帮新人准备了说明话术",
            impact="新人第一次说明就拿到意向",
            message=idea["message"],
        )
    assert rec.message == {}
    old = Recognition.objects.create(
        rep=org.rep, team=org.team_a, by=org.supervisor, behaviour="连续 27 个工作日", impact="x"
    )
    with translation.override("en"):
        assert (rec.shown_behaviour, old.shown_behaviour) == (
            "帮新人准备了说明话术",
            "连续 27 个工作日",
        )


def test_the_coaching_plan_notification_names_the_problem_in_the_readers_language(org) -> None:
    finding = make_finding(org.rep, org.team_a, symptom=Symptom.HARD_TO_CLOSE)
    with translation.override("zh-hans"):
        plan = services.plan_create_from_finding(finding=finding, by=org.supervisor)
    note = Notification.objects.get(user=org.rep, key=f"coaching-plan-{plan.pk}")
    with translation.override("en"):
        assert note.shown_body == "Problem: Hard to close"
    with translation.override("zh-hans"):
        assert note.shown_body == "问题：难以促成"
