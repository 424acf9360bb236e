"""One-click actions ask first, without JavaScript: 修订 (amend) and quick comments open a
<details> with what will happen and the real submit button."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from journals import services
from journals.tests.factories import submitted

pytestmark = pytest.mark.django_db


def _forms_outside_confirm_steps(page: str, action: str) -> int:
    """How many forms posting to ``action`` are not inside a confirm step."""
    outside = re.sub(r'<details class="confirm-step.*?</details>', "", page, flags=re.S)
    return outside.count(f'action="{action}"')


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "确定修订"), ("en", "Yes, amend")])
def test_amend_asks_first(client, org, language, words):
    journal = submitted(services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 2)))
    client.force_login(org.rep)
    page = client.get(
        reverse("journals:journal_detail", args=[journal.pk]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    action = reverse("journals:journal_amend", args=[journal.pk])
    assert words in page
    assert f'action="{action}"' in page
    assert _forms_outside_confirm_steps(page, action) == 0


def test_quick_comments_ask_first(client, org):
    journal = submitted(services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 2)))
    client.force_login(org.supervisor)
    page = client.get(
        reverse("journals:journal_detail", args=[journal.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    action = reverse("journals:comment_add", args=[journal.pk])
    assert "is notified" in page
    assert _forms_outside_confirm_steps(page, action) == 1  # only the free comment box
