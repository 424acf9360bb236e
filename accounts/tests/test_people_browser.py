"""The people area in chromium on a phone (375x812), in Chinese and in English: the admin opens
People from the menu, deactivates a leaver and hands their customers to a colleague in one
step; none of the people pages scrolls sideways."""

import os

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from customers.models import Customer, Ownership
from customers.services import customer_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SALESOPS_SCREENSHOTS")  # a folder to keep screenshots in, when set
WIDTH, HEIGHT = 375, 812


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide"


@pytest.mark.parametrize(
    ("locale", "menu", "submit", "done"),
    [
        ("zh-CN", "人员", "停用并移交", "已停用"),
        ("en", "People", "Deactivate and hand over", "Deactivated"),
    ],
)
def test_admin_deactivates_a_leaver_and_their_customers_go_to_a_colleague(
    org, page_for, live_server, locale, menu, submit, done
):
    customers = [
        customer_create(by=org.rep, name=f"手机交接客户{i}有限公司", owner=org.rep, stage="lead")
        for i in range(3)
    ]
    page = page_for(org.admin, width=WIDTH, locale=locale)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.locator(".navbar-toggler").click()
    page.locator("[data-testid=nav-more]").click()  # a setup page: under "More"
    page.locator("nav").get_by_role("link", name=menu, exact=True).click()
    expect(page.locator("[data-testid=people-table]")).to_be_visible()
    _fits(page)
    page.locator("[data-testid=person-row][data-username=rep] a").click()
    expect(page.locator("h1")).to_contain_text(org.rep.display_name)
    _fits(page)
    form = page.locator("[data-testid=offboard-form]")
    expect(form).to_contain_text("3")
    form.locator("select[name=colleague]").select_option(str(org.teammate.pk))
    form.locator("input[name=reason]").fill("离职交接")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.get_by_role("button", name=submit).click()
    expect(page.locator("[data-testid=person-deactivated]")).to_have_text(done)
    _fits(page)
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"people-leaver-{locale}.png"), full_page=True)
    assert set(
        Customer.objects.filter(pk__in=[c.pk for c in customers]).values_list("owner", flat=True)
    ) == {org.teammate.pk}
    assert Ownership.objects.filter(customer__in=customers, owner=org.rep).count() == 3
    assert not Membership.objects.filter(user=org.rep, end__isnull=True).exists()
    org.rep.refresh_from_db()
    assert not org.rep.is_active
    for path in [
        "/accounts/people/new/",
        "/accounts/people/import/",
        "/accounts/people/teams/new/",
        f"/accounts/people/{org.teammate.pk}/edit/",
        f"/accounts/people/teams/{org.team_a.code}/edit/",
        "/accounts/people/?q=nobody-at-all",
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("h1")).to_be_visible()
        _fits(page)
