"""Monthly business analysis and plan (月度经营分析与计划): targets vs results from the
snapshots, gap explanations, plan; draft -> submitted (results frozen) -> reviewed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from customers.services import customer_change_stage, customer_create
from kpi import figures
from kpi.analysis import analysis_results
from kpi.models import MonthlyAnalysis, MonthlyAnalysisComment
from kpi.snapshots import compute_and_store
from kpi.targets import target_set

TZ = timezone.get_default_timezone()
OCT = dt.date(2026, 10, 1)


@pytest.fixture
def october(org):
    for i in range(3):
        c = customer_create(
            by=org.rep,
            name=f"客户{i}",
            owner=org.rep,
            stage="target",
            at=dt.datetime(2026, 10, 2, 10, tzinfo=TZ),
        )
        if i == 0:
            customer_change_stage(
                customer=c,
                to_stage="deal",
                by=org.rep,
                at=dt.datetime(2026, 10, 20, 10, tzinfo=TZ),
                source="system",
            )
    target_set(month=OCT, metric="deals", value=Decimal(4), by=org.supervisor, rep=org.rep)
    target_set(
        month=OCT, metric="new_targets", value=Decimal(3), by=org.supervisor, team=org.team_a
    )
    compute_and_store(periods=["2026-10"])


def start(client, **data):
    return client.post(reverse("kpi:analysis_start"), {"month": "2026-10", **data})


def test_results_compare_targets_with_snapshot_figures(org, october):
    analysis = MonthlyAnalysis.objects.create(
        rep=org.rep, team=org.team_a, month=OCT, author=org.rep
    )
    results = analysis_results(analysis)
    assert results["deals"] == {"target": "4.00", "actual": "1", "completion": "0.25"}
    assert results["new_targets"]["target"] is None
    assert results["new_targets"]["actual"] == "3"
    team = MonthlyAnalysis.objects.create(team=org.team_a, month=OCT, author=org.supervisor)
    assert analysis_results(team)["new_targets"]["completion"] == "1.0"


def test_results_without_snapshots_fall_back_to_live_figures(org):
    customer_create(
        by=org.rep, name="x", owner=org.rep, stage="target", at=dt.datetime(2026, 10, 2, tzinfo=TZ)
    )
    analysis = MonthlyAnalysis.objects.create(
        rep=org.rep, team=org.team_a, month=OCT, author=org.rep
    )
    assert analysis_results(analysis)["new_targets"]["actual"] == "1"


def test_rep_writes_submits_and_supervisor_reviews(org, client_for, october):
    client = client_for(org.rep)
    response = start(client, kind="personal")
    analysis = MonthlyAnalysis.objects.get()
    assert response["Location"] == reverse("kpi:analysis_edit", args=[analysis.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    # submitting without a plan is refused with a field error, the gap text is kept
    response = client.post(
        response["Location"], {"gap_deals": "两个客户推迟签约", "plan": "", "submit": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["plan"]
    analysis.refresh_from_db()
    assert analysis.status == "draft"
    assert analysis.gaps == {"deals": "两个客户推迟签约"}
    response = client.post(
        reverse("kpi:analysis_edit", args=[analysis.pk]),
        {"gap_deals": "两个客户推迟签约", "plan": "11月拜访20家目标客户", "submit": "1"},
    )
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "submitted"
    assert analysis.results["deals"]["actual"] == "1"
    # frozen: later data does not change the submitted results
    target_set(month=OCT, metric="deals", value=Decimal(10), by=org.supervisor, rep=org.rep)
    detail = client_for(org.supervisor).get(reverse("kpi:analysis_detail", args=[analysis.pk]))
    assert "25.0%" in detail.content.decode()
    assert detail.context["can_review"]
    # author cannot edit any more
    assert (
        client_for(org.rep).get(reverse("kpi:analysis_edit", args=[analysis.pk])).status_code == 403
    )
    response = client_for(org.supervisor).post(
        reverse("kpi:analysis_review", args=[analysis.pk]), {"text": "计划具体，继续跟进"}
    )
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == "reviewed"
    assert analysis.reviewed_by == org.supervisor
    assert MonthlyAnalysisComment.objects.get().text == "计划具体，继续跟进"
    assert Notification.objects.filter(user=org.rep).exists()


def test_supervisor_writes_team_analysis(org, client_for, october):
    client = client_for(org.supervisor)
    response = start(client, kind="team", team="north-1")
    analysis = MonthlyAnalysis.objects.get()
    assert analysis.rep is None
    assert analysis.team == org.team_a
    assert response.status_code == 302
    # starting again opens the same analysis
    start(client, kind="team", team="north-1")
    assert MonthlyAnalysis.objects.count() == 1


def test_supervisor_cannot_start_other_teams_analysis(org, client_for):
    assert start(client_for(org.supervisor), kind="team", team="north-2").status_code == 404
    # the manager sees team_b but team analyses are the supervisor's to write
    assert start(client_for(org.manager), kind="team", team="north-2").status_code == 403
    assert (
        start(client_for(org.outsider_supervisor), kind="team", team="north-1").status_code == 404
    )


def test_teammate_and_outsiders_get_404(org, client_for):
    analysis = MonthlyAnalysis.objects.create(
        rep=org.rep, team=org.team_a, month=OCT, author=org.rep
    )
    for who in ("teammate", "outsider", "outsider_supervisor", "supervisor_b", "rep_b"):
        client = client_for(getattr(org, who))
        for name in ("analysis_detail", "analysis_edit"):
            assert client.get(reverse(f"kpi:{name}", args=[analysis.pk])).status_code == 404
        assert (
            client.post(
                reverse("kpi:analysis_comment", args=[analysis.pk]), {"text": "x"}
            ).status_code
            == 404
        )
    assert (
        client_for(org.manager).get(reverse("kpi:analysis_detail", args=[analysis.pk])).status_code
        == 200
    )


def test_supervisor_cannot_edit_or_comment_a_reps_draft(org, client_for):
    analysis = MonthlyAnalysis.objects.create(
        rep=org.rep, team=org.team_a, month=OCT, author=org.rep
    )
    client = client_for(org.supervisor)
    assert client.get(reverse("kpi:analysis_edit", args=[analysis.pk])).status_code == 403
    assert client.post(reverse("kpi:analysis_submit", args=[analysis.pk])).status_code == 403
    assert (
        client.post(reverse("kpi:analysis_review", args=[analysis.pk])).status_code == 403
    )  # draft
    comment = client.post(
        reverse("kpi:analysis_comment", args=[analysis.pk]), {"text": "请补充原因"}
    )
    assert comment.status_code == 403  # comments open once the rep submits
    assert analysis.comments.count() == 0


def test_list_shows_visible_analyses_with_fixed_queries(
    org, client_for, django_assert_max_num_queries
):
    MonthlyAnalysis.objects.create(rep=org.rep, team=org.team_a, month=OCT, author=org.rep)
    MonthlyAnalysis.objects.create(
        rep=org.outsider, team=org.team_s, month=OCT, author=org.outsider
    )
    client = client_for(org.supervisor)
    response = client.get(reverse("kpi:analysis_list"))
    assert [a.rep for a in response.context["page"].object_list] == [org.rep]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("kpi:analysis_list"))
    for month in range(1, 10):
        MonthlyAnalysis.objects.create(
            rep=org.teammate, team=org.team_a, month=dt.date(2026, month, 1), author=org.teammate
        )
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("kpi:analysis_list"))
    assert len(response.context["page"].object_list) == 10


def test_bad_month_on_start_shows_a_message(org, client_for):
    response = client_for(org.rep).post(
        reverse("kpi:analysis_start"), {"month": "abc", "kind": "personal"}
    )
    assert response.status_code == 302
    assert not MonthlyAnalysis.objects.exists()


def test_a_submitted_analysis_keeps_its_figures_and_shows_the_live_value(org, client_for, october):
    """Frozen with 1 deal in October; a second October deal recorded afterwards shows as
    "now: 2" beside the frozen 1, with the time the figures were frozen."""
    client = client_for(org.rep)
    start(client, kind="personal")
    analysis = MonthlyAnalysis.objects.get()
    client.post(
        reverse("kpi:analysis_edit", args=[analysis.pk]),
        {"plan": "11月拜访20家目标客户", "submit": "1"},
    )
    analysis.refresh_from_db()
    assert analysis.results["deals"]["actual"] == "1"
    late = customer_create(
        by=org.rep,
        name="晚到客户",
        owner=org.rep,
        stage="deal",
        at=dt.datetime(2026, 10, 25, 10, tzinfo=TZ),
    )
    assert late.stage == "deal"
    compute_and_store(periods=["2026-10"])
    detail = client_for(org.supervisor).get(
        reverse("kpi:analysis_detail", args=[analysis.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    rows = {r["metric"]: r for r in detail.context["rows"]}
    assert (rows["deals"]["actual"], rows["deals"]["now"]) == ("1", "2")
    assert rows["new_targets"]["now"] == "4"  # 3 frozen, the late customer is a 4th
    page = detail.content.decode()
    assert 'data-testid="frozen-at"' in page
    assert "数据冻结于" in page
    analysis.refresh_from_db()
    assert analysis.results["deals"]["actual"] == "1"


def test_the_analysis_says_when_its_live_figures_were_computed_in_both_languages(
    org, client_for, october
):
    """The stored snapshots' time, shown as 截至 hh:mm / "as of hh:mm" (local time) to the
    author and the supervisor, on the edit page and the detail page."""
    client = client_for(org.rep)
    start(client, kind="personal")
    analysis = MonthlyAnalysis.objects.get()
    compute_and_store(periods=["2026-10"])
    stamp = figures.as_of(scope_kind="rep", scope_ids=[org.rep.pk], period="2026-10")
    assert stamp is not None
    shown = timezone.localtime(stamp).strftime("%H:%M")
    for user, name in ((org.rep, "kpi:analysis_edit"), (org.supervisor, "kpi:analysis_detail")):
        for language, words in (("zh-hans", f"截至 {shown}"), ("en", f"as of {shown}")):
            page = (
                client_for(user)
                .get(reverse(name, args=[analysis.pk]), HTTP_ACCEPT_LANGUAGE=language)
                .content.decode()
            )
            assert 'data-testid="figures-as-of"' in page
            assert words in page
