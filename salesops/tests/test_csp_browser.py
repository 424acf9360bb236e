"""The Content-Security-Policy in Debian's chromium: htmx, ECharts and the behaviour that used
to be inline (auto-submitting pickers, confirmation questions) keep working, and the page
fixture fails any test whose pages report a policy violation on the console."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import Customer
from customers.tests.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_policy_blocks_inline_script_and_the_page_scripts_still_run(org, page_for, live_server):
    page = page_for(org.manager, locale="en")
    page.goto(f"{live_server.url}/kpi/")
    # Our own static scripts ran: htmx and ECharts are loaded, a chart drew a canvas.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.echarts") == "object"
    expect(page.locator("canvas").first).to_be_attached()
    # An injected inline script does not run (this is what the policy is for).
    blocked = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener(
                "securitypolicyviolation", (e) => resolve(e.violatedDirective));
            const s = document.createElement("script");
            s.textContent = "window.__injected = 1";
            document.body.appendChild(s);
            setTimeout(() => resolve(window.__injected ? "ran" : "silent"), 1000);
        })"""
    )
    assert blocked.startswith("script-src")
    assert page.evaluate("window.__injected") is None
    page_for.csp_violations.clear()  # the one violation this test caused on purpose


def test_pickers_submit_on_change_and_release_all_asks_first(org, page_for, live_server):
    long_ago = timezone.now() - dt.timedelta(days=400)
    customer = make_customer(org.rep, team=org.team_a, at=long_ago)
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=long_ago, created_at=long_ago)
    page = page_for(org.supervisor, locale="en")
    page.goto(f"{live_server.url}/customers/pool/")
    questions: list[str] = []

    def dismiss(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Release all 1 stalled customer").click()
    page.wait_for_timeout(300)
    assert questions == ["Release every customer without follow-up to the public pool?"]
    customer.refresh_from_db()
    assert customer.owner_id == org.rep.pk  # dismissed: nothing released

    page.goto(f"{live_server.url}/journals/stats/")
    with page.expect_navigation():
        page.select_option("#weeks", "4")
    assert "weeks=4" in page.url
