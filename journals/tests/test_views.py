"""Journal pages: the Today editor (autosave, plan, visits, picker), detail, list,
calendar and export; the 403/404 rules and the outsider 404 on every URL."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from customers.models import Customer, Stage
from journals import services
from journals.models import Comment, Journal, PlanItem, Purpose, Visit
from journals.tests.factories import local_dt, make_customer, plan, submitted, visit

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(org):
    return services.journal_get_or_create_today(rep=org.rep, day=DAY)


@pytest.fixture
def objects(org, draft):
    """A journal with a plan item and a visit, for the URL tables below."""
    customer = make_customer(org.rep)
    item = plan(draft, Purpose.FIRST, customer)
    v = visit(draft, customer, plan_item=item)
    return {"journal": draft, "plan": item, "visit": v, "customer": customer}


def object_urls(o, org):
    j, p, v = o["journal"].pk, o["plan"].pk, o["visit"].pk
    return [
        ("get", reverse("journals:journal_detail", args=[j]), {}),
        ("get", reverse("journals:journal_edit", args=[j]), {}),
        ("get", reverse("journals:journal_work", args=[j]), {}),
        ("post", reverse("journals:journal_autosave", args=[j]), {"summary": "x"}),
        ("post", reverse("journals:plan_item_add", args=[j]), {"purpose": "research"}),
        ("post", reverse("journals:visit_add", args=[j]), {}),
        ("post", reverse("journals:journal_submit", args=[j]), {}),
        ("post", reverse("journals:journal_amend", args=[j]), {}),
        ("post", reverse("journals:journal_evaluate", args=[j]), {"evaluation": "x"}),
        ("post", reverse("journals:journal_review", args=[j]), {}),
        ("post", reverse("journals:comment_add", args=[j]), {"text": "x"}),
        ("post", reverse("journals:plan_item_remove", args=[p]), {}),
        ("post", reverse("journals:visit_from_plan", args=[p]), {}),
        ("get", reverse("journals:visit_edit", args=[v]), {}),
        ("post", reverse("journals:visit_delete", args=[v]), {}),
        ("post", reverse("journals:visit_checkin", args=[v]), {"latitude": "1", "longitude": "1"}),
        ("post", reverse("journals:visit_case", args=[v]), {"is_case": "1"}),
        ("get", reverse("journals:inbox") + f"?team={org.team_a.pk}", {}),
        ("get", reverse("journals:submission_stats") + f"?team={org.team_a.pk}", {}),
        ("get", reverse("journals:morning_meeting") + f"?team={org.team_a.pk}", {}),
        ("get", reverse("journals:calendar") + f"?rep={org.rep.pk}", {}),
        ("get", reverse("journals:export_month") + f"?rep={org.rep.pk}", {}),
        (
            "post",
            reverse("journals:exemption_add"),
            {"user": org.rep.pk, "kind": "leave", "start": "2026-03-02", "end": "2026-03-02"},
        ),
    ]


@pytest.mark.parametrize("who", ["outsider", "outsider_supervisor", "rep_b", "teammate"])
def test_people_outside_the_scope_get_404_on_every_journal_url(client, org, objects, who):
    client.force_login(getattr(org, who))
    for method, url, data in object_urls(objects, org):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (who, url, response.status_code)
    assert Journal.objects.get(pk=objects["journal"].pk).summary == ""
    assert not Comment.objects.exists()


def test_anonymous_users_are_sent_to_login(client, org, objects):
    for method, url, data in object_urls(objects, org)[:3]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_rep_cannot_create_a_journal_for_another_rep(client, org):
    client.force_login(org.rep)
    response = client.post(
        reverse("journals:journal_create"), {"rep": org.teammate.pk, "day": "2026-03-02"}
    )
    assert response.status_code == 403
    assert not Journal.objects.exists()
    ok = client.post(reverse("journals:journal_create"), {"day": "2026-03-02"})
    assert ok.status_code == 302
    assert Journal.objects.get().rep == org.rep


def test_supervisor_cannot_create_a_journal_for_a_rep(client, org):
    client.force_login(org.supervisor)
    response = client.post(
        reverse("journals:journal_create"), {"rep": org.rep.pk, "day": "2026-03-02"}
    )
    assert response.status_code == 403


def test_rep_cannot_edit_a_submitted_journal(client, org, draft):
    submitted(draft)
    client.force_login(org.rep)
    for url, data in [
        (reverse("journals:journal_autosave", args=[draft.pk]), {"summary": "改"}),
        (reverse("journals:plan_item_add", args=[draft.pk]), {"purpose": "research"}),
        (reverse("journals:journal_submit", args=[draft.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 403
    assert client.get(reverse("journals:journal_edit", args=[draft.pk])).status_code == 403
    draft.refresh_from_db()
    assert draft.summary == ""
    assert not PlanItem.objects.exists()


def test_supervisor_comments_and_evaluates_but_cannot_change_the_reps_text(client, org, draft):
    services.journal_update_text(journal=draft, by=org.rep, summary="我的小结")
    submitted(draft)
    client.force_login(org.supervisor)
    autosave = client.post(
        reverse("journals:journal_autosave", args=[draft.pk]), {"summary": "主管"}
    )
    assert autosave.status_code == 403
    assert client.get(reverse("journals:journal_detail", args=[draft.pk])).status_code == 200
    response = client.post(
        reverse("journals:journal_evaluate", args=[draft.pk]),
        {"evaluation": "目标客户要更明确", "review": "1"},
    )
    assert response.status_code == 302
    comment = client.post(
        reverse("journals:comment_add", args=[draft.pk]), {"text": "加油"}, **HTMX
    )
    assert comment.status_code == 200
    assert "加油" in comment.content.decode()
    draft.refresh_from_db()
    assert draft.summary == "我的小结"
    assert draft.evaluation == "目标客户要更明确"
    assert draft.status == Journal.Status.REVIEWED


def test_rep_cannot_evaluate_own_journal(client, org, draft):
    submitted(draft)
    client.force_login(org.rep)
    response = client.post(
        reverse("journals:journal_evaluate", args=[draft.pk]), {"evaluation": "好"}
    )
    assert response.status_code == 403


def test_manager_reads_but_cannot_review(client, org, draft):
    submitted(draft)
    client.force_login(org.manager)
    assert client.get(reverse("journals:journal_detail", args=[draft.pk])).status_code == 200
    assert client.post(reverse("journals:journal_review", args=[draft.pk])).status_code == 403


def test_today_page_shows_the_editor_without_creating_the_journal(client, org):
    client.force_login(org.rep)
    response = client.get(reverse("journals:today"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert not Journal.objects.filter(rep=org.rep).exists()
    page = response.content.decode()
    day = timezone.localdate()
    assert 'hx-trigger="keyup changed delay:1s, input changed delay:1s, change"' in page
    assert f'data-autosave-key="journal-{org.rep.pk}-{day:%Y%m%d}-r1-summary"' in page
    assert f'hx-post="/journals/day/{day.isoformat()}/autosave/"' in page
    assert "Submit journal" in page
    assert 'name="viewport"' in page


def test_user_without_team_gets_a_friendly_page(client, db):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="newbie"))
    response = client.get(reverse("journals:today"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No journal to write" in response.content.decode()


def test_autosave_saves_the_text_as_the_rep_types(client, org, draft):
    client.force_login(org.rep)
    response = client.post(
        reverse("journals:journal_autosave", args=[draft.pk]),
        {"learning_topic": "顾问式销售", "takeaways": "先问需求", "summary": "拜访三家"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "text-success" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.learning_topic, draft.takeaways, draft.summary) == (
        "顾问式销售",
        "先问需求",
        "拜访三家",
    )
    too_long = client.post(
        reverse("journals:journal_autosave", args=[draft.pk]), {"learning_topic": "x" * 300}, **HTMX
    )
    assert too_long.status_code == 200
    assert "text-danger" in too_long.content.decode()


def test_plan_and_visit_through_the_htmx_panel(client, org):
    customer = make_customer(org.rep, name="深圳腾飞科技有限公司", stage=Stage.TARGET)
    journal = services.journal_get_or_create_today(rep=org.rep, day=timezone.localdate())
    client.force_login(org.rep)
    add = client.post(
        reverse("journals:plan_item_add", args=[journal.pk]),
        {"purpose": "first", "customer": customer.pk, "preparation": "带宽带资费"},
        **HTMX,
    )
    assert add.status_code == 200
    assert "深圳腾飞科技有限公司" in add.content.decode()
    item = PlanItem.objects.get()
    one_click = client.post(reverse("journals:visit_from_plan", args=[item.pk]), **HTMX)
    assert one_click.status_code == 200
    v = Visit.objects.get()
    assert (v.customer, v.purpose, v.plan_item) == (customer, "first", item)
    edit = client.post(
        reverse("journals:visit_edit", args=[v.pk]),
        {
            "purpose": "first",
            "time": timezone.localtime().strftime("%H:%M"),  # a visit is never later than now
            "learned": "需要专线",
            "outcome": "stage_advanced",
            "new_stage": "intent",
            "needs": "千兆专线",
        },
        **HTMX,
    )
    assert edit.status_code == 200
    assert edit["HX-Retarget"] == "#work-panel"
    v.refresh_from_db()
    assert (v.learned, v.new_stage, v.is_effective) == ("需要专线", "intent", True)
    assert Customer.objects.get(pk=customer.pk).stage == Stage.INTENT


def test_visit_form_shows_field_errors_instead_of_failing(client, org, draft):
    customer = make_customer(org.rep, stage=Stage.RELATIONSHIP)
    client.force_login(org.rep)
    url = reverse("journals:visit_add", args=[draft.pk])
    bad = client.post(url, {"customer": "abc", "purpose": "nope", "time": "25:99"}, **HTMX)
    assert bad.status_code == 200
    assert "invalid-feedback" in bad.content.decode()
    needs_missing = client.post(
        url,
        {
            "customer": customer.pk,
            "purpose": "closing",
            "time": "11:00",
            "outcome": "stage_advanced",
            "new_stage": "intent",
        },
        HTTP_ACCEPT_LANGUAGE="en",
        **HTMX,
    )
    assert needs_missing.status_code == 200
    assert "needs analysis" in needs_missing.content.decode()
    assert not Visit.objects.exists()
    ok = client.post(
        url,
        {
            "customer": customer.pk,
            "purpose": "closing",
            "time": "11:00",
            "outcome": "next_step",
            "next_step": "周五签约",
            "next_step_date": "2026-03-06",
            "latitude": "22.5431",
            "longitude": "114.0579",
            "accuracy": "12",
        },
        **HTMX,
    )
    assert ok.status_code == 200
    v = Visit.objects.get()
    assert v.is_effective
    assert v.occurred_at == local_dt(DAY, 11)
    assert v.checkin_accuracy_m == 12
    assert 'data-clear-backup="journal-' in ok.content.decode()


def test_picker_finds_own_customers_by_pinyin_initials_and_creates_leads(client, org):
    mine = make_customer(org.rep, name="深圳腾飞科技有限公司")
    make_customer(org.teammate, name="深圳腾达物流有限公司")
    client.force_login(org.rep)
    found = client.get(reverse("journals:customer_search"), {"q": "sztf"}).content.decode()
    assert mine.name in found
    assert "腾达" not in found
    recent = client.get(reverse("journals:customer_search"), {"q": ""}).content.decode()
    assert mine.name in recent
    created = client.post(reverse("journals:customer_create"), {"name": "星河电子有限公司"})
    assert created.status_code == 200
    lead = Customer.objects.get(name="星河电子有限公司")
    assert (lead.owner, lead.stage, lead.team) == (org.rep, Stage.LEAD, org.team_a)
    assert "data-autopick" in created.content.decode()
    empty = client.post(reverse("journals:customer_create"), {"name": " "})
    assert empty.status_code == 200
    assert Customer.objects.count() == 3


def test_detail_shows_revisions_diff_after_an_amendment(client, org, draft):
    services.journal_update_text(journal=draft, by=org.rep, summary="拜访两家")
    services.journal_submit(journal=draft, by=org.rep, at=local_dt(DAY, 18))
    client.force_login(org.rep)
    assert client.post(reverse("journals:journal_amend", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    services.journal_update_text(journal=draft, by=org.rep, summary="拜访三家")
    services.journal_submit(journal=draft, by=org.rep, at=local_dt(DAY, 19))
    page = client.get(reverse("journals:journal_detail", args=[draft.pk])).content.decode()
    assert 'class="diff-del"' in page
    assert "拜访两家" in page
    assert 'class="diff-add"' in page


def test_supervisor_reads_one_after_another(client, org, draft):
    submitted(draft)
    other = submitted(services.journal_get_or_create_today(rep=org.teammate, day=DAY))
    client.force_login(org.supervisor)
    page = client.get(reverse("journals:journal_detail", args=[draft.pk])).content.decode()
    assert f'href="{reverse("journals:journal_detail", args=[other.pk])}" data-nav-next' in page
    back = client.get(reverse("journals:journal_detail", args=[other.pk])).content.decode()
    assert "data-nav-prev" in back
    assert "data-nav-next" not in back.replace("data-nav-next]", "")


def test_supervisor_marks_a_success_case(client, org, objects):
    submitted(objects["journal"])
    client.force_login(org.supervisor)
    url = reverse("journals:visit_case", args=[objects["visit"].pk])
    response = client.post(url, {"is_case": "1", "note": "需求挖掘到位"}, **HTMX)
    assert response.status_code == 200
    v = Visit.objects.get(pk=objects["visit"].pk)
    assert (v.is_case, v.case_note) == (True, "需求挖掘到位")
    client.force_login(org.rep)
    assert client.post(url, {"is_case": ""}).status_code == 403


def test_journal_list_is_own_for_reps_and_teams_for_supervisors(client, org, draft):
    submitted(services.journal_get_or_create_today(rep=org.teammate, day=DAY))
    services.journal_get_or_create_today(rep=org.rep_b, day=DAY)
    client.force_login(org.rep)
    own = client.get(reverse("journals:journal_list"))
    assert [j.rep for j in own.context["page"].object_list] == [org.rep]
    client.force_login(org.supervisor)
    team = client.get(reverse("journals:journal_list"), {"status": "submitted"})
    assert [j.rep for j in team.context["page"].object_list] == [org.teammate]
    bad = client.get(reverse("journals:journal_list"), {"date_from": "not-a-date"})
    assert bad.status_code == 200


def _journals(rep, n):
    day = DAY
    for _ in range(n):
        j = services.journal_get_or_create_today(rep=rep, day=day)
        customer = make_customer(rep)
        plan(j, Purpose.FIRST, customer)
        visit(j, customer)
        day -= dt.timedelta(days=1)


def test_journal_list_query_count_does_not_grow(client, org, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(org.supervisor)
    _journals(org.rep, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("journals:journal_list"))
    count = len(few.captured_queries)
    _journals(org.teammate, 12)
    with django_assert_num_queries(count):
        response = client.get(reverse("journals:journal_list"))
    assert len(response.context["page"].object_list) == 14


def test_calendar_colours_days_and_lets_the_rep_write_a_missing_day(client, org):
    submitted(services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 2)))
    submitted(services.journal_get_or_create_today(rep=org.rep, day=dt.date(2026, 3, 3)), late=True)
    client.force_login(org.rep)
    response = client.get(reverse("journals:calendar"), {"month": "2026-03"})
    assert response.status_code == 200
    cells = {c["day"]: c for week in response.context["weeks"] for c in week}
    assert cells[dt.date(2026, 3, 2)]["status"] == "on_time"
    assert cells[dt.date(2026, 3, 3)]["status"] == "late"
    assert cells[dt.date(2026, 3, 4)]["status"] == "missing"
    assert cells[dt.date(2026, 3, 7)]["status"] == "non_working"
    assert cells[dt.date(2026, 3, 4)]["can_write"]
    client.force_login(org.supervisor)
    assert client.get(reverse("journals:calendar"), {"rep": org.rep.pk}).status_code == 200
    assert client.get(reverse("journals:calendar"), {"rep": "x"}).status_code == 404
    assert client.get(reverse("journals:calendar"), {"month": "garbage"}).status_code == 200


def test_export_a_month_in_the_template_layout(client, org, objects):
    journal = objects["journal"]
    services.journal_update_text(
        journal=journal, by=org.rep, learning_topic="异议处理", summary="总结"
    )
    client.force_login(org.supervisor)
    response = client.get(
        reverse("journals:export_month"),
        {"rep": org.rep.pk, "month": "2026-03"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[1] == "2026-03-02"
    sheet = wb["2026-03-02"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "异议处理" in values
    assert objects["customer"].name in values
    assert "总结" in values


def test_export_writes_typed_formulas_as_text_and_numbers_as_numbers(client, org, objects):
    journal = objects["journal"]
    services.journal_update_text(journal=journal, by=org.rep, learning_topic='=HYPERLINK("x")')
    client.force_login(org.supervisor)
    response = client.get(reverse("journals:export_month"), {"rep": org.rep.pk, "month": "2026-03"})
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c for row in wb["2026-03-02"].iter_rows() for c in row if c.value]
    topic = next(c for c in cells if c.value == '=HYPERLINK("x")')
    assert topic.data_type == "s"  # text as typed, never a formula
    assert not any(c.data_type == "f" for c in cells)
    summary = list(wb.worksheets[0].iter_rows(min_row=4))
    visits = summary[0][5]
    assert visits.value == 1
    assert visits.data_type == "n"
