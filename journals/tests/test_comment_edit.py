"""Editing and deleting one's own comment inline (htmx), with a visible "edited" mark
and time; nobody else may (403, or 404 outside the scope); deleting asks first; an edit
that adds an @mention notifies the new person once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Notification
from journals import services
from journals.models import Comment, Journal
from journals.tests.factories import submitted

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def comment(org):
    journal = submitted(Journal.objects.create(rep=org.rep, team=org.team_a, day=DAY))
    return services.comment_add(journal=journal, by=org.rep, text="今天拜访了两家")


@pytest.mark.parametrize(("language", "mark"), [("en", "edited"), ("zh-hans", "已编辑")])
def test_the_author_edits_a_comment_in_place_and_it_shows_edited_with_the_time(
    org, client_for, comment, language, mark
):
    client = client_for(org.rep)
    url = reverse("journals:comment_edit", args=[comment.pk])
    form = client.get(url, HTTP_ACCEPT_LANGUAGE=language, **HTMX).content.decode()
    assert 'data-testid="comment-edit-form"' in form
    assert "今天拜访了两家" in form  # the current text to change
    row = client.post(url, {"text": "今天拜访了三家"}, HTTP_ACCEPT_LANGUAGE=language, **HTMX)
    html = row.content.decode()
    comment.refresh_from_db()
    assert comment.text == "今天拜访了三家"
    assert comment.edited_at is not None
    assert 'data-testid="comment-edited"' in html
    assert mark in html
    page = client.get(reverse("journals:journal_detail", args=[comment.journal_id]))
    assert 'data-testid="comment-edited"' in page.content.decode()


def test_an_empty_edit_is_refused_with_a_message_and_the_text_is_kept(org, client_for, comment):
    client = client_for(org.rep)
    url = reverse("journals:comment_edit", args=[comment.pk])
    html = client.post(url, {"text": "   "}, HTTP_ACCEPT_LANGUAGE="en", **HTMX).content.decode()
    assert "Write a comment first." in html
    assert 'data-testid="comment-edit-form"' in html
    comment.refresh_from_db()
    assert (comment.text, comment.edited_at) == ("今天拜访了两家", None)


def test_nobody_but_the_author_edits_or_deletes_a_comment(org, client_for, comment):
    edit = reverse("journals:comment_edit", args=[comment.pk])
    delete = reverse("journals:comment_delete", args=[comment.pk])
    # the supervisor sees the journal but did not write the comment: 403
    boss = client_for(org.supervisor)
    assert boss.get(edit).status_code == 403
    assert boss.post(edit, {"text": "改掉"}).status_code == 403
    assert boss.post(delete).status_code == 403
    page = boss.get(reverse("journals:journal_detail", args=[comment.journal_id])).content
    assert b'data-testid="comment-edit"' not in page
    # another team's people do not see it at all: 404
    other = client_for(org.outsider_supervisor)
    assert other.post(edit, {"text": "改掉"}).status_code == 404
    assert other.post(delete).status_code == 404
    comment.refresh_from_db()
    assert (comment.text, comment.edited_at) == ("今天拜访了两家", None)


def test_the_author_deletes_a_comment_after_confirming(org, client_for, comment):
    client = client_for(org.rep)
    page = client.get(reverse("journals:journal_detail", args=[comment.journal_id]))
    html = page.content.decode()
    assert 'data-testid="comment-delete"' in html
    assert "data-confirm=" in html  # the browser asks first
    answer = client.post(reverse("journals:comment_delete", args=[comment.pk]), **HTMX)
    assert answer.status_code == 200
    assert answer.content == b""  # htmx removes the comment in place
    assert answer["HX-Trigger"] == "comment-deleted"  # and the page lowers the count
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_an_edit_that_adds_a_mention_notifies_the_new_person_once(org, comment):
    services.journal_comment_edit(comment=comment, by=org.rep, text="@supervisor 请看")
    assert Notification.objects.filter(user=org.supervisor, key__startswith="journal-mention:")
    services.journal_comment_edit(comment=comment, by=org.rep, text="@supervisor 请看一下")
    assert (
        Notification.objects.filter(user=org.supervisor, key__startswith="journal-mention:").count()
        == 1
    )
    edited = services.journal_comment_edit(
        comment=comment, by=org.rep, text="@supervisor @outsider 请看"
    )
    assert getattr(edited, "unreachable", None) == ["outsider"]  # outside the scope
    assert [u.username for u in comment.mentions.all()] == ["supervisor"]


def test_the_comment_thread_does_not_grow_the_query_count(
    org, client_for, comment, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(org.rep)
    url = reverse("journals:journal_detail", args=[comment.journal_id])
    client.get(url)  # the first read records the receipt and warms the session

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(8):
        services.comment_add(journal=comment.journal, by=org.rep, text=f"@supervisor 第{i}条")
    with django_assert_num_queries(few):
        client.get(url)


def test_a_mention_notification_follows_the_edit_and_the_delete(org, client_for):
    journal = submitted(Journal.objects.create(rep=org.rep, team=org.team_a, day=DAY))
    comment = services.comment_add(journal=journal, by=org.supervisor, text="@manager 旧的说法")
    note = Notification.objects.get(user=org.manager, key__startswith="journal-mention:")
    told = Notification.objects.get(user=org.rep, key__startswith="journal-comment:")
    assert "旧的说法" in note.shown_body
    services.journal_comment_edit(comment=comment, by=org.supervisor, text="@manager 新的说法")
    for row in (note, told):
        row.refresh_from_db()
        assert "新的说法" in row.shown_body
        assert "旧的说法" not in row.shown_body
    page = client_for(org.manager).get(
        reverse("accounts:notification_list"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "新的说法" in page.content.decode()
    assert "旧的说法" not in page.content.decode()
    services.journal_comment_delete(comment=comment, by=org.supervisor)
    for row in (note, told):
        row.refresh_from_db()
        assert "说法" not in row.shown_body
        assert "说法" not in row.body
    page = (
        client_for(org.manager)
        .get(reverse("accounts:notification_list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert "说法" not in page
    assert "该评论已删除" in page
