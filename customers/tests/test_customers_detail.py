"""The customer file page: data, contacts, products, stage with time in it, the
timeline of every kind of event, and a fixed number of queries whatever its length."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import OrgSettings
from customers.models import CustomerNote, Stage
from customers.services import customer_assign, customer_change_stage, stage_settings
from customers.tests.factories import (
    ContactFactory,
    ContractFactory,
    EvaluationFactory,
    NoteFactory,
    ProductUsageFactory,
    RevenueFactory,
    make_customer,
)
from journals.models import Journal, Visit

pytestmark = pytest.mark.django_db


def detail(client, customer):
    return client.get(reverse("customers:customer_detail", args=[customer.pk]))


def add_visit(customer, rep, team, day, **extra):
    journal, _ = Journal.objects.get_or_create(rep=rep, day=day, defaults={"team": team})
    return Visit.objects.create(
        journal=journal,
        rep=rep,
        team=team,
        customer=customer,
        purpose=extra.pop("purpose", "first"),
        occurred_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0))),
        stage_before=customer.stage,
        **extra,
    )


def fill_history(org, customer, n):
    """n events of every timeline kind."""
    today = timezone.localdate()
    for i in range(n):
        NoteFactory(customer=customer, author=org.rep, kind=CustomerNote.Kind.NOTE)
        NoteFactory(customer=customer, author=org.rep, kind=CustomerNote.Kind.NEWS)
        ContactFactory(customer=customer)
        ProductUsageFactory(customer=customer)
        RevenueFactory(customer=customer, month=dt.date(2020 + i // 12, i % 12 + 1, 1))
        ContractFactory(customer=customer, rep=org.rep, team=org.team_a)
        EvaluationFactory(customer=customer, author=org.supervisor)
        add_visit(
            customer,
            org.rep,
            org.team_a,
            today - dt.timedelta(days=i + 1),
            outcome="stage_advanced",
        )
        to_stage = Stage.TARGET if customer.stage != Stage.TARGET else Stage.RELATIONSHIP
        customer_change_stage(customer=customer, to_stage=to_stage, by=org.rep, reason=f"r{i}")
        customer_assign(
            customer=customer,
            owner=org.teammate if i % 2 == 0 else org.rep,
            by=org.supervisor,
            reason=f"o{i}",
        )


def test_detail_shows_the_file(org, client):
    customer = make_customer(
        org.rep,
        name="深圳腾飞科技有限公司",
        credit_code="9144030071526726XG",
        needs="需要千兆专线和云服务",
        latest_news="刚刚完成B轮融资",
        stage=Stage.TARGET,
        at=timezone.now() - dt.timedelta(days=40),
    )
    ContactFactory(customer=customer, name="张经理", phone="13800138000", is_project_owner=True)
    ProductUsageFactory(customer=customer, product="宽带", status="in_use")
    ProductUsageFactory(customer=customer, product="云主机", status="needed")
    stage_settings()
    client.force_login(org.rep)
    response = detail(client, customer)
    body = response.content.decode()
    for text in (
        "9144030071526726XG",
        "需要千兆专线和云服务",
        "刚刚完成B轮融资",
        "张经理",
        "13800138000",
        "宽带",
        "云主机",
        "北一组",
    ):
        assert text in body
    assert response.context["days_in_stage"] == 40
    assert response.context["stalled"]  # target stalls after 30 days
    assert 'data-testid="stalled"' in body
    assert [s["at"] is not None for s in response.context["funnel"]] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_timeline_merges_every_kind_newest_first(org, client):
    customer = make_customer(org.rep, name="时间线客户")
    fill_history(org, customer, 1)
    client.force_login(org.supervisor)
    timeline = detail(client, customer).context["timeline"]
    kinds = {entry.kind for entry in timeline}
    assert kinds == {"stage", "note", "news", "revenue", "contract", "evaluation", "owner", "visit"}
    stamps = [entry.at for entry in timeline]
    assert stamps == sorted(stamps, reverse=True)
    visit = next(e for e in timeline if e.kind == "visit")
    assert visit.who == org.rep
    assert any("text-bg-success" in css for css, _ in visit.badges)  # effective


def test_visit_links_to_its_journal_only_when_that_page_exists(org, client):
    customer = make_customer(org.rep)
    add_visit(customer, org.rep, org.team_a, timezone.localdate())
    client.force_login(org.rep)
    visit = next(e for e in detail(client, customer).context["timeline"] if e.kind == "visit")
    try:
        expected = reverse("journals:journal_detail", args=[customer.visits.get().journal_id])
    except NoReverseMatch:  # the journals pages are not built yet
        expected = ""
    assert visit.url == expected


def test_detail_query_count_does_not_grow_with_the_timeline(org, client, django_assert_num_queries):
    stage_settings()
    OrgSettings.load()
    customer = make_customer(org.rep, name="查询计数")
    fill_history(org, customer, 2)
    client.force_login(org.supervisor)
    client.get(
        reverse("customers:customer_list")
    )  # the first request after login saves the session
    with django_assert_num_queries(DETAIL_QUERIES):
        short = detail(client, customer)
    fill_history(org, customer, 20)
    with django_assert_num_queries(DETAIL_QUERIES):
        long = detail(client, customer)
    assert len(long.context["timeline"]) > len(short.context["timeline"]) + 100


# session, user, scope, unread count, customer, 10 prefetches (contacts,
# products, notes+authors, contracts+reps, revenue, evaluations+authors, stage changes,
# ownerships, visits, visit reps), stage settings, release check (settings + exists),
# reassign candidates.
DETAIL_QUERIES = 19


def test_contracts_and_money_render(org, client):
    customer = make_customer(org.rep)
    ContractFactory(
        customer=customer, products="千兆专线", monthly_value=Decimal("12345.60"), rep=org.rep
    )
    client.force_login(org.rep)
    body = detail(client, customer).content.decode()
    assert "千兆专线" in body
    assert "12345.60" in body
