"""On a 375 px phone, Today's autosave note never covers the sticky "Submit journal" button:
its middle to right, upper to lower part is hit-testable with ``document.elementFromPoint``,
in Chinese and English, at the top and at the end of the page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_HITS = """(selector) => {
  const button = document.querySelector(selector);
  const box = button.getBoundingClientRect();
  const points = [];
  for (const fy of [0.25, 0.5, 0.75]) {
    for (const fx of [0.5, 0.75, 0.95]) {
      points.push([box.left + box.width * fx, box.top + box.height * fy]);
    }
  }
  const bar = document.getElementById('autosave-status').getBoundingClientRect();
  return {
    hits: points.map(([x, y]) => button.contains(document.elementFromPoint(x, y))),
    button: [box.left, box.top, box.right, box.bottom],
    bar: [bar.left, bar.top, bar.right, bar.bottom],
  };
}"""


@pytest.mark.parametrize(("locale", "label"), [("zh-CN", "提交日志"), ("en", "Submit journal")])
def test_the_autosave_bar_leaves_the_submit_button_tappable(
    org, page_for, live_server, locale, label
):
    page = page_for(org.rep, width=375, locale=locale)
    page.goto(f"{live_server.url}/journals/today/")
    selector = ".sticky-actions button[type=submit]"
    assert page.locator(selector).inner_text().strip() == label
    for scroll in ("window.scrollTo(0, 0)", "window.scrollTo(0, document.body.scrollHeight)"):
        page.evaluate(scroll)
        found = page.evaluate(_HITS, selector)
        assert all(found["hits"]), found
