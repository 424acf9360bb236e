"""Weekly and team report comments: @mentions with the picker, highlighting and
notifications addressed to the reader in the reader's language, feedback for names
outside the scope; editing and deleting by the author only (also monthly analyses)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Notification
from domain.periods import period_of
from kpi.models import MonthlyAnalysis, MonthlyAnalysisComment
from weekly.comments import (
    report_comment_add,
    team_comment_add,
    weekly_comment_delete,
    weekly_comment_edit,
)
from weekly.models import ReportStatus, TeamWeeklyReport, WeeklyComment, WeeklyReport

pytestmark = pytest.mark.django_db

WEEK = period_of(dt.date(2026, 3, 2), "week")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def report(org):
    return WeeklyReport.objects.create(
        rep=org.rep, team=org.team_a, week=WEEK.start, status=ReportStatus.SUBMITTED
    )


def test_mentions_on_a_weekly_report_are_highlighted_notified_and_reported(org, client_for, report):
    org.manager.language = "en"
    org.manager.save(update_fields=["language"])
    client = client_for(org.supervisor)
    answer = client.post(
        reverse("weekly:report_comment", args=[report.pk]),
        {"text": "@manager @rep 请看 @outsider"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    html = answer.content.decode()
    assert 'class="mention" data-mention="manager"' in html
    assert 'class="mention" data-mention="rep"' in html
    assert 'data-mention="outsider"' not in html  # notified nobody: not highlighted
    assert "Not notified: @outsider" in html
    manager = Notification.objects.get(user=org.manager, key__startswith="weekly-mention:")
    assert manager.title == f"{org.supervisor.name} mentioned you on the weekly report of " + (
        f"{org.rep.name}, {WEEK.key}"
    )
    rep = Notification.objects.get(user=org.rep, key__startswith="weekly-mention:")
    assert rep.title == f"{org.supervisor.name} 在您 {WEEK.key} 的周报中提到了您"  # zh-hans
    assert not Notification.objects.filter(user=org.outsider).exists()
    # the rep mentioned is not told twice (no separate "commented on your report")
    assert not Notification.objects.filter(user=org.rep, key__startswith="weekly-comment:")


def test_the_mention_picker_of_a_weekly_report_offers_who_may_see_it(org, client_for, report):
    url = reverse("weekly:report_mentions", args=[report.pk])
    html = client_for(org.rep).get(url, {"q": ""}).content.decode()
    assert 'data-mention-pick="supervisor"' in html
    assert 'data-mention-pick="manager"' in html
    assert 'data-mention-pick="teammate"' not in html  # may not see a colleague's report
    assert 'data-mention-pick="rep"' not in html  # not oneself
    assert client_for(org.outsider_supervisor).get(url).status_code == 404
    page = client_for(org.rep).get(reverse("weekly:report_detail", args=[report.pk]))
    assert url in page.content.decode()  # the picker is on the page


def test_team_report_comments_take_mentions_too(org, client_for):
    team_report = TeamWeeklyReport.objects.create(
        team=org.team_a, week=WEEK.start, author=org.supervisor
    )
    comment = team_comment_add(report=team_report, by=org.manager, text="@supervisor @rep 好")
    assert [u.username for u in comment.mentions.all()] == ["supervisor"]
    assert getattr(comment, "unreachable", None) == ["rep"]  # a rep does not see the team report
    note = Notification.objects.get(user=org.supervisor, key__startswith="weekly-mention:")
    assert org.team_a.name in note.title
    url = reverse("weekly:team_report_mentions", args=[team_report.pk])
    assert 'data-mention-pick="manager"' in client_for(org.supervisor).get(url).content.decode()
    assert client_for(org.rep).get(url).status_code == 404


def test_weekly_comments_are_edited_and_deleted_by_their_author_only(org, client_for, report):
    comment = report_comment_add(report=report, by=org.supervisor, text="写得不错")
    edit = reverse("weekly:comment_edit", args=[comment.pk])
    delete = reverse("weekly:comment_delete", args=[comment.pk])
    assert client_for(org.rep).post(edit, {"text": "改掉"}).status_code == 403
    assert client_for(org.rep).post(delete).status_code == 403
    assert client_for(org.outsider).post(delete).status_code == 404
    client = client_for(org.supervisor)
    html = client.post(edit, {"text": "写得很好"}, HTTP_ACCEPT_LANGUAGE="zh-hans", **HTMX)
    assert "已编辑" in html.content.decode()
    comment.refresh_from_db()
    assert (comment.text, comment.edited_at is not None) == ("写得很好", True)
    assert client.post(delete).status_code == 302
    assert not WeeklyComment.objects.filter(pk=comment.pk).exists()


def test_team_report_and_analysis_comments_are_changed_by_their_author_only(org, client_for):
    team_report = TeamWeeklyReport.objects.create(
        team=org.team_a, week=WEEK.start, author=org.supervisor
    )
    comment = team_comment_add(report=team_report, by=org.manager, text="本周重点")
    edit = reverse("weekly:team_comment_edit", args=[comment.pk])
    assert client_for(org.supervisor).post(edit, {"text": "x"}).status_code == 403
    assert client_for(org.rep).post(edit, {"text": "x"}).status_code == 404
    assert client_for(org.manager).post(edit, {"text": "本周重点：回款"}).status_code == 302
    comment.refresh_from_db()
    assert comment.text == "本周重点：回款"
    analysis = MonthlyAnalysis.objects.create(
        rep=org.rep, team=org.team_a, month=dt.date(2026, 2, 1), author=org.rep
    )
    note = MonthlyAnalysisComment.objects.create(analysis=analysis, author=org.rep, text="差距")
    url = reverse("kpi:analysis_comment_edit", args=[note.pk])
    assert client_for(org.supervisor).post(url, {"text": "x"}).status_code == 403
    assert client_for(org.outsider).post(url, {"text": "x"}).status_code == 404
    assert client_for(org.rep).post(url, {"text": "差距：拜访量"}).status_code == 302
    delete = reverse("kpi:analysis_comment_delete", args=[note.pk])
    assert client_for(org.supervisor).post(delete).status_code == 403
    assert client_for(org.rep).post(delete).status_code == 302
    assert not MonthlyAnalysisComment.objects.filter(pk=note.pk).exists()


def test_the_weekly_comment_thread_does_not_grow_the_query_count(
    org, client_for, report, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(org.supervisor)
    url = reverse("weekly:report_detail", args=[report.pk])
    report_comment_add(report=report, by=org.supervisor, text="@rep 第一条")
    client.get(url)  # the first read records the receipt

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    few = len(ctx.captured_queries)
    for i in range(8):
        report_comment_add(report=report, by=org.supervisor, text=f"@rep @manager 第{i}条")
    with django_assert_num_queries(few):
        client.get(url)


def test_a_weekly_mention_notification_follows_the_edit_and_the_delete(org, report):
    comment = report_comment_add(report=report, by=org.supervisor, text="@manager 旧的说法")
    note = Notification.objects.get(user=org.manager, key__startswith="weekly-mention:")
    weekly_comment_edit(comment=comment, by=org.supervisor, text="@manager 新的说法")
    note.refresh_from_db()
    assert "新的说法" in note.shown_body
    assert "旧的说法" not in note.shown_body
    weekly_comment_delete(comment=comment, by=org.supervisor)
    note.refresh_from_db()
    assert "说法" not in note.shown_body
    assert note.message["body"]["msgid"] == "This comment was deleted."
