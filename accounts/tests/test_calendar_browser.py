"""The work calendar's year view in chromium, in Chinese and in English: the admin reaches it
from the menu, marks a 2027 Spring Festival day off with a name, and the notice goes."""

import os

import pytest
from playwright.sync_api import expect

from accounts.models import CalendarDay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SALESOPS_SCREENSHOTS")  # a folder to keep screenshots in, when set


def _mark_day_off(page, day: str, name: str, save: str) -> None:
    page.click(f'[data-testid=year-grid] a[data-day="{day}"]')
    editor = page.locator("[data-testid=day-editor]")
    expect(editor).to_contain_text(day)
    editor.locator("input[name=is_workday][value='0']").check()
    editor.locator("input[name=name]").fill(name)
    with page.expect_navigation():
        editor.get_by_role("button", name=save).click()


@pytest.mark.parametrize(
    ("locale", "menu", "heading", "save", "off"),
    [
        ("zh-CN", "工作日历", "工作日历 2027", "保存", "休息日"),
        ("en", "Work calendar", "Work calendar 2027", "Save", "day off"),
    ],
)
def test_admin_enters_spring_festival_in_the_year_view(
    org, page_for, live_server, locale, menu, heading, save, off
):
    page = page_for(org.admin, locale=locale)
    page.goto(f"{live_server.url}/accounts/profile/")
    # today is in December and the package does not cover 2027: the admin is told so
    notice = page.locator("[data-testid=calendar-notice]")
    if notice.count():  # only from December 1st on
        expect(notice).to_contain_text("2027")
    page.locator("[data-testid=nav-more]").click()  # a setup page: under "More"
    page.locator("nav").get_by_role("link", name=menu).click()
    page.goto(f"{live_server.url}/accounts/calendar/?year=2027")
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("[data-testid=year-grid] .card")).to_have_count(12)
    expect(page.locator("[data-testid=calendar-uncovered]")).to_be_visible()
    cell = page.locator('[data-testid=year-grid] a[data-day="2027-02-09"]')
    expect(cell).to_have_attribute("data-status", "work")

    _mark_day_off(page, "2027-02-09", "春节", save)

    expect(cell).to_have_attribute("data-status", "off")
    expect(page.locator("[data-testid=calendar-entries]")).to_contain_text("春节")
    expect(page.locator("[data-testid=calendar-entries]")).to_contain_text(off)
    expect(page.locator("[data-testid=calendar-uncovered]")).to_have_count(0)
    expect(page.locator("[data-testid=calendar-notice]")).to_have_count(0)
    assert CalendarDay.objects.get().name == "春节"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"calendar-{locale}.png"), full_page=True)


def test_year_view_fits_a_phone(org, page_for, live_server):
    page = page_for(org.admin, width=375)
    page.goto(f"{live_server.url}/accounts/calendar/?year=2027&day=2027-02-09")
    expect(page.locator("[data-testid=day-editor]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
