"""A leaver's customers move to a colleague in one step, in chromium at 375x812 in both
languages, and the phone page does not scroll sideways."""

import pytest
from playwright.sync_api import expect

from customers.models import Customer, Ownership
from customers.tests.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DONE = {"en": "handed over to", "zh-CN": "移交给"}


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_supervisor_hands_a_leavers_customers_to_a_colleague(org, page_for, live_server, locale):
    for i in range(4):
        make_customer(org.rep, name=f"深圳离职交接测试有限公司{i}")
    page = page_for(org.supervisor, width=375, locale=locale)
    page.set_viewport_size({"width": 375, "height": 812})
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/customers/")
    page.click("[data-testid=bulk-link]")
    page.select_option("[data-testid=handover-leaver]", str(org.rep.pk))
    page.select_option("[data-testid=handover-owner]", str(org.teammate.pk))
    page.fill("[data-testid=handover-reason]", "张伟离职")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    with page.expect_navigation():
        page.click("[data-testid=handover-submit]")
    expect(page.locator(".alert-success")).to_contain_text(DONE[locale])
    expect(page.locator("[data-testid=bulk-list] li")).to_have_count(4)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert Customer.objects.filter(owner=org.teammate).count() == 4
    assert Customer.objects.filter(owner=org.rep).count() == 0
    assert Ownership.objects.filter(owner=org.rep, end__isnull=False).count() == 4
