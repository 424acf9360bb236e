"""QA findings on the journals app, each reproduced before the fix: bad dates in query
strings (M1), plan items done per plan item (M2), language-independent revision diffs
(M5), GET on /journals/new/ (m6), far next-step dates (m7), inbox and plan-row layout
(m8, m9, see test_browser-style checks below) and no-store on state pages (m11)."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from journals import services
from journals.models import Exemption, Journal, JournalRevision, PlanItem, Purpose, Visit
from journals.tests.factories import local_dt, make_customer, plan, submitted, visit

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(org):
    return services.journal_get_or_create_today(rep=org.rep, day=DAY)


def _flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- M1: bad dates never answer 500 -------------------------------------------------------

BAD_DAYS = ["2026-13-45", "2026-02-30", "9999-12-31", "0001-01-01", "abc", "2026-1-1-1"]


@pytest.mark.parametrize("raw", BAD_DAYS)
@pytest.mark.parametrize("name", ["journals:inbox", "journals:morning_meeting"])
def test_bad_day_falls_back_to_today_with_a_message(client, org, name, raw):
    client.force_login(org.supervisor)
    response = client.get(reverse(name), {"team": org.team_a.pk, "day": raw})
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()
    assert _flash(response), "a flash message explains the fallback"


@pytest.mark.parametrize("raw", ["9999-12", "0001-01", "2026-13", "2026-00", "x-y", "10000-01"])
@pytest.mark.parametrize("name", ["journals:calendar", "journals:export_month"])
def test_bad_month_falls_back_to_this_month(client, org, name, raw):
    client.force_login(org.rep)
    response = client.get(reverse(name), {"month": raw})
    assert response.status_code == 200
    if name == "journals:calendar":
        assert response.context["month"] == timezone.localdate().replace(day=1)
        assert _flash(response)


def test_good_day_and_month_still_work(client, org):
    client.force_login(org.supervisor)
    response = client.get(reverse("journals:inbox"), {"team": org.team_a.pk, "day": "2026-03-02"})
    assert response.context["day"] == DAY
    assert not _flash(response)
    response = client.get(reverse("journals:calendar"), {"month": "2026-03"})
    assert response.context["month"] == dt.date(2026, 3, 1)


@pytest.mark.parametrize("raw", ["2026-13-45", "9999-12-31", "0001-01-01"])
def test_journal_create_with_a_bad_day_does_not_crash(client, org, raw):
    client.force_login(org.rep)
    response = client.post(reverse("journals:journal_create"), {"day": raw})
    assert response.status_code == 302
    assert not Journal.objects.filter(rep=org.rep).exclude(day=timezone.localdate()).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date_from": "2026-13-45"},
        {"date_to": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "0001-01-01"},
    ],
)
def test_journal_list_date_filters_never_500(client, org, data):
    client.force_login(org.supervisor)
    assert client.get(reverse("journals:journal_list"), data).status_code == 200


@pytest.mark.parametrize("day", ["2026-13-45", "9999-12-31", "0001-01-01"])
def test_exemption_with_an_extreme_day_is_a_message_not_a_500(client, org, day):
    client.force_login(org.supervisor)
    response = client.post(
        reverse("journals:exemption_add"),
        {"user": org.rep.pk, "kind": "leave", "start": day, "end": day},
    )
    assert response.status_code == 302
    assert _flash(response), "the bad date is explained"
    assert not Exemption.objects.exists()


# --- M2: a plan item is done only by its own visit ----------------------------------------


def _done(client, journal) -> dict[int, bool]:
    response = client.get(reverse("journals:journal_work", args=[journal.pk]))
    return {
        item.pk: item.done for group in response.context["plan_groups"] for item in group["items"]
    }


def test_visited_marks_only_that_plan_item(client, org, draft):
    customer = make_customer(org.rep)
    first = plan(draft, Purpose.FIRST, customer)
    closing = plan(draft, Purpose.CLOSING, customer)
    client.force_login(org.rep)
    client.post(reverse("journals:visit_from_plan", args=[first.pk]), **HTMX)
    assert Visit.objects.filter(journal=draft).count() == 1
    done = _done(client, draft)
    assert done == {first.pk: True, closing.pk: False}
    response = client.get(reverse("journals:journal_work", args=[draft.pk]))
    closing_row = next(
        a["row"] for a in response.context["achievement"] if a["row"].key == Purpose.CLOSING
    )
    assert (closing_row.actual, closing_row.planned) == (0, 1)


def test_unlinked_visit_matches_customer_and_purpose_category(client, org, draft):
    customer = make_customer(org.rep)
    other = make_customer(org.rep)
    visit_item = plan(draft, Purpose.EXPLANATION, customer)
    follow_up = plan(draft, Purpose.SERVICE, customer)
    other_item = plan(draft, Purpose.FIRST, other)
    visit(draft, customer, Purpose.FIRST)  # no plan item: a visit, same customer
    client.force_login(org.rep)
    assert _done(client, draft) == {
        visit_item.pk: True,
        follow_up.pk: False,  # a follow-up is another category
        other_item.pk: False,
    }


def test_one_unlinked_visit_marks_one_item_exact_purpose_first(client, org, draft):
    customer = make_customer(org.rep)
    first = plan(draft, Purpose.FIRST, customer)
    closing = plan(draft, Purpose.CLOSING, customer)
    visit(draft, customer, Purpose.CLOSING)
    client.force_login(org.rep)
    assert _done(client, draft) == {first.pk: False, closing.pk: True}


def test_same_customer_and_purpose_twice_in_one_plan_is_a_form_error(client, org, draft):
    customer = make_customer(org.rep)
    plan(draft, Purpose.FIRST, customer)
    client.force_login(org.rep)
    response = client.post(
        reverse("journals:plan_item_add", args=[draft.pk]),
        {"purpose": Purpose.FIRST, "customer": customer.pk},
        **HTMX,
    )
    assert response.context["plan_form"].errors
    assert PlanItem.objects.filter(journal=draft).count() == 1
    # another purpose for the same customer is fine
    client.post(
        reverse("journals:plan_item_add", args=[draft.pk]),
        {"purpose": Purpose.CLOSING, "customer": customer.pk},
        **HTMX,
    )
    assert PlanItem.objects.filter(journal=draft).count() == 2


# --- M5: revision diffs do not depend on the language -------------------------------------


def test_revision_snapshot_stores_codes_and_diff_is_language_independent(client, org, draft):
    customer = make_customer(org.rep)
    plan(draft, Purpose.EXPLANATION, customer)
    visit(draft, customer, Purpose.EXPLANATION, outcome=Visit.Outcome.INFO)
    submitted(draft)
    with translation.override("zh-hans"):
        services.journal_amend(journal=draft, by=org.rep)
    revision = JournalRevision.objects.get(journal=draft)
    assert revision.content["plan"][0]["purpose"] == Purpose.EXPLANATION
    assert revision.content["visits"][0]["outcome"] == Visit.Outcome.INFO
    submitted(draft)
    client.force_login(org.supervisor)
    response = client.get(
        reverse("journals:journal_detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    diff = response.context["revisions"][0]
    assert not diff["changed"], diff["rows"]
    assert any("Explanation" in text for _kind, text in diff["rows"])


def test_diff_still_reads_old_snapshots_with_labels(client, org, draft):
    from journals import calculations as calc
    from journals.presentation import diff_labels

    old = {"plan": [{"purpose": "说明", "customer": "A", "preparation": ""}], "visits": []}
    new = {"plan": [{"purpose": "explanation", "customer": "A", "preparation": ""}], "visits": []}
    with translation.override("en"):
        lines_old = calc.content_lines(old, diff_labels())
        lines_new = calc.content_lines(new, diff_labels())
    assert lines_old == [
        "Learning topic: ",
        "My takeaways: ",
        "Daily summary: ",
        "Plan: 说明 · A · ",
    ]
    assert lines_new[-1] == "Plan: Explanation · A · "


# --- m6: GET /journals/new/ ---------------------------------------------------------------


def test_get_new_redirects_to_today(client, org):
    client.force_login(org.rep)
    response = client.get(reverse("journals:journal_create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("journals:today")


# --- m7: next step within a year ----------------------------------------------------------


@pytest.mark.parametrize(
    ("next_date", "ok"),
    [("9999-12-31", False), ("2027-03-03", False), ("2027-03-02", True), ("2026-03-10", True)],
)
def test_next_step_date_within_one_year(client, org, draft, next_date, ok):
    customer = make_customer(org.rep)
    client.force_login(org.rep)
    response = client.post(
        reverse("journals:visit_add", args=[draft.pk]),
        {
            "customer": customer.pk,
            "purpose": Purpose.FIRST,
            "time": "10:00",
            "outcome": Visit.Outcome.INFO,
            "next_step": "再访",
            "next_step_date": next_date,
        },
        **HTMX,
    )
    assert Visit.objects.filter(journal=draft).exists() is ok
    if not ok:
        assert "next_step_date" in response.context["visit_form"].errors


def test_next_step_date_limit_also_on_visit_edit(client, org, draft):
    customer = make_customer(org.rep)
    v = visit(draft, customer, outcome=Visit.Outcome.INFO, occurred_at=local_dt(DAY, 9))
    client.force_login(org.rep)
    response = client.post(
        reverse("journals:visit_edit", args=[v.pk]),
        {
            "purpose": Purpose.FIRST,
            "time": "09:00",
            "outcome": Visit.Outcome.INFO,
            "next_step": "再访",
            "next_step_date": "9999-12-31",
        },
        **HTMX,
    )
    assert "next_step_date" in response.context["form"].errors
    v.refresh_from_db()
    assert v.next_step_date is None


# --- m11: no-store on pages that show state ----------------------------------------------


def test_state_pages_are_not_cached(client, org, draft):
    client.force_login(org.rep)
    today = client.get(reverse("journals:today"))
    edit = client.get(reverse("journals:journal_edit", args=[draft.pk]))
    submitted(draft)
    detail = client.get(reverse("journals:journal_detail", args=[draft.pk]))
    for response in (today, edit, detail):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]


# --- m8, m9: layout in chromium -----------------------------------------------------------

SHOTS = "/tmp/journals-qa"  # noqa: S108 (screenshots to look at, not secrets)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_inbox_at_phone_width_keeps_names_on_one_line(org, page_for, live_server, locale):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    for user, name in ((org.rep, "丁勇"), (org.teammate, "王小明"), (org.supervisor, "张伟")):
        user.display_name = name
        user.save()
    submitted(services.journal_get_or_create_today(rep=org.rep, day=DAY))
    page = page_for(org.supervisor, width=375, locale=locale)
    page.goto(f"{live_server.url}/journals/inbox/?team={org.team_a.pk}&day=2026-03-02")
    page.screenshot(path=f"{SHOTS}/inbox-375-{locale}.png", full_page=True)
    names = page.locator("[data-testid=inbox-name]")
    assert names.count() >= 2
    for name in names.all():
        assert name.bounding_box()["height"] < 30, f"{name.inner_text()} stays on one line"
    select = page.locator(f"#ex-{org.teammate.pk}")
    sbox = select.bounding_box()
    assert sbox["x"] >= 0
    assert sbox["x"] + sbox["width"] <= 375, "the leave select is in view"
    assert select.evaluate("s => s.scrollWidth <= s.clientWidth + 1"), "not cut off"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("width", "locale"), [(1280, "zh-CN"), (1280, "en"), (375, "zh-CN")])
def test_plan_row_buttons_are_not_clipped(org, page_for, live_server, width, locale):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    journal = services.journal_get_or_create_today(rep=org.rep)
    customer = make_customer(org.rep, name="深圳市腾飞科技发展有限公司华南分公司")
    plan(journal, Purpose.EXPLANATION, customer, preparation="https://example.com/" + "x" * 150)
    plan(journal, Purpose.CLOSING, make_customer(org.rep, name="华信物流"))
    page = page_for(org.rep, width=width, locale=locale)
    page.goto(f"{live_server.url}/journals/today/")
    page.screenshot(path=f"{SHOTS}/today-{width}-{locale}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for button in page.locator("[data-prefill-visit]").all():
        clipped = button.evaluate(
            "b => b.scrollWidth > b.clientWidth + 1 || (() => {"
            " const r = b.getBoundingClientRect();"
            " const c = b.closest('.plan-item').getBoundingClientRect();"
            " return r.right > c.right + 0.5 || r.left < c.left - 0.5; })()"
        )
        assert not clipped, button.inner_text()
        assert button.evaluate("b => b.getBoundingClientRect().height") < 40, "one line"
