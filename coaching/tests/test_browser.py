"""The coaching journey in Debian's chromium: the supervisor opens
the team heat map, opens a finding, creates a plan from it, logs a session; the rep opens
the plan at phone width and acknowledges it."""

import pytest
from playwright.sync_api import expect

from coaching.models import CoachingPlan, FollowUpSession, Symptom

from .factories import make_finding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_turns_a_finding_into_a_plan_and_the_rep_acknowledges(
    org, page_for, live_server, tmp_path
):
    shots = tmp_path  # screenshots to look at when the test fails
    from accounts.scoping import local_today
    from kpi.calculations import period_of

    month = period_of(local_today(), "month")
    finding = make_finding(
        org.rep, org.team_a, symptom=Symptom.NO_FOLLOW_UP, period_start=month.start
    )

    page = page_for(org.supervisor, locale="en")
    page.goto(f"{live_server.url}/coaching/heatmap/")
    heat = page.locator("[data-testid=heatmap]")
    expect(heat).to_contain_text(org.rep.display_name)
    page.screenshot(path=shots / "heatmap.png", full_page=True)
    heat.locator(f"a[href='/coaching/findings/{finding.pk}/']").click()
    expect(page.locator("h1")).to_have_text("Agreed next steps not followed up")
    expect(page.locator("[data-testid=figures]")).to_contain_text("Overdue next steps")

    page.click("[data-testid=plan-from-finding]")
    expect(page.locator("textarea[name=problem]")).to_have_value(
        "Agreed next steps not followed up"
    )
    page.get_by_role("button", name="Create plan").click()
    expect(page.locator("[data-testid=measures] li")).to_have_count(2)
    plan = CoachingPlan.objects.get(finding=finding)

    page.fill("textarea[name=notes]", "Reviewed the overdue next steps together")
    page.fill("input[name=next_step]", "Call the three customers by Friday")
    page.locator("form", has=page.locator("textarea[name=notes]")).locator(
        "button[type=submit]"
    ).click()
    expect(page.locator("[data-testid=sessions]")).to_contain_text("Reviewed the overdue")
    assert FollowUpSession.objects.filter(plan=plan).count() == 1
    page.screenshot(path=shots / "plan.png", full_page=True)

    rep_page = page_for(org.rep, width=375, locale="en")
    rep_page.goto(f"{live_server.url}/coaching/plans/{plan.pk}/")
    expect(rep_page.locator("[data-testid=effect]")).to_be_visible()
    rep_page.click("[data-testid=acknowledge]")
    expect(rep_page.get_by_text("Acknowledged by the rep on")).to_be_visible()
    rep_page.screenshot(path=shots / "rep-plan.png", full_page=True)
    plan.refresh_from_db()
    assert plan.acknowledged_at is not None
    assert plan.start == local_today()
