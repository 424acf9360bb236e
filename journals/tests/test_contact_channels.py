"""Phone calls, WeChat and e-mails as follow-ups (docs/domain, section 3, "Phone calls,
WeChat and e-mails"): the rules of the service, the journal page's type selector, the
customer page's form (scoped like visits, another team's user gets 404) and where they
show (journal for rep and supervisor, customer timeline, morning meeting)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.scoping import local_today
from customers.models import Customer, Stage
from journals import services
from journals.models import Journal, Visit
from journals.tests.factories import local_dt, make_customer

DAY = dt.date(2026, 3, 4)
HTMX = {"HTTP_HX_REQUEST": "true"}


def _record(rep, customer, **kw) -> Visit:
    journal = services.journal_get_or_create_today(rep=rep, day=DAY)
    fields: dict[str, Any] = {
        "purpose": "service",
        "occurred_at": local_dt(DAY, 10),
        "channel": "phone",
    }
    fields.update(kw)
    return services.visit_record(journal=journal, by=rep, customer=customer, **fields)


def test_a_call_is_an_appointment_or_follow_up_and_never_checks_in(org) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    with pytest.raises(ValidationError) as err:
        _record(org.rep, customer, purpose="closing")
    assert "purpose" in err.value.error_dict
    with pytest.raises(ValidationError) as err:
        _record(org.rep, customer, channel="fax")
    assert "channel" in err.value.error_dict
    checkin = services.CheckIn(latitude=Decimal("22.5"), longitude=Decimal("114.0"))
    with pytest.raises(ValidationError) as err:
        _record(org.rep, customer, channel="wechat", checkin=checkin)
    assert "channel" in err.value.error_dict
    assert not Visit.objects.exists()
    call = _record(org.rep, customer, purpose="appointment")
    assert (call.channel, call.is_in_person) == ("phone", False)
    with pytest.raises(ValidationError):
        services.visit_checkin(visit=call, by=org.rep, checkin=checkin)
    # The database refuses a check-in on a call too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=call.pk).update(checked_in_at=timezone.now())


def test_a_call_follows_up_the_earlier_next_step_and_moves_the_last_activity(org) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    visit = _record(
        org.rep,
        customer,
        channel="visit",
        purpose="explanation",
        occurred_at=local_dt(DAY, 9),
        next_step="Send the quote",
        next_step_date=DAY + dt.timedelta(days=2),
    )
    call = _record(org.rep, customer, channel="email", occurred_at=local_dt(DAY, 15))
    visit.refresh_from_db()
    assert visit.next_step_done
    assert Customer.objects.get(pk=customer.pk).last_activity_at == call.occurred_at
    # Changing a record's type follows the same rules; a call may become a visit.
    with pytest.raises(ValidationError):
        services.visit_update(visit=call, by=org.rep, purpose="first", occurred_at=call.occurred_at)
    moved = services.visit_update(
        visit=call, by=org.rep, purpose="first", occurred_at=call.occurred_at, channel="visit"
    )
    assert moved.channel == "visit"


def test_the_journal_page_records_a_wechat_and_shows_it_in_both_languages(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    client = client_for(org.rep)
    url = reverse("journals:visit_add", args=[journal.pk])
    post = {"customer": customer.pk, "time": "10:00", "outcome": "info", "channel": "wechat"}
    refused = client.post(url, {**post, "purpose": "first"}, HTTP_ACCEPT_LANGUAGE="en", **HTMX)
    assert "first, explanation and closing visits happen in person" in refused.content.decode()
    assert not Visit.objects.exists()
    client.post(url, {**post, "purpose": "coordination", "learned": "报价已发"}, **HTMX)
    assert Visit.objects.get().channel == "wechat"
    client.post(url, {**post, "purpose": "explanation", "channel": ""}, **HTMX)  # in person
    assert sorted(Visit.objects.values_list("channel", flat=True)) == ["visit", "wechat"]
    zh = client.get(
        reverse("journals:journal_edit", args=[journal.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "微信" in zh
    assert "1 次拜访" in zh
    assert "1 次电话、微信或邮件" in zh
    en = client.get(
        reverse("journals:journal_edit", args=[journal.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "WeChat" in en
    assert "1 visit" in en
    assert "1 call, WeChat or e-mail" in en
    # The supervisor's read-only view shows it too.
    Journal.objects.filter(pk=journal.pk).update(
        status=Journal.Status.SUBMITTED, submitted_at=timezone.now()
    )
    read = client_for(org.supervisor).get(
        reverse("journals:journal_detail", args=[journal.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert read.status_code == 200
    assert 'data-testid="channel"' in read.content.decode()
    assert "1 call, WeChat or e-mail" in read.content.decode()


def _contact_url(customer) -> str:
    return reverse("journals:contact_add", args=[customer.pk])


CALL = {
    "channel": "phone",
    "purpose": "service",
    "time": "00:00",
    "outcome": "info",
    "learned": "续约意向",
    "next_step": "上门签约",
}


def test_logging_a_call_from_the_customer_page(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    client = client_for(org.rep)
    page = client.get(
        reverse("customers:customer_detail", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert _contact_url(customer) in page
    assert "记录电话、微信或邮件" in page
    for lang, text in (("zh-hans", "记录跟进"), ("en", "Log a follow-up")):
        form = client.get(_contact_url(customer), HTTP_ACCEPT_LANGUAGE=lang)
        assert form.status_code == 200
        assert text in form.content.decode()
    # Bad input: a closing "call" is refused with the reason, nothing saved.
    bad = client.post(
        _contact_url(customer), {**CALL, "purpose": "closing"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert bad.status_code == 200
    assert "happen in person" in bad.content.decode()
    assert not Visit.objects.exists()
    done = client.post(
        _contact_url(customer),
        {**CALL, "next_step_date": (local_today() + dt.timedelta(days=3)).isoformat()},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert done.status_code == 302
    call = Visit.objects.get()
    assert (call.channel, call.rep_id, call.journal.day) == ("phone", org.rep.pk, local_today())
    assert call.journal.rep_id == org.rep.pk
    assert call.is_effective
    timeline = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "电话：回访：服务" in timeline
    assert 'data-kind="follow_up_phone"' in timeline
    en = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Phone call: Follow-up: service" in en


def test_another_teams_user_cannot_log_a_contact_with_the_customer(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    for other in (org.outsider, org.rep_b, org.supervisor_b, org.outsider_supervisor):
        client = client_for(other)
        assert client.get(_contact_url(customer)).status_code == 404
        assert client.post(_contact_url(customer), CALL).status_code == 404
        page = client.get(reverse("customers:customer_detail", args=[customer.pk]))
        assert page.status_code == 404
    assert not Visit.objects.exists()
    # A manager above the team sees the customer but keeps no journal: 403, no link.
    manager = client_for(org.manager)
    assert manager.post(_contact_url(customer), CALL).status_code == 403
    page = manager.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    assert _contact_url(customer) not in page
    assert not Visit.objects.exists()


def test_a_teammate_covers_with_the_relation_and_a_submitted_journal_is_refused(
    org, client_for
) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    client = client_for(org.teammate)
    refused = client.post(
        _contact_url(customer), {**CALL, "relation": "own"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200
    assert "This customer is not yours" in refused.content.decode()
    assert client.post(_contact_url(customer), {**CALL, "relation": "covering"}).status_code == 302
    assert Visit.objects.get().relation == "covering"
    journal = Journal.objects.get(rep=org.teammate)
    Journal.objects.filter(pk=journal.pk).update(
        status=Journal.Status.SUBMITTED, submitted_at=timezone.now()
    )
    again = client.post(
        _contact_url(customer), {**CALL, "relation": "covering"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 200
    assert "journal is submitted; amend it to add a record" in again.content.decode()
    assert Visit.objects.count() == 1


def test_the_month_export_shows_the_type_and_counts_visits_apart(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    _record(org.rep, customer, channel="visit", purpose="first", occurred_at=local_dt(DAY, 9))
    _record(org.rep, customer, learned="=1+1", next_step="报价", next_step_date=DAY)
    response = client_for(org.supervisor).get(
        reverse("journals:export_month"),
        {"rep": org.rep.pk, "month": "2026-03"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    wb = load_workbook(io.BytesIO(response.content))
    header, *rows = list(wb.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert header[5:8] == ("拜访数", "电话、微信和邮件", "有效拜访数")
    # One in-person visit (not effective), one call (effective, but not a visit).
    assert rows[0][5:8] == (1, 1, 0)
    cells = [c for row in wb[f"{DAY:%Y-%m-%d}"].iter_rows() for c in row if c.value]
    typed = next(c for c in cells if c.value == "=1+1")
    assert typed.data_type == "s"
    values = [c.value for c in cells]
    assert "电话" in values
    assert "上门拜访" in values


def test_a_call_filed_through_the_api_is_a_follow_up_without_check_in(org) -> None:
    from journals.tests.test_api import token_api

    customer = make_customer(org.rep, stage=Stage.TARGET)
    phone = token_api(org.rep)
    at = local_dt(local_today(), 0, 5).isoformat()
    body = {"customer": customer.pk, "purpose": "service", "occurred_at": at, "channel": "phone"}
    refused = phone.post(
        "/api/v1/visits/",
        {**body, "latitude": "22.5", "longitude": "114.0"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert "Only an in-person visit checks in" in str(refused.json())
    filed = phone.post("/api/v1/visits/", body, format="json")
    assert filed.status_code == 201, filed.content
    assert filed.json()["channel"] == "phone"
    listed = phone.get("/api/v1/visits/", {"channel": "phone"}).json()
    assert [v["id"] for v in listed["results"]] == [filed.json()["id"]]
    assert phone.get("/api/v1/visits/", {"channel": "visit"}).json()["results"] == []


def test_the_morning_meeting_shows_the_previous_days_calls_apart(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    _record(org.rep, customer, channel="visit", purpose="first", occurred_at=local_dt(DAY, 9))
    _record(org.rep, customer, channel="wechat", occurred_at=local_dt(DAY, 15))
    url = reverse("journals:morning_meeting") + f"?team={org.team_a.pk}&day=2026-03-05"
    for lang, texts in (
        ("zh-hans", ("微信", "1 次拜访", "1 次电话、微信或邮件")),
        ("en", ("WeChat", "1 visit", "1 call, WeChat or e-mail")),
    ):
        page = client_for(org.supervisor).get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-testid="channel"' in html
        for text in texts:
            assert text in html, (lang, text)


def test_imported_history_keeps_calls_apart_from_visits(org) -> None:
    from customers.tests.test_import_support import xlsx_bytes
    from journals.history_import import REJECT, history_import, history_plan

    make_customer(org.rep, name="甲科技有限公司", external_code="H001")
    head: list[object] = ["客户编号", "类型", "日期", "跟进人", "目的", "方式"]
    rows: list[list[object]] = [
        head,
        ["H001", "拜访", "2026-10-05 10:00", "rep", "初访", ""],  # in person (default)
        ["H001", "电话", "2026-10-06 10:00", "rep", "回访：服务", ""],  # the kind says phone
        ["H001", "跟进", "2026-10-07 10:00", "rep", "约访", "微信"],  # the column says WeChat
        ["H001", "跟进", "2026-10-08 10:00", "rep", "促成", "邮件"],  # refused: closing by mail
        ["H001", "跟进", "2026-10-09 10:00", "rep", "回访：服务", "传真"],  # refused: unknown
    ]
    data = xlsx_bytes(rows)
    plan = history_plan(by=org.supervisor, data=data)
    refused = {
        p.row.row_number: [e.field for e in p.problems] for p in plan.rows if p.action == REJECT
    }
    assert refused == {5: ["purpose"], 6: ["channel"]}
    history_import(by=org.supervisor, data=data)
    assert list(Visit.objects.order_by("occurred_at").values_list("channel", flat=True)) == [
        "visit",
        "phone",
        "wechat",
    ]


def test_a_planned_follow_up_is_ticked_off_as_a_call_in_one_click(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    follow_up = services.plan_item_add(
        journal=journal, by=org.rep, purpose="collection", customer=customer
    )
    first = services.plan_item_add(journal=journal, by=org.rep, purpose="first", customer=customer)
    client = client_for(org.rep)
    panel = client.get(
        reverse("journals:journal_edit", args=[journal.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert panel.count('data-testid="call-from-plan"') == 1  # the follow-up, not the visit
    assert "已电话" in panel
    refused = client.post(
        reverse("journals:visit_from_plan", args=[first.pk]),
        {"channel": "phone"},
        HTTP_ACCEPT_LANGUAGE="en",
        **HTMX,
    )
    assert "happen in person" in refused.content.decode()
    assert not Visit.objects.exists()
    client.post(
        reverse("journals:visit_from_plan", args=[follow_up.pk]), {"channel": "phone"}, **HTMX
    )
    call = Visit.objects.get()
    assert (call.channel, call.plan_item_id, call.purpose) == ("phone", follow_up.pk, "collection")


def test_a_covering_call_lands_on_a_page_the_teammate_can_see(org, client_for) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    client = client_for(org.teammate)
    assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 404
    done = client.post(
        _contact_url(customer), {**CALL, "relation": "covering"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert done.status_code == 302
    journal = Journal.objects.get(rep=org.teammate)
    assert done["Location"] == reverse("journals:journal_detail", args=[journal.pk])
    page = client.get(done["Location"], HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert page.status_code == 200
    assert "recorded in today&#x27;s journal" in page.content.decode()
    # The owner still lands on the customer's page.
    own = client_for(org.rep).post(_contact_url(customer), CALL)
    assert own["Location"] == reverse("customers:customer_detail", args=[customer.pk])


def test_the_morning_meeting_counts_visits_one_way_on_both_lines(org, client_for) -> None:
    """An in-person service follow-up is a visit (docs/domain, section 9, "Visits and
    follow-ups"): plan achievement's "all visits" and the "n visits" line say the same."""
    journal = services.journal_get_or_create_today(rep=org.rep, day=DAY)
    plan = [make_customer(org.rep, stage=Stage.TARGET) for _ in range(4)]
    for customer in plan:
        services.plan_item_add(journal=journal, by=org.rep, purpose="first", customer=customer)
    _record(org.rep, plan[0], channel="visit", purpose="first", occurred_at=local_dt(DAY, 9))
    _record(org.rep, plan[1], channel="visit", purpose="first", occurred_at=local_dt(DAY, 10))
    _record(org.rep, plan[2], channel="visit", purpose="service", occurred_at=local_dt(DAY, 11))
    _record(org.rep, plan[3], channel="wechat", purpose="service", occurred_at=local_dt(DAY, 15))
    url = reverse("journals:morning_meeting") + f"?team={org.team_a.pk}&day=2026-03-05"
    for lang, visits_row, line in (
        ("zh-hans", '拜访合计</td><td class="text-end">3/4', "3 次拜访"),
        ("en", 'All visits</td><td class="text-end">3/4', "3 visits"),
    ):
        html = client_for(org.supervisor).get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert visits_row in html, lang
        assert line in html, lang


def test_plan_achievement_counts_in_person_records_as_visits() -> None:
    from journals import calculations as calc

    rows = {
        r.key: r
        for r in calc.plan_achievement(
            ["first", "service"],
            [("first", "visit"), ("service", "visit"), ("service", "phone"), ("research", None)],
        )
    }
    assert (rows["visits"].planned, rows["visits"].actual) == (1, 3)
    assert (rows["first"].actual, rows["service"].actual, rows["follow_ups"].actual) == (1, 2, 3)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ("今天的日志已提交", "修订今天的日志", "查看今天的日志")),
        ("en", ("journal is submitted; amend it", "Amend today's journal", "View today's journal")),
    ],
)
def test_a_submitted_journal_is_said_up_front_with_the_way_to_amend_it(
    org, client_for, language, words
) -> None:
    customer = make_customer(org.rep, stage=Stage.TARGET)
    client = client_for(org.rep)
    journal = services.journal_get_or_create_today(rep=org.rep, day=local_today())
    Journal.objects.filter(pk=journal.pk).update(
        status=Journal.Status.SUBMITTED, submitted_at=timezone.now()
    )
    amend = reverse("journals:journal_amend", args=[journal.pk])
    for answer in (
        client.get(_contact_url(customer), HTTP_ACCEPT_LANGUAGE=language),
        client.post(_contact_url(customer), CALL, HTTP_ACCEPT_LANGUAGE=language),
    ):
        page = answer.content.decode()
        assert answer.status_code == 200
        assert 'id="contact-form"' not in page
        assert f'action="{amend}"' in page
        assert reverse("journals:journal_detail", args=[journal.pk]) in page
        for word in words:
            assert word in page
    assert not Visit.objects.exists()
    # amending from there reopens the journal; the form is back
    assert client.post(amend).status_code == 302
    assert 'id="contact-form"' in client.get(_contact_url(customer)).content.decode()
