"""Coaching pages per persona: a rep sees own findings and plans only, supervisors their
team's, managers the teams under them; other teams answer 404; visible but read-only
answers 403 on write. List pages pin their query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership, Notification
from accounts.tests.factories import UserFactory
from coaching.models import (
    CoachingPlan,
    Finding,
    FollowUpSession,
    Goal,
    Measure,
    Recognition,
    Symptom,
    Talk,
)

from .factories import make_finding, make_plan, make_recognition, make_talk


@pytest.fixture
def data(org):
    org.finding = make_finding(org.rep, org.team_a)
    org.finding_b = make_finding(org.rep_b, org.team_b)
    org.plan = make_plan(org.rep, org.team_a, org.supervisor)
    org.plan_b = make_plan(org.rep_b, org.team_b, org.supervisor_b)
    return org


def url(name: str, *args: object) -> str:
    return reverse(f"coaching:{name}", args=args)


# --------------------------------------------------------------------------- reads


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep", 200),
        ("teammate", 404),
        ("supervisor", 200),
        ("supervisor_b", 404),
        ("manager", 200),
        ("admin", 200),
        ("outsider", 404),
        ("outsider_supervisor", 404),
    ],
)
def test_plan_detail_visibility(data, client_for, who: str, status: int) -> None:
    response = client_for(getattr(data, who)).get(url("plan_detail", data.plan.pk))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep", 200), ("teammate", 404), ("supervisor", 200), ("manager", 200), ("outsider", 404)],
)
def test_finding_detail_visibility(data, client_for, who: str, status: int) -> None:
    response = client_for(getattr(data, who)).get(url("finding_detail", data.finding.pk))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep", 200),
        ("teammate", 404),
        ("supervisor", 200),
        ("supervisor_b", 404),
        ("outsider", 404),
    ],
)
def test_rep_page_visibility(data, client_for, who: str, status: int) -> None:
    response = client_for(getattr(data, who)).get(url("rep_findings", data.rep.pk))
    assert response.status_code == status


@pytest.mark.parametrize("who", ["admin", "supervisor", "rep"])
def test_rep_page_of_an_unknown_or_huge_id_is_404(data, client_for, who: str) -> None:
    client = client_for(getattr(data, who))
    for user_id in (2**63 - 1, 2**70, 987654321):
        assert client.get(url("rep_findings", user_id)).status_code == 404


def test_rep_page_shows_own_findings_and_plans(data, client_for) -> None:
    body = client_for(data.rep).get(url("rep_findings", data.rep.pk)).content.decode()
    assert url("finding_detail", data.finding.pk) in body
    assert url("plan_detail", data.plan.pk) in body


def test_plan_list_shows_only_visible_plans(data, client_for) -> None:
    def shown(user) -> set[int]:
        page = client_for(user).get(url("plan_list")).context["page"]
        return {p.pk for p in page.object_list}

    assert shown(data.rep) == {data.plan.pk}
    assert shown(data.teammate) == set()
    assert shown(data.supervisor) == {data.plan.pk}
    assert shown(data.manager) == {data.plan.pk, data.plan_b.pk}
    assert shown(data.outsider) == set()


def test_finding_detail_links_the_records_behind_it(org, client_for) -> None:
    from customers.models import Stage
    from journals.tests.factories import JournalFactory, make_customer

    c = make_customer(org.rep, stage=Stage.TARGET)
    j = JournalFactory.create(rep=org.rep, team=org.team_a, day=dt.date(2026, 10, 5))
    f = make_finding(
        org.rep,
        org.team_a,
        evidence={
            "figures": [
                {
                    "key": "overdue_next_steps",
                    "label": "Overdue next steps",
                    "value": 4,
                    "fmt": "count",
                }
            ],
            "customers": [{"id": c.pk, "name": c.name}],
            "journals": [{"id": j.pk, "day": "2026-10-05"}],
        },
    )
    body = client_for(org.supervisor).get(url("finding_detail", f.pk)).content.decode()
    assert reverse("customers:customer_detail", args=[c.pk]) in body
    assert reverse("journals:journal_detail", args=[j.pk]) in body
    assert url("plan_create") + f"?finding={f.pk}" in body


# --------------------------------------------------------------------------- heat map


def test_heatmap_shows_team_reps_by_symptom(data, client_for) -> None:
    response = client_for(data.supervisor).get(url("heatmap") + "?period=2026-10")
    assert response.status_code == 200
    rows = {r["rep"].pk: r for r in response.context["data"]["rows"]}
    assert set(rows) == {data.rep.pk, data.teammate.pk}
    assert rows[data.rep.pk]["count"] == 1
    assert url("finding_detail", data.finding.pk) in response.content.decode()


@pytest.mark.parametrize(
    ("who", "team"), [("supervisor", "team_b"), ("outsider_supervisor", "team_a")]
)
def test_heatmap_of_another_team_is_404(data, client_for, who: str, team: str) -> None:
    response = client_for(getattr(data, who)).get(
        url("heatmap") + f"?team={getattr(data, team).pk}"
    )
    assert response.status_code == 404


def test_heatmap_for_a_rep_goes_to_their_own_page(data, client_for) -> None:
    response = client_for(data.rep).get(url("heatmap"))
    assert response.status_code == 302
    assert response.url == url("rep_findings", data.rep.pk)


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


HEATMAP_QUERIES = 7
PLAN_LIST_QUERIES = 8


def test_heatmap_query_count_does_not_grow(org, client_for, django_assert_num_queries) -> None:
    client = client_for(org.supervisor)
    path = url("heatmap") + f"?team={org.team_a.pk}&period=2026-10"
    make_finding(org.rep, org.team_a)
    client.get(path)  # warm the session
    with django_assert_num_queries(HEATMAP_QUERIES):
        client.get(path)
    for i in range(6):
        rep = UserFactory.create(username=f"extra{i}")
        Membership.objects.create(user=rep, unit=org.team_a, role="rep", start=dt.date(2020, 1, 1))
        for symptom in (Symptom.FEW_TARGETS, Symptom.LOW_ACTIVITY, Symptom.NO_FOLLOW_UP):
            make_finding(rep, org.team_a, symptom=symptom)
    with django_assert_num_queries(HEATMAP_QUERIES):
        client.get(path)


def test_plan_list_query_count_does_not_grow(org, client_for, django_assert_num_queries) -> None:
    client = client_for(org.manager)
    make_plan(org.rep, org.team_a, org.supervisor)
    client.get(url("plan_list"))
    with django_assert_num_queries(PLAN_LIST_QUERIES):
        client.get(url("plan_list"))
    for i in range(8):
        plan = make_plan(
            org.teammate if i % 2 else org.rep_b,
            org.team_a if i % 2 else org.team_b,
            org.supervisor,
        )
        FollowUpSession.objects.create(
            plan=plan, held_on=dt.date(2026, 11, 5), notes="n", author=org.supervisor
        )
    with django_assert_num_queries(PLAN_LIST_QUERIES):
        client.get(url("plan_list"))


# --------------------------------------------------------------------------- writes


def test_supervisor_creates_a_plan_from_a_finding(data, client_for) -> None:
    client = client_for(data.supervisor)
    form_page = client.get(url("plan_create") + f"?finding={data.finding.pk}")
    assert form_page.status_code == 200
    initial = form_page.context["form"].initial
    assert initial["coachee"] == data.rep.pk
    assert initial["problem"] == str(Symptom.NO_FOLLOW_UP.label)
    response = client.post(
        url("plan_create") + f"?finding={data.finding.pk}",
        {
            "coachee": data.rep.pk,
            "problem": initial["problem"],
            "evidence": "逾期后期安排 5",
            "cause_category": "attitude",
            "start": "2026-11-02",
            "end": "2026-11-29",
            "effect_metrics": ["effective_activity_rate"],
        },
    )
    plan = CoachingPlan.objects.get(finding=data.finding)
    assert response.status_code == 302
    assert response.url == url("plan_detail", plan.pk)
    assert plan.measures.count() == len(data.finding.measures)
    data.finding.refresh_from_db()
    assert data.finding.status == Finding.Status.PLANNED


def test_plan_form_shows_field_errors_not_500(data, client_for) -> None:
    response = client_for(data.supervisor).post(
        url("plan_create"),
        {
            "coachee": data.rep.pk,
            "problem": "",
            "cause_category": "bad",
            "start": "x",
            "end": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"problem", "cause_category", "start"}


def test_plan_create_rejects_a_coachee_of_another_team(data, client_for) -> None:
    response = client_for(data.outsider_supervisor).post(
        url("plan_create"),
        {
            "coachee": data.rep.pk,
            "problem": "p",
            "cause_category": "skill",
            "start": "2026-11-02",
            "end": "2026-11-29",
        },
    )
    assert response.status_code == 200
    assert "coachee" in response.context["form"].errors
    assert not CoachingPlan.objects.filter(coach=data.outsider_supervisor).exists()


@pytest.mark.parametrize(("who", "status"), [("rep", 403), ("outsider_supervisor", 404)])
def test_plan_from_finding_needs_a_lead_of_the_team(
    data, client_for, who: str, status: int
) -> None:
    response = client_for(getattr(data, who)).get(
        url("plan_create") + f"?finding={data.finding.pk}"
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("rep", 302), ("supervisor", 403), ("teammate", 404), ("outsider", 404)]
)
def test_only_the_coachee_acknowledges_a_plan(data, client_for, who: str, status: int) -> None:
    response = client_for(getattr(data, who)).post(url("plan_acknowledge", data.plan.pk))
    assert response.status_code == status
    data.plan.refresh_from_db()
    assert (data.plan.acknowledged_at is not None) == (who == "rep")


@pytest.mark.parametrize(
    ("name", "payload", "model"),
    [
        (
            "measure_add",
            {"kind": "training", "description": "需求挖掘训练", "due": "2026-11-10"},
            Measure,
        ),
        ("goal_add", {"metric": "visits", "target_value": "60", "due": "2026-11-29"}, Goal),
        (
            "session_add",
            {"held_on": "2026-11-09", "notes": "复盘本周拜访", "next_step": "周五陪访"},
            FollowUpSession,
        ),
    ],
)
@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 302), ("manager", 302), ("rep", 403), ("outsider_supervisor", 404)],
)
def test_plan_items_are_added_by_leads(
    data, client_for, name, payload, model, who: str, status: int
) -> None:
    response = client_for(getattr(data, who)).post(url(name, data.plan.pk), payload)
    assert response.status_code == status
    assert model.objects.filter(plan=data.plan).exists() == (status == 302)


def test_bad_session_input_shows_errors(data, client_for) -> None:
    response = client_for(data.supervisor).post(
        url("session_add", data.plan.pk), {"held_on": "nope", "notes": ""}
    )
    assert response.status_code == 400
    assert set(response.context["session_form"].errors) == {"held_on", "notes"}


@pytest.mark.parametrize(("who", "status"), [("supervisor", 302), ("rep", 403), ("outsider", 404)])
def test_plan_status_change(data, client_for, who: str, status: int) -> None:
    response = client_for(getattr(data, who)).post(
        url("plan_status", data.plan.pk), {"status": "done"}
    )
    assert response.status_code == status
    data.plan.refresh_from_db()
    assert (data.plan.status == "done") == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"), [("supervisor", 302), ("rep", 403), ("outsider_supervisor", 404)]
)
def test_finding_dismiss(data, client_for, who: str, status: int) -> None:
    response = client_for(getattr(data, who)).post(url("finding_dismiss", data.finding.pk))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"), [("supervisor", 302), ("rep", 404), ("outsider_supervisor", 404)]
)
def test_findings_recompute_for_own_team_only(data, client_for, who: str, status: int) -> None:
    response = client_for(getattr(data, who)).post(
        url("findings_recompute"), {"team": data.team_a.pk, "period": "2026-W44"}
    )
    assert response.status_code == status


def test_talk_page_has_the_guide_and_logs_a_talk(data, client_for) -> None:
    client = client_for(data.supervisor)
    page = client.get(url("talk_create") + f"?plan={data.plan.pk}")
    assert page.status_code == 200
    assert len(page.context["guide"]) == 4
    assert page.context["form"].initial["rep"] == data.rep.pk
    response = client.post(
        url("talk_create"),
        {
            "rep": data.rep.pk,
            "plan": data.plan.pk,
            "held_on": "2026-11-12",
            "notes": "了解困难",
            "agreed": "每天准备拜访",
        },
    )
    assert response.status_code == 302
    assert response.url == url("plan_detail", data.plan.pk)
    assert Talk.objects.filter(plan=data.plan, team=data.team_a).count() == 1


@pytest.mark.parametrize(("who", "status"), [("rep", 403), ("outsider", 403)])
def test_talk_page_is_for_leads(data, client_for, who: str, status: int) -> None:
    assert client_for(getattr(data, who)).get(url("talk_create")).status_code == status


def test_talk_for_a_plan_of_another_team_is_404(data, client_for) -> None:
    response = client_for(data.outsider_supervisor).get(
        url("talk_create") + f"?plan={data.plan.pk}"
    )
    assert response.status_code == 404


def test_talks_are_shown_to_the_rep_not_the_teammate(data, client_for) -> None:
    make_talk(data.rep, data.team_a, data.supervisor, notes="私下谈话记录")
    assert (
        "私下谈话记录"
        in client_for(data.rep).get(url("rep_findings", data.rep.pk)).content.decode()
    )
    assert client_for(data.teammate).get(url("rep_findings", data.rep.pk)).status_code == 404


# --------------------------------------------------------------------------- recognition


def test_recognition_board_per_team(data, client_for) -> None:
    make_recognition(data.rep, data.team_a, data.supervisor, behaviour="本周签下最大合同")
    make_recognition(data.rep_b, data.team_b, data.supervisor_b, behaviour="二组表彰")
    body = client_for(data.teammate).get(url("recognition_board")).content.decode()
    assert "本周签下最大合同" in body
    assert "二组表彰" not in body
    assert (
        client_for(data.outsider)
        .get(url("recognition_board") + f"?team={data.team_a.pk}")
        .status_code
        == 404
    )
    lead = client_for(data.supervisor).get(url("recognition_board"))
    assert "suggestions" in lead.context
    assert "form" in lead.context


def test_supervisor_gives_recognition_and_the_rep_is_notified(
    data, client_for, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(data.supervisor).post(
            url("recognition_give"),
            {
                "rep": data.rep.pk,
                "behaviour": "连续十天按时提交日志",
                "impact": "晨会数据更可靠",
                "team": data.team_a.pk,
            },
        )
    assert response.status_code == 302
    rec = Recognition.objects.get(rep=data.rep)
    assert Notification.objects.filter(user=data.rep, key=f"recognition-{rec.pk}").exists()


@pytest.mark.parametrize("who", ["rep", "outsider_supervisor"])
def test_recognition_give_refused_outside_the_team(data, client_for, who: str) -> None:
    response = client_for(getattr(data, who)).post(
        url("recognition_give"), {"rep": data.rep.pk, "behaviour": "x", "impact": "y"}
    )
    assert response.status_code in (302, 403)
    assert not Recognition.objects.exists()


def test_plan_detail_shows_effect_table(data, client_for) -> None:
    response = client_for(data.supervisor).get(url("plan_detail", data.plan.pk))
    body = response.content.decode()
    assert 'data-testid="effect-table"' in body
    assert "vendor/echarts/echarts.min.js" in body
    assert response.context["effect"]["weeks"] >= 1
