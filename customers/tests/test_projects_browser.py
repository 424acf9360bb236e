"""A big-account project in Debian's chromium, as a new user would: the rep opens a project
for a group customer, fills the decision chain, moves through three control points and
uploads a proposal; the supervisor sees it at the weekly meeting and the forecast with its
back-test on the team dashboard; the project page fits a 375 px phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from customers.models import DocumentVersion, Project
from customers.services import customer_change_stage
from customers.tests.factories import make_customer
from domain import forecast as fc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _history(org) -> None:
    """Some stage history, so the back-test has cohorts and deals to show."""
    now = fc.month_index(timezone.localdate())
    for i in range(4):
        start = fc.month_start(now - 5 + (i % 2))
        at = timezone.make_aware(dt.datetime(start.year, start.month, 5, 10))
        c = make_customer(org.rep, stage="lead", at=at)
        customer_change_stage(
            customer=c,
            to_stage="intent",
            by=org.rep,
            at=at + dt.timedelta(days=3),
            check_required=False,
        )
        if i < 2:
            customer_change_stage(
                customer=c, to_stage="deal", by=org.rep, at=at + dt.timedelta(days=35)
            )


def test_a_rep_runs_a_project_and_the_supervisor_sees_it_with_the_forecast(
    org, page_for, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    shots = tmp_path
    _history(org)
    customer = make_customer(
        org.rep, name="深圳云海集团有限公司", segment="group", stage="relationship"
    )
    page = page_for(org.rep, locale="en")

    page.goto(f"{live_server.url}/projects/")
    page.click("[data-testid=project-new]")
    page.select_option("select[name=customer]", str(customer.pk))
    page.fill("input[name=name]", "Cloud network project")
    page.fill("input[name=expected_value]", "25000")
    page.fill(
        "input[name=expected_signing]", (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    )
    page.get_by_role("button", name="Open project").click()
    expect(page.locator("[data-testid=project-name]")).to_have_text("Cloud network project")
    project = Project.objects.get(customer=customer)

    page.locator("#chain summary").click()
    page.fill("input[name=new_name]", "Mr Zhou")
    page.fill("input[name=new_title]", "CIO")
    page.select_option("#chain select[name=role]", "decision_maker")
    page.select_option("#chain select[name=attitude]", "supporter")
    page.get_by_role("button", name="Add to the chain").click()
    page.locator("#chain summary").click()
    page.fill("input[name=new_name]", "Ms Li")
    page.select_option("#chain select[name=role]", "influencer")
    page.fill("#chain input[name=order]", "2")
    page.get_by_role("button", name="Add to the chain").click()
    chain = page.locator("[data-testid=decision-chain]")
    expect(chain).to_contain_text("1. Mr Zhou")
    expect(chain).to_contain_text("2. Ms Li")

    for position, code in ((1, "relationship"), (2, "needs"), (3, "decision")):
        point = page.locator(f"[data-testid=point-{code}]")
        point.locator("summary").click()
        point.locator(f"select[name=p{position}-status]").select_option("done")
        point.locator(f"textarea[name=p{position}-text]").fill(f"Step {position} done")
        point.get_by_role("button", name="Save update").click()
        expect(page.locator(f"[data-testid=point-{code}]")).to_have_attribute("data-status", "done")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("Step 3 done")

    page.locator("#documents summary").click()
    page.select_option("#documents select[name=kind]", "proposal")
    page.fill("#documents input[name=title]", "Solution proposal")
    page.set_input_files(
        "#documents input[name=file]",
        files=[{"name": "proposal.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("[data-testid=documents]")).to_contain_text("v1 proposal.pdf")
    assert DocumentVersion.objects.filter(document__project=project).count() == 1
    page.screenshot(path=shots / "project.png", full_page=True)

    phone = page_for(org.rep, width=375, locale="zh-CN")
    phone.goto(f"{live_server.url}/projects/{project.pk}/")
    expect(phone.locator("[data-testid=project-name]")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=shots / "project-375.png", full_page=True)
    for path in ("/projects/", "/projects/board/"):
        phone.goto(f"{live_server.url}{path}")
        expect(phone.locator("h1")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375, path

    boss = page_for(org.supervisor, locale="en")
    boss.goto(f"{live_server.url}/weekly/meeting/?team={org.team_a.pk}")
    projects = boss.locator("[data-testid=team-projects]")
    expect(projects).to_contain_text("Cloud network project")
    expect(projects).to_contain_text("Solution proposal v1")

    boss.goto(f"{live_server.url}/kpi/team/{org.team_a.code}/")
    expect(boss.locator("[data-testid=forecast-table]")).to_be_visible()
    expect(boss.locator("[data-testid=backtest-table]")).to_be_visible()
    expect(boss.locator("[data-testid=backtest-table] tbody tr")).to_have_count(6)
    expect(boss.locator("[data-forecast-chart] canvas")).to_have_count(1)
    boss.screenshot(path=shots / "dashboard.png", full_page=True)
