"""Browser journeys through Debian's chromium: login, navigation, language switch, phone width."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_logs_in_and_sees_the_navigation_in_chinese(org, page_for, live_server):
    page = page_for(org.rep)
    page.goto(f"{live_server.url}/accounts/profile/")
    assert page.url.startswith(live_server.url)
    assert "/accounts/login/" not in page.url
    expect(page.locator("nav .navbar-brand")).to_have_text("SalesOps 销售管理")
    assert page.locator("button", has_text="退出登录").count() == 1


def test_language_switcher_changes_the_page_to_english(org, page_for, live_server):
    page = page_for(org.rep)
    page.goto(f"{live_server.url}/accounts/profile/")
    expect(page.locator("h1")).to_have_text("个人资料")
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    expect(page.locator("h1")).to_have_text("Profile")


def test_wrong_password_shows_an_error_not_a_crash(org, page_for, live_server):
    page = page_for(None, locale="en")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "rep")
    page.fill("input[name=password]", "not the password")
    page.click("form button[type=submit]")
    assert page.locator(".alert-danger").count() == 1


def test_login_page_fits_a_phone_screen(page_for, live_server, db):
    page = page_for(None, width=375)
    page.goto(f"{live_server.url}/accounts/login/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
