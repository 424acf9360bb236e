"""The customer list: search (incl. pinyin initials), filters, sort, paging, stage
counts, htmx partial, and a query count that does not grow with the rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, Stage
from customers.services import customer_change_stage, stage_settings
from customers.tests.factories import ContactFactory, make_customer

pytestmark = pytest.mark.django_db

URL = "/customers/"


def names(response):
    return [row.customer.name for row in response.context["rows"]]


@pytest.fixture
def supervisor(org, client):
    client.force_login(org.supervisor)
    return client


def test_list_url_name():
    assert reverse("customers:customer_list") == URL


def test_pinyin_initials_find_the_chinese_name(org, supervisor):
    make_customer(org.rep, name="深圳腾飞科技有限公司")
    make_customer(org.rep, name="北京远航物流有限公司")
    response = supervisor.get(URL, {"q": "sztf"})
    assert names(response) == ["深圳腾飞科技有限公司"]
    assert names(supervisor.get(URL, {"q": "SZTF"})) == ["深圳腾飞科技有限公司"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("腾飞", "深圳腾飞科技有限公司"),
        ("腾飞科技", "深圳腾飞科技有限公司"),
        ("9144030071526726XG", "深圳腾飞科技有限公司"),
        ("000001", "深圳腾飞科技有限公司"),
        ("李四", "北京远航物流有限公司"),
        ("13912345678", "北京远航物流有限公司"),
        ("远航", "北京远航物流有限公司"),
    ],
)
def test_search_by_name_codes_contact_and_phone(org, supervisor, q, expected):
    make_customer(
        org.rep,
        name="深圳腾飞科技有限公司",
        short_name="腾飞科技",
        credit_code="9144030071526726XG",
        external_code="000001",
    )
    other = make_customer(org.rep, name="北京远航物流有限公司")
    ContactFactory(customer=other, name="李四", phone="13912345678")
    assert names(supervisor.get(URL, {"q": q})) == [expected]


def test_filters_stage_segment_industry_owner_team_pool(org, supervisor):
    a = make_customer(org.rep, name="甲公司", industry="制造业", segment="group")
    b = make_customer(org.teammate, name="乙公司", industry="金融业", stage=Stage.TARGET)
    c = make_customer(None, team=org.team_a, name="丙公司", industry="制造业")
    assert names(supervisor.get(URL, {"stage": "target"})) == [b.name]
    assert names(supervisor.get(URL, {"segment": "group"})) == [a.name]
    # name order is by pinyin initials: 丙 (b) before 甲 (j) before 乙 (y)
    assert names(supervisor.get(URL, {"industry": "制造业"})) == [c.name, a.name]
    assert names(supervisor.get(URL, {"owner": org.teammate.pk})) == [b.name]
    assert names(supervisor.get(URL, {"team": org.team_a.pk})) == [c.name, a.name, b.name]
    assert names(supervisor.get(URL, {"in_pool": "1"})) == [c.name]
    assert names(supervisor.get(URL, {"in_pool": "0"})) == [a.name, b.name]


def test_no_visit_for_n_days_uses_last_activity(org, supervisor):
    now = timezone.now()
    recent = make_customer(org.rep, name="近期拜访")
    old = make_customer(org.rep, name="很久没拜访")
    never = make_customer(org.rep, name="从未拜访")
    Customer.objects.filter(pk=recent.pk).update(last_activity_at=now - dt.timedelta(days=3))
    Customer.objects.filter(pk=old.pk).update(last_activity_at=now - dt.timedelta(days=40))
    assert set(names(supervisor.get(URL, {"no_visit_days": "30"}))) == {old.name, never.name}
    assert set(names(supervisor.get(URL, {"no_visit_days": "1"}))) == {
        recent.name,
        old.name,
        never.name,
    }


def test_stalled_follows_the_stage_settings(org, supervisor):
    stage_settings()  # defaults: target 30 days, intent 21
    now = timezone.now()
    stalled = make_customer(
        org.rep, name="停滞客户", stage=Stage.TARGET, at=now - dt.timedelta(days=31)
    )
    fresh = make_customer(
        org.rep, name="新目标客户", stage=Stage.TARGET, at=now - dt.timedelta(days=29)
    )
    lead = make_customer(org.rep, name="老线索", at=now - dt.timedelta(days=400))  # lead: no limit
    response = supervisor.get(URL, {"stalled": "1"})
    assert names(response) == [stalled.name]
    assert response.context["rows"][0].stalled
    assert set(names(supervisor.get(URL, {"stalled": "0"}))) == {fresh.name, lead.name}


def test_stall_days_come_from_the_editable_setting(org, supervisor):
    settings = stage_settings()
    settings[Stage.TARGET].stall_days = 5
    settings[Stage.TARGET].save()
    make_customer(
        org.rep, name="六天", stage=Stage.TARGET, at=timezone.now() - dt.timedelta(days=6)
    )
    assert names(supervisor.get(URL, {"stalled": "1"})) == ["六天"]


def test_stage_counts_ignore_the_stage_filter_but_follow_the_others(org, supervisor):
    make_customer(org.rep, name="甲", industry="制造业", stage=Stage.TARGET)
    make_customer(org.rep, name="乙", industry="制造业", stage=Stage.TARGET)
    make_customer(org.rep, name="丙", industry="制造业")
    make_customer(org.rep, name="丁", industry="金融业", stage=Stage.TARGET)
    response = supervisor.get(URL, {"industry": "制造业", "stage": "target"})
    counts = {p["stage"]: p["count"] for p in response.context["pills"]}
    assert counts[""] == 3
    assert counts["target"] == 2
    assert counts["lead"] == 1
    assert counts["deal"] == 0
    target_pill = next(p for p in response.context["pills"] if p["stage"] == "lead")
    assert "industry=" in target_pill["url"]
    assert "stage=lead" in target_pill["url"]
    assert names(response) == ["甲", "乙"]  # jia before yi


def test_sorting(org, supervisor):
    now = timezone.now()
    a = make_customer(
        org.rep, name="A公司", stage=Stage.INTENT, needs="x", at=now - dt.timedelta(days=2)
    )
    b = make_customer(org.rep, name="B公司", stage=Stage.TARGET, at=now - dt.timedelta(days=9))
    c = make_customer(org.rep, name="C公司", at=now - dt.timedelta(days=5))
    Customer.objects.filter(pk=b.pk).update(last_activity_at=now - dt.timedelta(days=1))
    assert names(supervisor.get(URL, {"sort": "-name"})) == [c.name, b.name, a.name]
    assert names(supervisor.get(URL, {"sort": "stage"})) == [c.name, b.name, a.name]
    assert names(supervisor.get(URL, {"sort": "-stage"})) == [a.name, b.name, c.name]
    assert names(supervisor.get(URL, {"sort": "-days"})) == [b.name, c.name, a.name]
    assert names(supervisor.get(URL, {"sort": "activity"}))[-1] == b.name
    assert names(supervisor.get(URL, {"sort": "-activity"}))[0] == b.name
    assert names(supervisor.get(URL, {"sort": "nonsense"})) == [a.name, b.name, c.name]


def test_paging_25_a_page(org, supervisor):
    for i in range(27):
        make_customer(org.rep, name=f"客户{i:02d}")
    first = supervisor.get(URL)
    assert len(first.context["rows"]) == 25
    second = supervisor.get(URL, {"page": "2"})
    assert names(second) == ["客户25", "客户26"]
    assert len(supervisor.get(URL, {"page": "abc"}).context["rows"]) == 25


def test_bad_filter_values_show_errors_not_500(org, supervisor):
    make_customer(org.rep, name="甲")
    response = supervisor.get(
        URL, {"no_visit_days": "abc", "owner": "999999", "stage": "nope", "team": "x"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert names(response) == ["甲"]


def test_htmx_request_gets_only_the_table_partial(org, supervisor):
    make_customer(org.rep, name="深圳腾飞科技有限公司")
    full = supervisor.get(URL)
    partial = supervisor.get(URL, {"q": "sztf"}, HTTP_HX_REQUEST="true")
    assert "<html" in full.content.decode()
    body = partial.content.decode()
    assert "<html" not in body
    assert 'data-testid="customer-table"' in body
    assert 'hx-swap-oob="true"' in body  # keeps the stage and sort selects in step
    restore = supervisor.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


def test_list_works_without_javascript(org, supervisor):
    body = supervisor.get(URL).content.decode()
    assert 'method="get" action="/customers/"' in body
    assert 'hx-get="/customers/"' in body


def _fill(org, n, prefix):
    now = timezone.now()
    for i in range(n):
        owner = org.rep if i % 2 else org.teammate
        c = make_customer(
            owner, name=f"{prefix}{i:03d}", stage=Stage.TARGET, industry=f"行业{i % 4}"
        )
        ContactFactory(customer=c, is_project_owner=True)
        ContactFactory(customer=c)
        Customer.objects.filter(pk=c.pk).update(last_activity_at=now - dt.timedelta(days=i))
        if i % 3 == 0:
            customer_change_stage(customer=c, to_stage=Stage.RELATIONSHIP, by=org.rep)


# session (read; written every few minutes only), user, scope memberships, unread
# notifications; stage settings, stage counts, page count, page rows, filter choices
# (industries, visible user ids, owners, teams); plus one each for a chosen industry and
# owner, validated against the database.
LIST_QUERIES = [
    ({}, 12),
    ({"q": "kh", "stalled": "0", "sort": "-activity"}, 12),
    ({"industry": "行业1", "owner": "OWNER", "no_visit_days": "0"}, 14),
]


@pytest.mark.parametrize(("params", "expected"), LIST_QUERIES)
def test_list_query_count_does_not_grow_with_rows(
    org, client, django_assert_num_queries, params, expected
):
    client.force_login(org.supervisor)
    params = {k: (org.rep.pk if v == "OWNER" else v) for k, v in params.items()}
    stage_settings()
    _fill(org, 5, "客户")
    client.get(URL)  # the first request after login saves the session
    with django_assert_num_queries(expected):
        few = client.get(URL, params)
    with CaptureQueriesContext(connection) as few_htmx:
        client.get(URL, params, HTTP_HX_REQUEST="true")
    _fill(org, 30, "新客户")
    with django_assert_num_queries(expected):
        many = client.get(URL, params)
    assert many.context["page"].paginator.count > few.context["page"].paginator.count
    # the htmx partial renders no filter form, so fewer queries, but as fixed
    with django_assert_num_queries(len(few_htmx.captured_queries)):
        client.get(URL, params, HTTP_HX_REQUEST="true")
