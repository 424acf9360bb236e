"""A long unbroken word someone typed (a customer's name, an API token's name) does not
widen a phone's page: chromium at 375 px, both languages."""

from __future__ import annotations

import pytest

from accounts.services import api_token_create
from customers.tests.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Supercalifragilisticexpialidocious" * 5


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_long_names_wrap_on_a_phone(org, page_for, live_server, locale):
    customer = make_customer(org.rep, name=LONG)
    api_token_create(user=org.rep, name=LONG[:100], expires_in_days=None)
    page = page_for(org.rep, width=375, locale=locale)
    for path in (f"/customers/{customer.pk}/", "/accounts/profile/"):
        page.goto(f"{live_server.url}{path}")
        assert LONG[:40] in page.content(), path
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
