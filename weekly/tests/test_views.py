"""Weekly report pages: prefill, editing rights, submit/freeze, amend, review, comments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from customers.models import Stage
from journals.models import Visit
from journals.tests.factories import local_dt, visit
from kpi.calculations import period_of
from weekly import services
from weekly.models import ReportStatus, WeeklyComment, WeeklyKeyCustomer, WeeklyReport

from .factories import WEEK, day, fixed_week, journal, report

pytestmark = pytest.mark.django_db


def _open(client, week=WEEK):
    return client.get(reverse("weekly:report_current") + f"?week={week.key}")


def _save(client, week=WEEK, action="save", **fields):
    """The first save of the editor's unsaved draft: creates the report."""
    data = {"analysis": "", "summary": "", "action": action, **fields}
    return client.post(reverse("weekly:report_current") + f"?week={week.key}", data)


def test_rep_opens_report_prefilled_with_last_weeks_goals(org, client_for):
    fixed_week(org)
    report(org.rep, org.team_a, WEEK.previous(), next_goals={"visits": "5"}, status="submitted")
    client = client_for(org.rep)
    page = _open(client)
    # A GET writes nothing: the editor shows an unsaved, prefilled draft.
    assert page.status_code == 200
    assert not WeeklyReport.objects.filter(rep=org.rep, week=WEEK.start).exists()
    html = page.content.decode()
    assert 'data-metric="visits"' in html
    assert "80.0%" in html  # 4 visits of a plan of 5
    assert "66.7%" in html  # effective activity rate 2/3
    # The first save creates the report, prefilled, and goes on in the editor.
    response = _save(client)
    created = WeeklyReport.objects.get(rep=org.rep, week=WEEK.start)
    assert response.status_code == 302
    assert response["Location"] == reverse("weekly:report_edit", args=[created.pk])
    assert created.plan == {"visits": "5"}
    assert created.team == org.team_a


def test_autosave_of_an_unsaved_draft_creates_it_once(org, client_for):
    fixed_week(org)
    client = client_for(org.rep)
    for text in ("拜访", "拜访量不足"):
        resp = _save(client, action="autosave", analysis=text)
        assert resp.status_code == 200
    assert WeeklyReport.objects.get(rep=org.rep, week=WEEK.start).analysis == "拜访量不足"


def test_rep_completes_and_submits(org, client_for):
    c = fixed_week(org)
    client = client_for(org.rep)
    r = WeeklyReport.objects.get(pk=_save(client)["Location"].split("/")[-3])
    resp = client.post(
        reverse("weekly:key_customer_add", args=[r.pk]),
        {"customer": c["c1"].pk, "needs_analysis": "宽带升级", "tracking_plan": "周三演示"},
    )
    assert resp.status_code == 302
    assert WeeklyKeyCustomer.objects.filter(report=r, customer=c["c1"]).exists()
    resp = client.post(
        reverse("weekly:report_edit", args=[r.pk]),
        {"analysis": "拜访量不足", "summary": "SPIN", "goal_visits": "6", "action": "submit"},
    )
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == ReportStatus.SUBMITTED
    assert r.next_goals == {"visits": "6"}
    assert r.figures["visits"]["value"] == 4
    # next week's report takes the goals as its plan
    nxt = services.report_get_or_create(rep=org.rep, period=WEEK.next())
    assert nxt.plan == {"visits": "6"}
    assert [k.customer_id for k in nxt.key_customers.all()] == [c["c1"].pk]


def test_bad_goal_shows_field_error_not_500(org, client_for):
    r = report(org.rep, org.team_a)
    resp = client_for(org.rep).post(
        reverse("weekly:report_edit", args=[r.pk]),
        {"goal_visits": "-3", "goal_effective_activity_rate": "150", "goal_deals": "abc"},
    )
    assert resp.status_code == 200
    assert resp.context["form"].errors.keys() >= {
        "goal_visits",
        "goal_effective_activity_rate",
        "goal_deals",
    }


def test_key_customer_must_be_own(org, client_for):
    r = report(org.rep, org.team_a)
    from journals.tests.factories import make_customer

    other = make_customer(org.teammate)
    resp = client_for(org.rep).post(
        reverse("weekly:key_customer_add", args=[r.pk]), {"customer": other.pk}
    )
    assert resp.status_code == 400
    assert not WeeklyKeyCustomer.objects.exists()


