"""The global search (salesops/search/): every kind through its model's ``visible_to``,
grouped with counts, highlighted, paged, with a fixed query count; bad input never fails
and another team's people (or a former member) find nothing of this team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.models import Membership
from accounts.scoping import local_today
from conftest import _user
from customers.tests.factories import ContactFactory, make_customer
from journals.models import Comment, Journal
from journals.tests.factories import visit
from weekly.models import WeeklyComment, WeeklyReport
from weekly.selectors.weeks import current_period

pytestmark = pytest.mark.django_db

URL = "/search/"
SUGGEST = "/search/suggest/"
XINYANG = "上海新阳半导体材料"
TCL = "TCL科技集团股份有限公司"
TENGFEI = "深圳腾飞科技有限公司"


@pytest.fixture
def data(org):
    """Customers, a contact, a journal with a visit, a weekly report and comments, all of
    ``org.rep`` in team_a."""
    day = local_today() - dt.timedelta(days=3)
    make_customer(org.rep, name=XINYANG)
    make_customer(org.rep, name=TCL)
    tengfei = make_customer(org.rep, name=TENGFEI, credit_code="9144030071526726XG")
    ContactFactory(customer=tengfei, name="李四", phone="13912345678", title="采购经理")
    journal = Journal.objects.create(
        rep=org.rep, team=org.team_a, day=day, takeaways="学会了用提问法了解客户痛点"
    )
    visit(journal, tengfei, learned="客户需要专线扩容到 500M")
    Comment.objects.create(journal=journal, author=org.supervisor, text="专线方案写得好")
    report = WeeklyReport.objects.create(
        rep=org.rep, team=org.team_a, week=current_period().start, summary="本周推进专线项目"
    )
    WeeklyComment.objects.create(report=report, author=org.supervisor, text="继续跟进专线")
    return {"day": day, "journal": journal, "report": report, "tengfei": tengfei}


def signed_in(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def counts(response) -> dict[str, int]:
    assert response.status_code == 200
    return {g.kind.code: g.count for g in response.context["groups"]}


def titles(response, kind: str) -> list[str]:
    group = next(g for g in response.context["groups"] if g.kind.code == kind)
    return [str(hit.title) for hit in group.hits]


def test_customers_by_name_pinyin_code_and_contact_phone(org, data):
    client = signed_in(org.supervisor)
    assert titles(client.get(URL, {"q": "腾飞"}), "customers") == [
        "深圳<mark>腾飞</mark>科技有限公司"
    ]
    for q in ("sztf", "shenzhen", "9144030071526726XG", "13912345678", "李四"):
        response = client.get(URL, {"q": q})
        assert [h.url for h in response.context["groups"][0].hits] == [
            f"/customers/{data['tengfei'].pk}/"
        ], q
    contacts = client.get(URL, {"q": "139 1234 5678"})
    assert counts(contacts)["contacts"] == 1
    assert "<mark>13912345678</mark>" in contacts.content.decode()


def test_a_phone_typed_in_another_form_finds_the_stored_one(org, data):
    """Phones are stored in one form (domain.phones); a whole number typed with +86, blanks
    or dashes finds the customer and the contact in both groups."""
    client = signed_in(org.supervisor)
    for q in ("+86 139-1234-5678", "0086 13912345678", "139-1234-5678"):
        response = client.get(URL, {"q": q})
        assert titles(response, "customers") == ["深圳腾飞科技有限公司"], q
        assert counts(response)["contacts"] == 1, q


def test_tcl_finds_tcl_not_the_semiconductor_company(org, data):
    response = signed_in(org.rep).get(URL, {"q": "tcl"})
    assert titles(response, "customers") == ["<mark>TCL</mark>科技集团股份有限公司"]
    assert counts(response)["customers"] == 1
    # a pinyin match marks the characters it stands for
    assert titles(signed_in(org.rep).get(URL, {"q": "bdtcl"}), "customers") == [
        "上海新阳<mark>半导体材料</mark>"
    ]
    assert titles(signed_in(org.rep).get(URL, {"q": "xinyang"}), "customers") == [
        "上海<mark>新阳</mark>半导体材料"
    ]


def test_journals_by_keyword_visit_notes_customer_and_dates(org, data):
    client = signed_in(org.rep)
    day = data["day"]
    assert counts(client.get(URL, {"q": "提问法"}))["journals"] == 1  # takeaways
    by_notes = client.get(URL, {"q": "专线扩容"})  # a visit's notes
    assert counts(by_notes)["journals"] == 1
    assert "<mark>专线扩容</mark>" in by_notes.content.decode()
    assert counts(client.get(URL, {"q": "腾飞"}))["journals"] == 1  # the visited customer
    only_day = client.get(URL, {"q": day.isoformat()})
    assert counts(only_day) == {
        "journals": 1,
        "weekly": 1 if _same_week(day) else 0,
        "team_weekly": 0,
    }
    span = f"{(day - dt.timedelta(days=2)).isoformat()}..{day.isoformat()}"
    assert counts(client.get(URL, {"q": f"提问法 {span}"}))["journals"] == 1
    before = (day - dt.timedelta(days=1)).isoformat()
    assert counts(client.get(URL, {"q": "提问法", "date_to": before}))["journals"] == 0
    fields = {"q": "提问法", "date_from": day.isoformat(), "date_to": day.isoformat()}
    assert counts(client.get(URL, fields))["journals"] == 1


def _same_week(day: dt.date) -> bool:
    return current_period().start <= day


def test_weekly_reports_and_comments_by_keyword(org, data):
    response = signed_in(org.supervisor).get(URL, {"q": "专线"})
    found = counts(response)
    assert (found["weekly"], found["comments"], found["journals"]) == (1, 2, 1)
    assert found["customers"] == 0
    assert response.context["total"] == 4
    assert titles(response, "weekly")[0].startswith("张伟")
    page = response.content.decode()
    assert 'data-testid="count-comments">2<' in page
    assert f"/journals/{data['journal'].pk}/#comment-" in page
    assert f"/weekly/{data['report'].pk}/" in page


@pytest.mark.parametrize("who", ["rep_b", "outsider", "outsider_supervisor", "teammate", "former"])
def test_other_teams_a_teammate_and_a_former_member_find_nothing(org, data, who):
    if who == "former":
        user = _user("former", "前主管")
        today = local_today()
        Membership.objects.create(
            user=user,
            unit=org.team_a,
            role="supervisor",
            start=dt.date(2020, 1, 1),
            end=today - dt.timedelta(days=60),
        )
        Membership.objects.create(
            user=user, unit=org.team_s, role="rep", start=today - dt.timedelta(days=59)
        )
    else:
        user = getattr(org, who)
    client = signed_in(user)
    for q in ("腾飞", "sztf", "tcl", "专线", "13912345678", "李四", data["day"].isoformat()):
        response = client.get(URL, {"q": q})
        assert response.context["total"] == 0, q
        assert 'data-testid="search-nothing"' in response.content.decode()
        suggestions = client.get(SUGGEST, {"q": q})
        assert "search-hit" not in suggestions.content.decode()
        assert suggestions.context["groups"] == []


def test_one_kind_is_paged(org):
    for n in range(23):
        make_customer(org.rep, name=f"分页测试{n:02d}有限公司")
    client = signed_in(org.rep)
    first = client.get(URL, {"q": "分页测试", "kind": "customers"})
    assert len(first.context["page"].object_list) == 20
    second = client.get(URL, {"q": "分页测试", "kind": "customers", "page": "2"})
    assert len(second.context["page"].object_list) == 3
    assert "kind=customers" in second.content.decode()
    overview = client.get(URL, {"q": "分页测试"})
    assert len(titles(overview, "customers")) == 5


def _search_world(org, copies: int) -> None:
    for n in range(copies):
        customer = make_customer(org.rep, name=f"计数客户{n}有限公司")
        ContactFactory(customer=customer, name=f"计数联系人{n}")
        journal = Journal.objects.create(
            rep=org.rep,
            team=org.team_a,
            day=local_today() - dt.timedelta(days=n + 1),
            takeaways="计数心得",
        )
        visit(journal, customer, learned="计数笔记")
        Comment.objects.create(journal=journal, author=org.supervisor, text="计数评语")


@pytest.mark.parametrize("copies", [2, 7])
def test_the_results_page_has_a_fixed_query_count(org, copies, django_assert_num_queries):
    _search_world(org, copies)
    client = signed_in(org.supervisor)
    client.get(URL, {"q": "计数"})  # warm the session and the caches
    # session, user, memberships, the unread count (4);
    # a count and a page per kind: customers, contacts, journals (+ their matched visits),
    # weekly and team weekly (counts only: none), comments (+ the page's journal comments)
    with django_assert_num_queries(16):
        response = client.get(URL, {"q": "计数"})
    assert counts(response)["customers"] == copies
    # one kind: every kind's count, then that kind's page
    with django_assert_num_queries(12):
        client.get(URL, {"q": "计数", "kind": "journals"})


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("专" * 500, "cut to its first 100 characters"),
        ("2026-02-30", "2026-02-30 is not a date"),
        ("\U0001f600" * 50 + "\u202e\u200b", None),
        ("' OR 1=1 --", None),
        ("%_\\", None),
        ("a" * 90, None),
    ],
)
def test_bad_input_gives_a_page_and_a_message_never_a_500(org, data, q, message):
    client = signed_in(org.rep, "en")
    response = client.get(URL, {"q": q, "kind": "journals", "page": "999999999999999999999"})
    assert response.status_code == 200
    if message:
        assert message in response.content.decode()
    assert client.get(SUGGEST, {"q": q}).status_code == 200


def test_unknown_kind_and_bad_dates_are_named(org, data):
    client = signed_in(org.rep, "en")
    page = client.get(
        URL, {"q": "腾飞", "kind": "nope", "date_from": "9999-99-99"}
    ).content.decode()
    assert "nope is not a kind of result" in page
    assert "From: 9999-99-99 is not a date" in page


def test_nul_is_refused_with_400(org):
    assert signed_in(org.rep).get(URL, {"q": "a\x00b"}).status_code == 400


def test_empty_query_shows_the_empty_state_in_both_languages(org):
    zh = signed_in(org.rep).get(URL).content.decode()
    assert 'data-testid="search-empty"' in zh
    assert "按 / 键" in zh
    en = signed_in(org.rep, "en").get(URL).content.decode()
    assert "Press / on any page" in en


def test_every_page_has_the_search_box(org):
    for language, placeholder in (("zh-hans", "搜索（按 /）"), ("en", "Search (press /)")):
        page = signed_in(org.rep, language).get("/customers/").content.decode()
        assert 'id="global-search"' in page
        assert placeholder in page


def test_suggestions_list_the_first_hits_and_a_link_to_all(org, data):
    client = signed_in(org.rep)
    response = client.get(SUGGEST, {"q": "sztf"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<mark>深圳腾飞</mark>科技有限公司" in body
    assert "/search/?q=sztf" in body
    assert client.get(SUGGEST, {"q": "s"}).context["groups"] == []
