"""In Debian's chromium, both languages: the supervisor types a comment, does not send it,
and presses "mark reviewed · next": the comment is posted on the journal just read and
the next journal opens; nothing typed is lost."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from journals import services
from journals.models import Comment, Journal
from journals.tests.factories import submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "posted"), [("zh-CN", "您的评论已发出"), ("en", "comment was posted")]
)
def test_review_and_next_keeps_a_typed_comment(org, page_for, live_server, locale, posted):
    day = dt.date(2026, 3, 2)
    first = submitted(services.journal_get_or_create_today(rep=org.rep, day=day))
    submitted(services.journal_get_or_create_today(rep=org.teammate, day=day))
    boss = page_for(org.supervisor, width=375, locale=locale)
    boss.goto(f"{live_server.url}/journals/{first.pk}/")
    boss.fill("#comments textarea[name=text]", "客户需求写得很清楚")
    boss.click("[data-testid=mark-reviewed]")
    expect(boss.locator("body")).to_contain_text(posted)
    assert boss.url.rstrip("/").split("/")[-1] != str(first.pk)
    assert Comment.objects.get(journal=first).text == "客户需求写得很清楚"
    first.refresh_from_db()
    assert first.status == Journal.Status.REVIEWED
