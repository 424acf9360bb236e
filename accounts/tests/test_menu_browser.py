"""The top menu fits one row on a laptop (1366 px and 1280 px) for every role in both
languages: the less-used entries sit under "More", a dropdown a keyboard can open."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: The tops of the menu's entries (left list and right list), in CSS pixels.
TOPS = """() => Array.from(document.querySelectorAll('#mainnav > ul > li'))
    .map(li => Math.round(li.getBoundingClientRect().top))"""


@pytest.mark.parametrize("role", ["rep", "supervisor", "manager", "admin"])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_menu_is_one_row_at_laptop_widths(org, page_for, live_server, role, locale):
    user = getattr(org, role)
    for width in (1366, 1280):
        page = page_for(user, width=width, locale=locale)
        page.goto(f"{live_server.url}/customers/")
        tops = page.evaluate(TOPS)
        assert len(tops) >= 5, tops
        assert max(tops) - min(tops) <= 8, (width, tops)
        height = page.evaluate("document.querySelector('nav.navbar').offsetHeight")
        assert height <= 64, (width, height)


def test_more_opens_from_the_keyboard(org, page_for, live_server):
    page = page_for(org.admin, width=1366, locale="en")
    page.goto(f"{live_server.url}/customers/")
    toggle = page.locator("[data-testid=nav-more]")
    toggle.focus()
    page.keyboard.press("Enter")
    menu = page.locator("[data-testid=nav-more-menu]")
    assert menu.is_visible()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Projects"  # the first entry under "More"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url != f"{live_server.url}/customers/"
    assert page.locator("[data-testid=nav-more].active").count() == 1
