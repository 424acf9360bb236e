"""On a 375 px phone the weekly report's figures table fits the screen: the achievement
column (达成率) and next week's goal need no horizontal scroll, in Chinese and English, in
the editor and on the submitted report's page."""

import pytest

from weekly.tests.factories import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_FIT = """() => {
  const table = document.querySelector('[data-testid=figures]');
  const box = table.parentElement;
  const last = table.querySelector('thead th:last-child').getBoundingClientRect();
  const cols = [...table.querySelectorAll('thead th')].map((th) => th.offsetWidth);
  return {cols, scroll: box.scrollWidth, width: box.clientWidth, lastRight: last.right,
          screen: document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_figures_table_fits_375_px(org, page_for, live_server, locale):
    r = report(org.rep, org.team_a)
    page = page_for(org.rep, width=375, locale=locale)
    for url in (f"/weekly/{r.pk}/edit/", f"/weekly/{r.pk}/"):
        page.goto(f"{live_server.url}{url}")
        fit = page.evaluate(_FIT)
        assert fit["scroll"] <= fit["width"], (url, fit)
        assert fit["lastRight"] <= fit["screen"], (url, fit)
