"""Per-user language: saved by the switcher, activated on every page; notifications and
e-mails stored as code and values and shown in the reader's language."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from accounts.models import Notification
from accounts.notifying import notice, render
from accounts.services import notification_send
from journals import services as journal_services
from journals.tests.factories import submitted

pytestmark = pytest.mark.django_db


def test_the_switcher_saves_the_language_of_a_signed_in_user_and_it_wins_everywhere(client, org):
    client.force_login(org.rep)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    org.rep.refresh_from_db()
    assert org.rep.language == "en"
    client.cookies.clear()  # another device: no cookie, a Chinese browser
    client.force_login(org.rep)
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert '<html lang="en">' in page.content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    org.rep.refresh_from_db()
    assert org.rep.language == "zh-hans"
    page = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in page.content.decode()


def test_anonymous_switching_only_sets_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_an_unknown_language_is_not_saved(client, org):
    client.force_login(org.rep)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    org.rep.refresh_from_db()
    assert org.rep.language == ""


def test_a_notification_is_shown_in_the_readers_language(org):
    org.rep.language = "en"
    org.rep.save()
    sent = notification_send(
        user=org.rep,
        key="k1",
        title=notice(gettext_noop("Your journal of %(day)s was reviewed"), day="2026-03-02"),
        body=notice(gettext_noop("The deadline has passed. Please submit today's journal.")),
    )
    assert sent is not None
    assert sent.title == "Your journal of 2026-03-02 was reviewed"  # the recipient's language
    assert sent.message["title"] == {
        "msgid": "Your journal of %(day)s was reviewed",
        "params": {"day": "2026-03-02"},
    }
    with translation.override("zh-hans"):
        assert "2026-03-02" in sent.shown_title
        assert "Your journal" not in sent.shown_title
    with translation.override("en"):
        assert sent.shown_body == "The deadline has passed. Please submit today's journal."


def test_a_broken_stored_message_renders_without_error():
    assert render({"msgid": "%(missing)s here", "params": {"other": 1}}) == "%(missing)s here"
    assert render("plain") == "plain"
    assert render(None) == ""


def test_review_notification_and_email_in_the_reps_language_whatever_the_supervisors(
    client, org, django_capture_on_commit_callbacks
):
    import datetime as dt

    org.rep.language = "en"
    org.rep.save()
    journal = journal_services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 2))
    submitted(journal)
    client.force_login(org.supervisor)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        journal_services.journal_review(journal=journal, by=org.supervisor)
    note = Notification.objects.get(user=org.rep)
    assert note.title == "Your journal of 2026-03-02 was reviewed"
    assert mail.outbox[-1].subject == "Your journal of 2026-03-02 was reviewed"
    client.force_login(org.rep)
    en = client.get(reverse("accounts:notification_list")).content.decode()
    assert "Your journal of 2026-03-02 was reviewed" in en
    org.rep.language = "zh-hans"
    org.rep.save()
    zh = client.get(reverse("accounts:notification_list")).content.decode()
    assert "Your journal of 2026-03-02 was reviewed" not in zh