def test_only_author_edits_draft(org, client_for):
    r = report(org.rep, org.team_a)
    url = reverse("weekly:report_edit", args=[r.pk])
    assert client_for(org.supervisor).get(url).status_code == 403
    assert client_for(org.supervisor).post(url, {"analysis": "x"}).status_code == 403
    assert client_for(org.teammate).get(url).status_code == 404
    assert client_for(org.rep).get(url).status_code == 200


def test_submitted_report_is_read_only(org, client_for):
    r = report(org.rep, org.team_a, status=ReportStatus.SUBMITTED)
    client = client_for(org.rep)
    assert client.post(reverse("weekly:report_edit", args=[r.pk]), {}).status_code == 403
    assert client.post(reverse("weekly:report_submit", args=[r.pk])).status_code == 403
    assert client.get(reverse("weekly:report_detail", args=[r.pk])).status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "report_detail",
        "report_edit",
        "report_export",
        "report_submit",
        "report_amend",
        "report_review",
        "report_comment",
        "key_customer_add",
    ],
)
def test_outsider_gets_404(org, client_for, name):
    r = report(org.rep, org.team_a, status=ReportStatus.SUBMITTED)
    url = reverse(f"weekly:{name}", args=[r.pk])
    client = client_for(org.outsider_supervisor)
    resp = (
        client.post(url, {"text": "x"})
        if name not in {"report_detail", "report_export"}
        else client.get(url)
    )
    assert resp.status_code == 404
    assert (
        client_for(org.supervisor_b).get(reverse("weekly:report_detail", args=[r.pk])).status_code
        == 404
    )


