"""Nothing typed is lost: a comment typed but not sent goes with "mark reviewed · next"
(the page copies it into the evaluation form), in both languages and without JS as well."""

import datetime as dt

import pytest
from django.urls import reverse

from journals import services
from journals.models import Comment, Journal
from journals.tests.factories import submitted

pytestmark = pytest.mark.django_db


def _two_submitted(org) -> tuple[Journal, Journal]:
    first = services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 2))
    second = services.journal_get_or_create_today(rep=org.teammate, day=dt.date(2026, 3, 2))
    return submitted(first), submitted(second)


def test_review_and_next_posts_the_pending_comment(client, org):
    first, second = _two_submitted(org)
    client.force_login(org.supervisor)
    response = client.post(
        reverse("journals:journal_evaluate", args=[first.pk]),
        {"evaluation": "", "review": "1", "next": second.pk, "pending_comment": "拜访准备很充分"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("journals:journal_detail", args=[second.pk])
    comment = Comment.objects.get(journal=first)
    assert comment.text == "拜访准备很充分"
    first.refresh_from_db()
    assert first.status == Journal.Status.REVIEWED


@pytest.mark.parametrize(("language", "warning"), [("zh-hans", "已保留"), ("en", "kept below")])
def test_a_comment_that_cannot_be_posted_is_kept_with_a_warning(client, org, language, warning):
    first, second = _two_submitted(org)
    client.force_login(org.supervisor)
    too_long = "长" * 2001
    url = reverse("journals:journal_evaluate", args=[first.pk])
    response = client.post(
        url,
        {"review": "1", "next": second.pk, "pending_comment": too_long},
        HTTP_ACCEPT_LANGUAGE=language,
        follow=True,
    )
    page = response.content.decode()
    assert warning in page
    assert too_long in page  # typed text back in the comment box
    first.refresh_from_db()
    assert first.status == Journal.Status.SUBMITTED  # not moved on
    assert not Comment.objects.exists()
