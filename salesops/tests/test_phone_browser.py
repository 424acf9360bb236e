"""Phones first (375x812, both languages): no main page scrolls sideways, filters are
folded away, the language switcher sits in the menu, and the app can be added to the
home screen (a web app manifest with PNG icons)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.scoping import scope_for
from customers.models import Stage
from journals import services as journal_services
from journals.models import Purpose
from journals.services import action_item_add, minutes_save_notes
from journals.tests.factories import make_customer, plan, submitted, visit
from weekly.demo import GOAL_METRICS
from weekly.models import ReportStatus, WeeklyReport
from weekly.selectors import meeting_default_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "rep": [
        "journals:today",
        "kpi:dashboard",
        "customers:customer_list",
        "journals:journal_list",
        "journals:calendar",
        "weekly:report_list",
        "weekly:report_current",
        "coaching:plan_list",
        "accounts:profile",
        "accounts:notification_list",
    ],
    "supervisor": [
        "journals:inbox",
        "journals:morning_meeting",
        "/journals/morning-meeting/?present=1",
        "/journals/meetings/minutes/?kind=morning",
        "journals:follow_ups",
        "kpi:dashboard",
        "/kpi/drilldown/?scope=team:north-1&metric=funnel_target",
        "kpi:target_list",
        "customers:customer_list",
        "customers:pool",
        "projects:project_list",
        "journals:journal_list",
        "weekly:report_list",
        "weekly:meeting",
        "/weekly/meeting/?present=1",
        "/journals/meetings/minutes/?kind=weekly",
        "coaching:plan_list",
        "coaching:heatmap",
        "coaching:recognition_board",
        "accounts:team_list",
        "/accounts/teams/north-1/",
        "/accounts/teams/north-1/channels/",
        "journals:submission_stats",
        "customers:customer_bulk",
        "weekly:owed",
    ],
    "manager": [
        "kpi:dashboard",
        "/kpi/drilldown/?scope=branch:north&metric=funnel_target",
        "kpi:target_list",
        "kpi:analysis_list",
        "customers:customer_list",
        "projects:project_list",
        "journals:journal_list",
        "weekly:report_list",
        "weekly:meeting",
        "/weekly/meeting/?present=1",
        "/journals/meetings/minutes/?kind=weekly",
        "coaching:plan_list",
        "coaching:heatmap",
        "accounts:team_list",
        "weekly:owed",
    ],
    "admin": [
        "kpi:dashboard",
        "customers:import_list",
        "accounts:calendar",
        "accounts:pool_rules",
        "customers:customer_list",
    ],
}


def _data(org) -> None:
    day = timezone.localdate()
    for i in range(6):
        c = make_customer(
            org.rep, name=f"深圳市长名字的科技股份有限公司第{i}分公司", stage=Stage.TARGET
        )
        make_customer(org.teammate, name=f"华信物流有限公司{i}", stage=Stage.INTENT)
    yesterday = journal_services.journal_get_or_create_today(
        rep=org.rep, day=day - dt.timedelta(days=1)
    )
    plan(yesterday, Purpose.FIRST, c)
    visit(yesterday, c, next_step="送报价", next_step_date=day)
    submitted(yesterday)
    today = journal_services.journal_get_or_create_today(rep=org.rep, day=day)
    plan(today, Purpose.EXPLANATION, c, preparation="带方案")
    # The weekly meeting's last complete week: both reps far below a plan of every goal,
    # so each slide has a long "below plan: ..." badge (it made meeting mode 1077 px wide).
    week = meeting_default_period()
    for rep in (org.rep, org.teammate):
        WeeklyReport.objects.create(
            rep=rep,
            team=org.team_a,
            week=week.start,
            status=ReportStatus.SUBMITTED,
            plan={m: "99" for m in GOAL_METRICS},
        )
    # minutes with long action items at both meetings
    scope = scope_for(org.supervisor, day)
    for kind, when in (("morning", day), ("weekly", week.start)):
        args = {"scope": scope, "team": org.team_a, "kind": kind, "day": when}
        minutes_save_notes(**args, notes="王芳的复访计划要具体，" * 20, by=org.supervisor)
        action_item_add(
            **args,
            item_kind="action",
            text="给深圳市长名字的科技股份有限公司第五分公司送专线与云桌面的组合报价" * 3,
            owner=org.teammate,
            due=day + dt.timedelta(days=3),
            by=org.supervisor,
        )


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_no_main_page_scrolls_sideways_on_a_phone(org, page_for, live_server, locale):
    _data(org)
    wide = []
    for persona, names in PAGES.items():
        page = page_for(getattr(org, persona), width=375, locale=locale)
        page.set_viewport_size({"width": 375, "height": 812})
        for name in names:
            page.goto(live_server.url + (name if name.startswith("/") else reverse(name)))
            page.wait_for_load_state("load")
            width = _overflow(page)
            if width > 375:
                wide.append(f"{persona} {name}: {width}px")
            elif page.url.endswith("/accounts/login/") or "login" in page.url:
                wide.append(f"{persona} {name}: sent to the login page")
    assert wide == []


@pytest.mark.parametrize(
    ("persona", "path", "form_id"),
    [
        ("supervisor", "/customers/", "#customer-filter"),
        ("manager", "/kpi/", "#kpi-filter"),
    ],
)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_phone_menu_has_the_language_switcher_and_filters_fold_away(
    org, page_for, live_server, locale, persona, path, form_id
):
    page = page_for(getattr(org, persona), width=375, locale=locale)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}{path}")
    form = page.locator(form_id)
    toggle = page.locator("[data-testid=filters-toggle]")
    expect(form).to_be_hidden()
    expect(toggle).to_be_visible()
    toggle.click()
    expect(form).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    switcher = page.locator("#language-select")
    expect(switcher).to_be_hidden()  # inside the folded menu
    page.locator(".navbar-toggler").click()
    expect(switcher).to_be_visible()
    other = "zh-hans" if locale == "en" else "en"
    with page.expect_navigation():
        switcher.select_option(other)
    expect(page.locator("html")).to_have_attribute("lang", other)
    # a wide screen shows the filters and no toggle
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(form_id)).to_be_visible()
    expect(page.locator("[data-testid=filters-toggle]")).to_be_hidden()


def test_the_app_can_be_added_to_the_home_screen(org, page_for, live_server):
    page = page_for(org.rep, width=375)
    page.goto(f"{live_server.url}/journals/today/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(live_server.url + href)
    assert response.ok
    manifest = response.json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    sizes = set()
    for icon in manifest["icons"]:
        got = page.request.get(live_server.url + href.rsplit("/", 1)[0] + "/" + icon["src"])
        assert got.ok
        assert got.headers["content-type"] == "image/png"
        assert got.body()[:8] == b"\x89PNG\r\n\x1a\n"
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes
    touch = page.locator("link[rel=apple-touch-icon]").get_attribute("href")
    assert page.request.get(live_server.url + touch).ok


def test_journal_text_and_a_plan_item_typed_offline_are_sent_when_the_network_returns(
    org, page_for, live_server
):
    from journals.models import Journal, PlanItem

    make_customer(org.rep, name="深圳腾飞科技有限公司", stage=Stage.RELATIONSHIP)
    page = page_for(org.rep, width=375, locale="en")
    # The resend waits for the browser's online event and a retry; on a loaded CI machine
    # that can take longer than the default 10 s.
    page.set_default_timeout(30_000)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/journals/today/")
    page.context.set_offline(True)
    page.fill("#id_summary", "地铁里写的总结")
    expect(page.locator("#journal-summary [data-testid=offline-note]")).to_be_visible(
        timeout=30_000
    )
    page.context.set_offline(False)
    expect(page.locator("#autosave-status")).to_contain_text("Saved", timeout=30_000)
    expect(page.locator("#journal-summary [data-testid=offline-note]")).to_be_hidden(timeout=30_000)
    assert Journal.objects.get(rep=org.rep).summary == "地铁里写的总结"

    page.wait_for_timeout(200)
    if not page.locator("#plan-form").is_visible():
        page.locator("summary", has_text="Add to plan").click()
    page.select_option("#plan-form select[name=purpose]", "explanation")
    page.fill("#plan-form input[type=search]", "sztf")
    page.locator("#plan-form [data-pick-label='深圳腾飞科技有限公司']").click()
    page.context.set_offline(True)
    page.fill("#plan-form textarea[name=preparation]", "带专线方案")
    page.click("#plan-form button[type=submit]")
    expect(page.locator("#plan-form [data-testid=offline-note]")).to_be_visible(timeout=30_000)
    assert PlanItem.objects.count() == 0
    page.context.set_offline(False)
    expect(page.locator("#work-panel .plan-item")).to_have_count(1, timeout=30_000)
    assert PlanItem.objects.get().preparation == "带专线方案"
