"""The global search in Debian's chromium: "/" focuses the menu's box from any page (also on
a phone, where the menu is folded), live suggestions come and go with the keyboard, Enter
opens the grouped results and a hit opens its object."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.scoping import local_today
from customers.tests.factories import make_customer
from journals.models import Journal
from journals.tests.factories import visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _data(org):
    tengfei = make_customer(org.rep, name="深圳腾飞科技有限公司")
    make_customer(org.rep, name="上海新阳半导体材料")
    journal = Journal.objects.create(
        rep=org.rep, team=org.team_a, day=local_today() - dt.timedelta(days=1)
    )
    visit(journal, tengfei, learned="客户需要专线扩容")
    return tengfei


def test_slash_suggestions_and_results_with_the_keyboard(org, page_for, live_server):
    tengfei = _data(org)
    page = page_for(org.rep, locale="zh-CN")
    page.goto(f"{live_server.url}/customers/")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    box = page.locator("#global-search")
    expect(box).to_be_focused()
    page.keyboard.type("sztf")
    suggestions = page.locator("[data-testid=search-suggestions]")
    expect(suggestions).to_contain_text("深圳腾飞科技有限公司")
    expect(suggestions).not_to_contain_text("上海新阳")
    page.keyboard.press("ArrowDown")
    expect(suggestions.locator("a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(suggestions).to_have_count(0)
    expect(box).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[data-testid=count-customers]")).to_have_text("1")
    expect(page.locator("[data-testid=group-customers] mark")).to_have_text("深圳腾飞")
    with page.expect_navigation():
        page.locator("[data-testid=group-customers] [data-testid=search-hit]").first.click()
    assert page.url.endswith(f"/customers/{tengfei.pk}/")


def test_on_a_phone_slash_opens_the_menu_and_results_read_in_english(org, page_for, live_server):
    _data(org)
    page = page_for(org.rep, width=375, locale="en")
    page.goto(f"{live_server.url}/customers/")
    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("专线")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Search")
    journals = page.locator("[data-testid=group-journals]")
    expect(journals.locator("mark")).to_have_text("专线")
    expect(page.locator("[data-testid=count-journals]")).to_have_text("1")
    expect(page.locator("[data-testid=kind-customers]")).to_be_hidden()  # none: folded away
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
