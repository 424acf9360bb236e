"""The daily journey in Debian's chromium at phone width ("Done when"): the rep
plans, records three visits (one moves a customer to intent), submits; the supervisor
reviews and comments; the morning meeting shows it. Also: no lost work on reload."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Customer, Stage
from journals.models import Journal, Visit
from journals.tests.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick(page, form, query, name):
    page.fill(f"{form} input[type=search]", query)
    page.locator(f"{form} [data-pick-label='{name}']").click()
    expect(page.locator(f"{form} [data-picker-chosen]")).to_have_text(name)


def open_form(page, summary, form):
    page.wait_for_timeout(200)
    if not page.locator(form).is_visible():
        page.locator("summary", has_text=summary).click()
    expect(page.locator(form)).to_be_visible()


def test_rep_files_the_day_and_the_supervisor_reviews_it(org, page_for, live_server):
    make_customer(org.rep, name="深圳腾飞科技有限公司", stage=Stage.RELATIONSHIP)
    make_customer(org.rep, name="华信物流有限公司", stage=Stage.TARGET)
    page = page_for(org.rep, width=375, locale="en")
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 22.5431, "longitude": 114.0579, "accuracy": 25})
    page.goto(f"{live_server.url}/journals/today/")

    open_form(page, "Add to plan", "#plan-form")
    page.select_option("#plan-form select[name=purpose]", "explanation")
    pick(page, "#plan-form", "sztf", "深圳腾飞科技有限公司")  # pinyin initials
    page.fill("#plan-form textarea[name=preparation]", "带专线方案")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#work-panel .plan-item")).to_have_count(1)
    open_form(page, "Add to plan", "#plan-form")
    page.select_option("#plan-form select[name=purpose]", "first")
    pick(page, "#plan-form", "华信", "华信物流有限公司")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#work-panel .plan-item")).to_have_count(2)

    # visit 1: one click from the plan
    page.locator(".plan-item", has_text="华信物流").locator("[data-testid=visit-from-plan]").click()
    expect(page.locator("#work-panel .visit-card")).to_have_count(1)
    # visit 2: prefilled from the plan, checks in, moves the customer to intent
    page.locator(".plan-item", has_text="深圳腾飞").locator("[data-prefill-visit]").click()
    expect(page.locator("#visit-form [data-picker-chosen]")).to_have_text("深圳腾飞科技有限公司")
    page.fill("#visit-form textarea[name=learned]", "三个分支需要互联")
    page.select_option("#visit-form select[name=outcome]", "stage_advanced")
    page.select_option("#visit-form select[name=new_stage]", "intent")
    page.fill("#visit-form textarea[name=needs]", "三个分支专线互联")
    page.click("#visit-form [data-checkin]")
    expect(page.locator("#visit-form [data-checkin-status]")).to_contain_text("25")
    page.click("#visit-form [data-testid=save-visit]")
    expect(page.locator("#work-panel .visit-card")).to_have_count(2)
    # visit 3: a new lead created inline, with a dated next step
    open_form(page, "Record a visit", "#visit-form")
    page.fill("#visit-form input[type=search]", "星河电子有限公司")
    page.locator("#visit-form button", has_text="Create new lead").click()
    expect(page.locator("#visit-form [data-picker-chosen]")).to_have_text("星河电子有限公司")
    page.fill("#visit-form input[name=next_step]", "送报价")
    soon = timezone.localdate() + dt.timedelta(days=30)  # within a year of the visit
    page.fill("#visit-form input[name=next_step_date]", soon.isoformat())
    page.click("#visit-form [data-testid=save-visit]")
    expect(page.locator("#work-panel .visit-card")).to_have_count(3)

    page.fill("#id_summary", "三次拜访，腾飞达成意向")
    expect(page.locator("#autosave-status")).to_contain_text("Saved")
    # Leaving the field sends its "change" autosave; let it answer before the submit, as
    # the live server shares one SQLite connection between its request threads.
    with page.expect_response(lambda r: "/autosave/" in r.url):
        page.locator("#id_summary").blur()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("[data-testid=submit-journal]")
    expect(page.locator("[data-testid=journal-status]")).to_have_text("Submitted")

    journal = Journal.objects.get(rep=org.rep, day=timezone.localdate())
    assert journal.summary == "三次拜访，腾飞达成意向"
    assert Visit.objects.filter(journal=journal).count() == 3
    assert Customer.objects.get(name="深圳腾飞科技有限公司").stage == Stage.INTENT
    assert Visit.objects.filter(journal=journal, checked_in_at__isnull=False).count() == 1

    boss = page_for(org.supervisor, width=1280, locale="en")
    boss.goto(f"{live_server.url}/journals/inbox/")
    boss.locator("a", has_text="Start reading").click()
    boss.fill("#id_evaluation", "准备充分")
    boss.fill("#comments textarea[name=text]", "@rep 报价我来协调")
    boss.locator("#comments button", has_text="Comment").last.click()
    expect(boss.locator("#comments")).to_contain_text("报价我来协调")
    boss.fill("#id_evaluation", "准备充分")
    boss.click("[data-testid=mark-reviewed]")
    expect(boss.locator("[data-testid=journal-status]")).to_have_text("Reviewed")
    boss.goto(f"{live_server.url}/journals/morning-meeting/")
    card = boss.locator("[data-testid=meeting-card]", has_text=org.rep.name)
    expect(card).to_contain_text("深圳腾飞科技有限公司")
    journal.refresh_from_db()
    assert (journal.status, journal.evaluation) == (Journal.Status.REVIEWED, "准备充分")


def test_text_typed_before_a_reload_is_not_lost(org, page_for, live_server):
    page = page_for(org.rep, width=375, locale="en")
    page.goto(f"{live_server.url}/journals/today/")
    page.locator("#id_takeaways").press_sequentially("锁屏前写的", delay=5)
    page.reload()  # before the autosave fired
    expect(page.locator("#id_takeaways")).to_have_value("锁屏前写的")
    expect(page.locator("#autosave-status")).to_contain_text("Saved")
    assert Journal.objects.get(rep=org.rep).takeaways == "锁屏前写的"