def test_frozen_figures_show_later_data_fix(org, client_for):
    fixed_week(org)
    r = report(org.rep, org.team_a)
    services.report_submit(report=r, by=org.rep, at=local_dt(day(6), 23) + dt.timedelta(minutes=50))
    r.refresh_from_db()
    assert r.submitted_at is not None
    assert r.submitted_at.astimezone(local_dt(day(0)).tzinfo).date() == day(6)
    assert r.week == WEEK.start
    # a later data fix: one more visit recorded for the week
    from journals.tests.factories import make_customer

    c4 = make_customer(org.rep, stage=Stage.LEAD, name="丁公司")
    visit(journal(org.rep, org.team_a, day(5)), c4, occurred_at=local_dt(day(5), 9))
    html = (
        client_for(org.supervisor)
        .get(reverse("weekly:report_detail", args=[r.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert r.figures["visits"]["value"] == 4
    assert "now: 5" in html
    assert Visit.objects.filter(rep=org.rep).count() == 5


def test_amend_keeps_revision_and_shows_diff(org, client_for):
    r = report(org.rep, org.team_a, analysis="旧的分析")
    services.report_submit(report=r, by=org.rep, figures={})
    client = client_for(org.rep)
    assert client.post(reverse("weekly:report_amend", args=[r.pk])).status_code == 302
    r.refresh_from_db()
    assert r.status == ReportStatus.DRAFT
    assert r.revision == 2
    assert r.revisions.get().content["analysis"] == "旧的分析"
    client.post(
        reverse("weekly:report_edit", args=[r.pk]), {"analysis": "新的分析", "action": "submit"}
    )
    html = client.get(reverse("weekly:report_detail", args=[r.pk])).content.decode()
    assert 'data-testid="diff"' in html
    assert "旧的分析" in html
    assert "新的分析" in html


def test_supervisor_reviews_and_comments(org, client_for):
    r = report(org.rep, org.team_a)
    sup = client_for(org.supervisor)
    resp = sup.post(reverse("weekly:report_review", args=[r.pk]), {"evaluation": "好"})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.status == ReportStatus.DRAFT  # a draft cannot be reviewed
    services.report_submit(report=r, by=org.rep, figures={})
    sup.post(reverse("weekly:report_review", args=[r.pk]), {"evaluation": "继续保持"})
    r.refresh_from_db()
    assert r.status == ReportStatus.REVIEWED
    assert r.evaluation == "继续保持"
    assert (
        sup.post(reverse("weekly:report_comment", args=[r.pk]), {"text": "加油"}).status_code == 302
    )
    assert WeeklyComment.objects.get(report=r).text == "加油"
    assert sup.post(reverse("weekly:report_comment", args=[r.pk]), {"text": " "}).status_code == 400
    assert client_for(org.rep).post(reverse("weekly:report_review", args=[r.pk])).status_code == 403
    assert (
        client_for(org.manager).post(reverse("weekly:report_review", args=[r.pk])).status_code
        == 403
    )


def test_list_query_count_does_not_grow(org, client_for, django_assert_max_num_queries):
    client = client_for(org.supervisor)
    url = reverse("weekly:report_list") + f"?team={org.team_a.pk}"
    report(org.rep, org.team_a)
    client.get(url)
    with django_assert_max_num_queries(12) as ctx:
        assert client.get(url).status_code == 200
    few = len(ctx.captured_queries)
    for i in range(1, 6):
        p = period_of(WEEK.start - dt.timedelta(weeks=i), "week")
        report(org.rep, org.team_a, p)
        report(org.teammate, org.team_a, p)
    with django_assert_max_num_queries(few):
        html = client.get(url).content.decode()
    assert html.count("weekly/") >= 10


def test_rep_list_shows_only_own(org, client_for):
    mine = report(org.rep, org.team_a)
    other = report(org.teammate, org.team_a)
    html = client_for(org.rep).get(reverse("weekly:report_list")).content.decode()
    assert reverse("weekly:report_detail", args=[mine.pk]) in html
    assert reverse("weekly:report_detail", args=[other.pk]) not in html
    assert (
        client_for(org.outsider)
        .get(reverse("weekly:report_list") + f"?team={org.team_a.pk}")
        .status_code
        == 200
    )


def test_leader_list_of_other_team_is_404(org, client_for):
    url = reverse("weekly:report_list") + f"?team={org.team_s.pk}"
    assert client_for(org.supervisor).get(url).status_code == 404


def test_user_without_team_gets_message_not_500(org, client_for):
    resp = client_for(org.manager).get(reverse("weekly:report_current"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("weekly:report_list")
    assert not WeeklyReport.objects.exists()


def test_future_week_cannot_be_opened(org, client_for):
    resp = client_for(org.rep).get(reverse("weekly:report_current") + "?week=2099-W01")
    assert resp["Location"] == reverse("weekly:report_list")
    assert not WeeklyReport.objects.exists()


def test_key_customer_remove_author_only(org, client_for):
    c = fixed_week(org)
    r = report(org.rep, org.team_a)
    item = services.key_customer_add(report=r, by=org.rep, customer=c["c1"])
    url = reverse("weekly:key_customer_remove", args=[item.pk])
    assert client_for(org.outsider).post(url).status_code == 404
    assert client_for(org.supervisor).post(url).status_code == 403
    assert client_for(org.rep).post(url).status_code == 302
    assert not WeeklyKeyCustomer.objects.exists()


def test_admin_and_manager_lists(org, client_for):
    r = report(org.rep, org.team_a)
    for user in (org.admin, org.manager):
        html = (
            client_for(user)
            .get(reverse("weekly:report_list") + f"?team={org.team_a.pk}&week={WEEK.key}")
            .content.decode()
        )
        assert reverse("weekly:report_detail", args=[r.pk]) in html


@pytest.mark.parametrize(
    ("status", "lang", "said"),
    [
        (ReportStatus.REVIEWED, "en", "has been reviewed"),
        (ReportStatus.SUBMITTED, "en", "has been submitted"),
        (ReportStatus.REVIEWED, "zh-hans", "已批阅"),
        (ReportStatus.SUBMITTED, "zh-hans", "已提交"),
    ],
)
def test_writing_to_a_locked_report_says_it_is_locked_and_how_to_amend(
    org, client_for, status, lang, said
):
    """A POST to the current-week URL of a submitted or reviewed week is a write to a
    read-only report: 403 (docs/architecture.md, "Access": visible but read-only answers
    403 on a write) with a message naming the state and the way to change it (Amend), never
    the "week has not begun" message; the report is unchanged."""
    r = report(org.rep, org.team_a, status=status, summary="原样")
    client = client_for(org.rep)
    for url in (
        reverse("weekly:report_current") + f"?week={WEEK.key}",
        reverse("weekly:report_edit", args=[r.pk]),
    ):
        resp = client.post(
            url, {"analysis": "", "summary": "改", "action": "save"}, HTTP_ACCEPT_LANGUAGE=lang
        )
        assert resp.status_code == 403
        html = resp.content.decode()
        assert said in html
        assert ("Amend" if lang == "en" else "修订") in html
        assert "week has begun" not in html
        assert "开始后才能" not in html
    r.refresh_from_db()
    assert r.summary == "原样"
