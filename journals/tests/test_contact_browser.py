"""Calls, WeChat and e-mails in Debian's chromium (docs/domain, section 3): the journal's
type selector hides the check-in and the in-person purposes; the customer's page logs a
call into today's journal and shows it on the timeline. Chinese and English."""

import pytest
from playwright.sync_api import expect

from customers.models import Stage
from journals.models import Visit
from journals.tests.factories import make_customer
from journals.tests.test_browser import open_form, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_wechat_from_the_journal_page_in_chinese(org, page_for, live_server):
    make_customer(org.rep, name="深圳腾飞科技有限公司", stage=Stage.TARGET)
    page = page_for(org.rep, width=375)
    page.goto(f"{live_server.url}/journals/today/")
    open_form(page, "记录拜访或跟进", "#visit-form")
    expect(page.locator("#visit-form .checkin-group")).to_be_visible()
    page.locator("#visit-form label", has_text="微信").click()
    expect(page.locator("#visit-form .checkin-group")).to_be_hidden()
    expect(page.locator("#visit-form select[name=purpose] option[value=first]")).to_be_disabled()
    pick(page, "#visit-form", "sztf", "深圳腾飞科技有限公司")
    page.select_option("#visit-form select[name=purpose]", "coordination")
    page.fill("#visit-form textarea[name=learned]", "微信确认了需求清单")
    page.click("#visit-form [data-testid=save-visit]")
    card = page.locator("#work-panel .visit-card")
    expect(card).to_have_count(1)
    expect(card.locator("[data-testid=channel]")).to_contain_text("微信")
    expect(page.locator("#work-panel [data-testid=contact-counts]")).to_contain_text(
        "1 次电话、微信或邮件"
    )
    assert Visit.objects.get().channel == "wechat"


def test_a_call_from_the_customer_page_in_english(org, page_for, live_server):
    customer = make_customer(org.rep, name="华信物流有限公司", stage=Stage.TARGET)
    page = page_for(org.rep, locale="en")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.click("[data-testid=log-follow-up]")
    expect(page.locator("h1")).to_contain_text("Log a follow-up")
    expect(page.locator("#contact-form [data-channel][value=phone]")).to_be_checked()
    page.fill("#contact-form textarea[name=learned]", "Renewal likely next month")
    page.click("#contact-form [data-testid=save-contact]")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("Phone call: Follow-up: service")
    expect(page.locator("body")).to_contain_text("Phone call recorded in today's journal.")
    assert Visit.objects.get().channel == "phone"
