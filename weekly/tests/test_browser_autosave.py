"""In Debian's chromium, both languages: the rep types the weekly report's analysis, it is
saved as they type; adding a key customer keeps 结果分析, 下周目标 and 汇总."""

import pytest
from playwright.sync_api import expect

from journals.tests.factories import make_customer
from weekly.models import WeeklyReport
from weekly.tests.factories import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("locale", "saved"), [("zh-CN", "已于"), ("en", "Saved at")])
def test_weekly_report_autosaves_and_keeps_text_when_a_key_customer_is_added(
    org, page_for, live_server, locale, saved
):
    r = report(org.rep, org.team_a)
    make_customer(org.rep, name="深圳腾飞科技有限公司")
    page = page_for(org.rep, width=375, locale=locale)
    page.goto(f"{live_server.url}/weekly/{r.pk}/edit/")
    page.fill("#id_analysis", "拜访量不足，下周加量")
    expect(page.locator("#autosave-status")).to_contain_text(saved)
    r.refresh_from_db()
    assert r.analysis == "拜访量不足，下周加量"
    page.fill("#id_summary", "学习了 SPIN")
    page.fill("#id_goal_visits", "12")
    page.select_option("select[name=customer]", label="深圳腾飞科技有限公司")
    page.fill("#id_key_needs", "千兆专线")
    page.click("[data-testid=add-key-customer]")
    expect(page.locator("#key-customers")).to_contain_text("千兆专线")
    expect(page.locator("#id_analysis")).to_have_value("拜访量不足，下周加量")
    expect(page.locator("#id_summary")).to_have_value("学习了 SPIN")
    expect(page.locator("#id_goal_visits")).to_have_value("12")
    r = WeeklyReport.objects.get(pk=r.pk)
    assert r.next_goals == {"visits": "12"}
