"""Team weekly report, its .xlsx export, the personal export and the weekly meeting."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coaching.models import CoachingPlan
from customers.models import Stage
from customers.tests.factories import make_customer
from journals.models import Journal, Visit
from journals.tests.factories import local_dt, visit
from kpi.templatetags.kpi_format import metric_label
from weekly import services
from weekly.models import KeyCoachee, ReportStatus, TeamKeyCustomer, TeamWeeklyReport
from weekly.selectors import TEAM_ROWS, WEEK_METRICS

from .factories import WEEK, day, fixed_week, journal, report

pytestmark = pytest.mark.django_db
TEAM_EN = {
    "sales_revenue": "Sales revenue (contracts)",
    "achievement": "Achievement rate",
    "effective_activity_rate": "Effective activity rate",
    "customers_visited": "Customers visited",
}


def _url(org, name="team_report", week=WEEK):
    return reverse(f"weekly:{name}", args=[org.team_a.code, week.key])


def _coaching_plan(org, **kw):
    return CoachingPlan.objects.create(
        coachee=org.teammate,
        team=org.team_a,
        coach=org.supervisor,
        problem="拜访量不足",
        cause_category="attitude",
        start=kw.pop("start", day(0) - dt.timedelta(days=10)),
        end=kw.pop("end", day(6) + dt.timedelta(days=20)),
        **kw,
    )


def test_supervisor_opens_team_report_prefilled(org, client_for):
    c = fixed_week(org)
    plan = _coaching_plan(org)
    _coaching_plan(org, start=day(0) + dt.timedelta(days=30), end=day(0) + dt.timedelta(days=40))
    r = report(org.rep, org.team_a, plan={"sales_revenue": "2000"})
    services.key_customer_add(report=r, by=org.rep, customer=c["c1"], needs_analysis="专线")
    sup = client_for(org.supervisor)
    resp = sup.get(_url(org))
    assert resp.status_code == 200
    # A GET never writes: the page shows an unsaved draft; the first save creates it.
    assert not TeamWeeklyReport.objects.filter(team=org.team_a, week=WEEK.start).exists()
    assert 'name="summary"' in resp.content.decode()
    saved = sup.post(_url(org), {"summary": "", "training_topics": "", "action": "save"})
    assert saved.status_code == 302
    team_report = TeamWeeklyReport.objects.get(team=org.team_a, week=WEEK.start)
    coachee = KeyCoachee.objects.get(report=team_report)
    assert (coachee.rep, coachee.plan, coachee.problem) == (org.teammate, plan, "拜访量不足")
    key = TeamKeyCustomer.objects.get(report=team_report)
    assert (key.customer, key.owner, key.needs_analysis) == (c["c1"], org.rep, "专线")
    html = resp.content.decode()
    assert 'data-testid="team-table"' in html
    assert "50.0%" in html  # rep's achievement: 1000 of a plan of 2000
    assert org.teammate.name in html


def test_supervisor_writes_and_submits_manager_reads(org, client_for):
    fixed_week(org)
    sup = client_for(org.supervisor)
    sup.get(_url(org))
    resp = sup.post(
        _url(org),
        {"summary": "本周有效活动率提升", "training_topics": "需求挖掘", "action": "submit"},
    )
    assert resp.status_code == 302
    tr = TeamWeeklyReport.objects.get(team=org.team_a, week=WEEK.start)
    assert tr.status == ReportStatus.SUBMITTED
    assert tr.figures["figures"][str(org.rep.pk)]["visits"]["value"] == 4
    # submitted: read-only for the supervisor until reopened
    assert sup.post(_url(org), {"summary": "x"}).status_code == 403
    manager = client_for(org.manager)
    assert "需求挖掘" in manager.get(_url(org)).content.decode()
    assert manager.post(_url(org), {"summary": "x"}).status_code == 403
    assert manager.post(reverse("weekly:team_report_review", args=[tr.pk])).status_code == 302
    assert (
        manager.post(
            reverse("weekly:team_report_comment", args=[tr.pk]), {"text": "很好"}
        ).status_code
        == 302
    )
    tr.refresh_from_db()
    assert tr.status == ReportStatus.REVIEWED
    assert tr.comments.get().text == "很好"
    sup = client_for(org.supervisor)  # the same test client, logged in again
    assert sup.post(reverse("weekly:team_report_review", args=[tr.pk])).status_code == 403


def test_manager_does_not_create_team_report(org, client_for):
    assert client_for(org.manager).get(_url(org)).status_code == 200
    assert not TeamWeeklyReport.objects.exists()


def test_key_coachee_added_and_edited(org, client_for):
    sup = client_for(org.supervisor)
    sup.post(
        _url(org), {"summary": "", "training_topics": "", "action": "save"}
    )  # the first save creates the draft
    tr = TeamWeeklyReport.objects.get()
    resp = sup.post(
        reverse("weekly:key_coachee_add", args=[tr.pk]),
        {"rep": org.rep.pk, "problem": "不会约访", "coaching_content": "陪访"},
    )
    assert resp.status_code == 302
    item = KeyCoachee.objects.get(report=tr)
    sup.post(reverse("weekly:key_coachee_edit", args=[item.pk]), {"tracked_effect": "约访成功两次"})
    item.refresh_from_db()
    assert item.tracked_effect == "约访成功两次"
    bad = sup.post(reverse("weekly:key_coachee_add", args=[tr.pk]), {"rep": org.rep_b.pk})
    assert bad.status_code == 400
    assert KeyCoachee.objects.count() == 1


@pytest.mark.parametrize("user", ["outsider_supervisor", "supervisor_b", "rep", "outsider"])
def test_other_teams_get_404_on_team_pages(org, client_for, user):
    client = client_for(getattr(org, user))
    assert client.get(_url(org)).status_code == 404
    assert client.get(_url(org, "team_report_export")).status_code == 404
    tr = TeamWeeklyReport.objects.create(team=org.team_a, week=WEEK.start, author=org.supervisor)
    assert (
        client.post(reverse("weekly:team_report_comment", args=[tr.pk]), {"text": "x"}).status_code
        == 404
    )
    assert client.post(reverse("weekly:key_coachee_add", args=[tr.pk]), {}).status_code == 404
    coachee = KeyCoachee.objects.create(report=tr, rep=org.rep, problem="不会约访")
    for name in ("weekly:key_coachee_edit", "weekly:key_coachee_remove"):
        response = client.post(reverse(name, args=[coachee.pk]), {"tracked_effect": "x"})
        assert response.status_code == 404
    key = TeamKeyCustomer.objects.create(
        report=tr, customer=make_customer(org.rep, team=org.team_a), owner=org.rep
    )
    assert client.post(reverse("weekly:team_key_customer_remove", args=[key.pk])).status_code == 404
    coachee.refresh_from_db()
    assert coachee.tracked_effect == ""
    assert TeamKeyCustomer.objects.filter(pk=key.pk).exists()


def test_team_report_rows_with_ids_beyond_64_bits_are_404(org, client_for):
    client = client_for(org.supervisor)
    huge = 2**70
    for name in ("weekly:key_coachee_add", "weekly:key_coachee_edit", "weekly:key_coachee_remove"):
        assert client.post(reverse(name, args=[huge]), {}).status_code == 404
    assert client.post(reverse("weekly:team_key_customer_remove", args=[huge])).status_code == 404


def test_bad_week_in_url_is_404(org, client_for):
    client = client_for(org.supervisor)
    for week in ["2027-W53", "junk", "2026-W0"]:
        url = reverse("weekly:team_report", args=[org.team_a.code, week])
        assert client.get(url).status_code == 404


def test_team_export_layout(org, client_for):
    c = fixed_week(org)
    report(org.rep, org.team_a, plan={"sales_revenue": "2000", "effective_activity_rate": "40"})
    sup = client_for(org.supervisor)
    sup.post(
        _url(org), {"summary": "", "training_topics": "", "action": "save"}
    )  # the first save creates the draft
    tr = TeamWeeklyReport.objects.get()
    services.team_key_customer_add(
        report=tr,
        by=org.supervisor,
        customer=c["c2"],
        needs_analysis="云服务",
        tracking_plan="周五回访",
    )
    services.key_coachee_save(
        report=tr,
        by=org.supervisor,
        rep=org.teammate,
        problem="拜访少",
        coaching_content="陪访",
        tracked_effect="",
    )
    resp = sup.get(_url(org, "team_report_export"), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    title = ws["A1"].value
    assert org.team_a.name in title
    assert "45" in title
    merged = {str(m) for m in ws.merged_cells.ranges}
    members = sorted([org.rep, org.teammate], key=lambda u: u.username)
    last_col = 2 + 2 * len(members) + 1
    assert f"A1:{chr(64 + last_col)}1" in merged
    assert "C3:D3" in merged
    assert "E3:F3" in merged
    assert ws["C3"].value == members[0].name
    assert ws["C4"].value == "Plan"
    assert ws["D4"].value == "Achieved"
    rows = {label: 5 + TEAM_ROWS.index(key) for key, label in TEAM_EN.items()}
    rep_col = 3 + 2 * members.index(org.rep)
    rev = rows["Sales revenue (contracts)"]
    assert ws.cell(row=rev, column=rep_col).value == 2000
    assert ws.cell(row=rev, column=rep_col + 1).value == 1000
    ach = ws.cell(row=rows["Achievement rate"], column=rep_col + 1)
    assert ach.value == pytest.approx(0.5)
    assert ach.number_format == "0.0%"
    ear = ws.cell(row=rows["Effective activity rate"], column=rep_col + 1)
    assert ear.value == pytest.approx(2 / 3)
    assert ear.number_format == "0.0%"
    assert ws.cell(row=rows["Effective activity rate"], column=rep_col).value == pytest.approx(0.4)
    mate_col = 3 + 2 * members.index(org.teammate)
    assert ws.cell(row=rows["Effective activity rate"], column=mate_col + 1).value == "-"
    assert ws.cell(row=rows["Customers visited"], column=rep_col + 1).value == 3
    values = [[c.value for c in row] for row in ws.iter_rows()]
    flat = [v for row in values for v in row if v is not None]
    assert "Key customers" in flat
    assert "云服务" in flat
    assert "周五回访" in flat
    assert "Key coachees" in flat
    assert "拜访少" in flat
    assert org.teammate.name in flat


def test_personal_export_layout(org, client_for):
    fixed_week(org)
    r = report(org.rep, org.team_a, plan={"visits": "5"}, next_goals={"visits": "6"})
    services.report_submit(report=r, by=org.rep)
    resp = client_for(org.rep).get(
        reverse("weekly:report_export", args=[r.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert "A1:E1" in {str(m) for m in ws.merged_cells.ranges}
    assert org.rep.name in ws["A1"].value
    assert "45" in ws["A1"].value
    rows = {metric_label(m): 4 + i for i, m in enumerate(WEEK_METRICS)}
    assert ws.cell(row=rows["Visits"], column=1).value == "Visits"
    v = rows["Visits"]
    assert [ws.cell(row=v, column=c).value for c in range(2, 6)] == [5, 4, pytest.approx(0.8), 6]
    assert ws.cell(row=v, column=4).number_format == "0.0%"
    rate = ws.cell(row=rows["Effective activity rate"], column=3)
    assert rate.value == pytest.approx(2 / 3)
    assert rate.number_format == "0.0%"
    assert ws.cell(row=rows["Deals"], column=4).value == "-"


def test_exports_write_typed_formulas_as_text_and_numbers_as_numbers(org, client_for):
    c = fixed_week(org)
    r = report(org.rep, org.team_a, plan={"visits": "5"}, summary='=HYPERLINK("x")')
    sup = client_for(org.supervisor)
    sup.post(
        _url(org), {"summary": "", "training_topics": "", "action": "save"}
    )  # the first save creates the draft
    tr = TeamWeeklyReport.objects.get()
    services.team_key_customer_add(
        report=tr, by=org.supervisor, customer=c["c2"], needs_analysis='=HYPERLINK("x")'
    )
    personal = sup.get(reverse("weekly:report_export", args=[r.pk]), HTTP_ACCEPT_LANGUAGE="en")
    team = sup.get(_url(org, "team_report_export"), HTTP_ACCEPT_LANGUAGE="en")
    for response in (personal, team):
        ws = load_workbook(io.BytesIO(response.content)).active
        cells = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
        typed = [cell for cell in cells if cell.value == '=HYPERLINK("x")']
        assert typed
        assert all(cell.data_type == "s" for cell in typed)  # text, never a formula
        assert not any(cell.data_type == "f" for cell in cells)
        numbers = [cell for cell in cells if isinstance(cell.value, int | float)]
        assert numbers
        assert all(cell.data_type == "n" for cell in numbers)


def test_meeting_shows_ranking_praise_problems_cases(org, client_for):
    fixed_week(org)
    report(org.rep, org.team_a, plan={"visits": "10"})
    v = Visit.objects.filter(rep=org.rep).order_by("occurred_at").first()
    assert v is not None
    v.is_case, v.case_note = True, "一次拜访推进到意向"
    v.save()
    journal(org.teammate, org.team_a, day(0))
    resp = client_for(org.supervisor).get(
        reverse("weekly:meeting") + f"?team={org.team_a.pk}&week={WEEK.key}"
    )
    assert resp.status_code == 200
    m = resp.context["m"]
    assert [e.user for e in m.reps] == [org.rep, org.teammate]
    assert m.reps[0].rank == 1
    kinds = {(p["user"], p["kind"]) for p in m.problems}
    assert (org.rep, "below_plan") in kinds  # 4 visits of 10 planned
    assert (org.teammate, "missing") in kinds  # only Monday's journal
    missing = next(
        p["value"] for p in m.problems if p["user"] == org.teammate and p["kind"] == "missing"
    )
    assert missing == 4
    assert {(p["user"], p["kind"]) for p in m.praise} == {(org.rep, "rate")}
    assert m.cases == [v]
    assert "一次拜访推进到意向" in resp.content.decode()


def test_meeting_lists_the_weeks_diagnosis_findings(org, client_for):
    from django.utils import timezone

    from coaching.models import Finding

    fixed_week(org)
    Finding.objects.create(
        rep=org.teammate,
        team=org.team_a,
        period_kind="week",
        period_start=WEEK.start,
        symptom="missing_journals",
        computed_at=timezone.now(),
    )
    resp = client_for(org.supervisor).get(
        reverse("weekly:meeting") + f"?team={org.team_a.pk}&week={WEEK.key}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert [f.rep for f in resp.context["findings"]] == [org.teammate]
    assert "Missing journals" in resp.content.decode()


def test_meeting_query_count_does_not_grow(org, client_for, django_assert_max_num_queries):
    from accounts.models import Membership
    from accounts.tests.factories import UserFactory

    fixed_week(org)
    client = client_for(org.supervisor)
    url = reverse("weekly:meeting") + f"?team={org.team_a.pk}&week={WEEK.key}"
    client.get(url)
    with django_assert_max_num_queries(40) as ctx:
        client.get(url)
    few = len(ctx.captured_queries)
    for i in range(5):
        u = UserFactory.create(username=f"extra{i}")
        Membership.objects.create(user=u, unit=org.team_a, role="rep", start=dt.date(2020, 1, 1))
        report(u, org.team_a)
        journal(u, org.team_a, day(0))
    with django_assert_max_num_queries(few):
        resp = client.get(url)
    assert len(resp.context["m"].reps) == 7


def test_meeting_access(org, client_for):
    url = reverse("weekly:meeting")
    assert (
        client_for(org.outsider_supervisor).get(url + f"?team={org.team_a.pk}").status_code == 404
    )
    assert client_for(org.rep).get(url).status_code == 403
    assert client_for(org.manager).get(url + f"?team={org.team_b.pk}&week=junk").status_code == 200


def test_one_team_target_in_the_report_the_meeting_and_the_export(org, client_for):
    """A team sales-revenue target of 6,000.00 for November 2026 (21 work days); 2026-W45
    (Nov 2-8) has 5 of them: 6000 x 5 / 21 = 1,428.57 (kpi/loading.py, split pro rata to work
    days). A draft team report, its export and the weekly meeting all show 1,428.57
    (kpi.figures.team_targets)."""
    from decimal import Decimal

    from kpi.models import Target

    fixed_week(org)
    sup = client_for(org.supervisor)
    Target.objects.create(
        team=org.team_a, month=dt.date(2026, 11, 1), metric="sales_revenue", value=6000
    )
    page = sup.get(_url(org))
    assert page.context["table"].cells["sales_revenue"]["target"] == Decimal("1428.57")
    assert "1,428.57" in page.content.decode()
    meeting = sup.get(reverse("weekly:meeting") + f"?team={org.team_a.pk}&week={WEEK.key}")
    assert meeting.context["m"].table.cells["sales_revenue"]["target"] == Decimal("1428.57")
    assert "1,428.57" in meeting.content.decode()
    ws = load_workbook(
        io.BytesIO(sup.get(_url(org, "team_report_export"), HTTP_ACCEPT_LANGUAGE="en").content)
    ).active
    row = 5 + TEAM_ROWS.index("sales_revenue")
    assert ws.cell(row=row, column=2).value == pytest.approx(1428.57)


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_submitted_team_report_keeps_its_frozen_target_and_shows_the_new_one_beside(
    org, client_for, lang
):
    """Frozen figures stay frozen, targets included (docs/domain, section 4): the team
    report was submitted with a November target of 6,000.00 (W45 has 5 of its 21 work days:
    1,428.57; the rep's 1,000.00 is 70.0 %). The manager then sets 30,000.00 (W45:
    7,142.86). The page and the export keep 1,428.57 and 70.0 %; the page shows "now"
    7,142.86 and 14.0 % beside them; the weekly meeting (live) shows 7,142.86."""
    from decimal import Decimal

    from kpi.models import Target

    fixed_week(org)
    target = Target.objects.create(
        team=org.team_a, month=dt.date(2026, 11, 1), metric="sales_revenue", value=6000
    )
    sup = client_for(org.supervisor)
    sup.get(_url(org))
    sup.post(_url(org), {"summary": "", "training_topics": "", "action": "save"})
    tr = TeamWeeklyReport.objects.get()
    services.team_report_submit(report=tr, by=org.supervisor)
    target.value = 30000
    target.save()
    page = sup.get(_url(org), HTTP_ACCEPT_LANGUAGE=lang)
    assert page.status_code == 200
    cells = page.context["table"].cells
    assert cells["sales_revenue"]["target"] == Decimal("1428.57")
    assert cells["achievement"]["target"] == pytest.approx(1000 / 1428.57)
    rows = {r["row"]: r for r in page.context["table_rows"]}
    assert rows["sales_revenue"]["target_now"] == "7,142.86"
    assert rows["achievement"]["target_now"] == "14.0%"
    html = page.content.decode()
    for shown in ("1,428.57", "70.0%", "7,142.86", "14.0%"):
        assert shown in html
    ws = load_workbook(
        io.BytesIO(sup.get(_url(org, "team_report_export"), HTTP_ACCEPT_LANGUAGE=lang).content)
    ).active
    assert ws.cell(row=5 + TEAM_ROWS.index("sales_revenue"), column=2).value == pytest.approx(
        1428.57
    )
    meeting = sup.get(reverse("weekly:meeting") + f"?team={org.team_a.pk}&week={WEEK.key}")
    assert meeting.context["m"].table.cells["sales_revenue"]["target"] == Decimal("7142.86")


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_a_rep_without_this_weeks_draft_shows_last_weeks_goals_as_plan_everywhere(
    org, client_for, lang
):
    """One rule for a rep's plan (weekly.selectors.week_plan, docs/domain, section 4): the
    rep has W44's report with next-week goals (sales revenue 2,000) and has not opened W45.
    His own page, the team report, its export and the weekly meeting all plan 2,000, and
    his 1,000.00 is 50.0 % of it."""
    from decimal import Decimal

    from kpi.calculations import iso_week_period

    fixed_week(org)
    report(org.rep, org.team_a, iso_week_period(2026, 44), next_goals={"sales_revenue": "2000"})
    assert not TeamWeeklyReport.objects.exists()
    own = client_for(org.rep).get(
        reverse("weekly:report_current") + f"?week={WEEK.key}", HTTP_ACCEPT_LANGUAGE=lang
    )
    own_rows = {r.metric: r for r in own.context["rows"]}
    assert (own_rows["sales_revenue"].plan, own_rows["sales_revenue"].achievement) == (
        "2,000.00",
        "50.0%",
    )
    sup = client_for(org.supervisor)
    page = sup.get(_url(org), HTTP_ACCEPT_LANGUAGE=lang)
    said = "last week's next-week goals" if lang == "en" else "上周填写的下周目标"
    assert said in page.content.decode().replace("&#x27;", "'")
    members = [m["id"] for m in page.context["members"]]
    i = members.index(org.rep.pk)
    assert page.context["table"].cells["sales_revenue"]["members"][i][0] == Decimal("2000")
    assert page.context["table"].cells["achievement"]["members"][i][1] == pytest.approx(0.5)
    ws = load_workbook(
        io.BytesIO(sup.get(_url(org, "team_report_export"), HTTP_ACCEPT_LANGUAGE=lang).content)
    ).active
    assert ws.cell(row=5 + TEAM_ROWS.index("sales_revenue"), column=3 + 2 * i).value == 2000
    meeting = sup.get(
        reverse("weekly:meeting") + f"?team={org.team_a.pk}&week={WEEK.key}",
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    m = meeting.context["m"]
    rep_rows = {r.metric: r for r in next(e for e in m.reps if e.user == org.rep).rows}
    assert rep_rows["sales_revenue"].plan == "2,000.00"
    assert m.table.cells["sales_revenue"]["members"][i][0] == Decimal("2000")


@pytest.mark.parametrize("page", ["team_report", "meeting"])
def test_plans_from_last_weeks_goals_keep_the_query_count(
    org, client_for, django_assert_max_num_queries, page
):
    """Five more reps whose plan comes from last week's next-week goals (no report this
    week): the team report and the weekly meeting still run the same number of queries
    (weekly.selectors.plans_for reads every plan in two queries), and each shows the plan."""
    from accounts.models import Membership
    from accounts.tests.factories import UserFactory
    from kpi.calculations import iso_week_period

    fixed_week(org)
    client = client_for(org.supervisor)
    url = (
        _url(org)
        if page == "team_report"
        else reverse("weekly:meeting") + f"?team={org.team_a.pk}&week={WEEK.key}"
    )
    client.get(url)
    with django_assert_max_num_queries(60) as ctx:
        client.get(url)
    few = len(ctx.captured_queries)
    for i in range(5):
        u = UserFactory.create(username=f"extra{i}")
        Membership.objects.create(user=u, unit=org.team_a, role="rep", start=dt.date(2020, 1, 1))
        goals = {"customers_visited": str(10 + i)}
        report(u, org.team_a, iso_week_period(2026, 44), next_goals=goals)
        journal(u, org.team_a, day(0))
    with django_assert_max_num_queries(few):
        resp = client.get(url)
    table = resp.context["table"] if page == "team_report" else resp.context["m"].table
    planned = [pair[0] for pair in table.cells["customers_visited"]["members"]]
    assert sorted(v for v in planned if v is not None) == [10, 11, 12, 13, 14]


def test_the_team_report_and_its_export_show_follow_ups_and_customers_touched(org, client_for):
    """小组活动统计 lists follow-ups of every channel and customers touched, like the
    personal report and the weekly meeting (docs/domain, section 9, "Visits and
    follow-ups"): org.rep's four visits plus a phone call to a fourth customer."""
    fixed_week(org)
    c4 = make_customer(
        org.rep, stage=Stage.LEAD, name="丁公司", at=local_dt(day(0) - dt.timedelta(days=9))
    )
    visit(Journal.objects.get(rep=org.rep, day=day(4)), c4, channel="phone")
    sup = client_for(org.supervisor)
    html = sup.get(_url(org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    members = sorted([org.rep, org.teammate], key=lambda u: u.username)
    i = members.index(org.rep)
    for row, label, rep_value in (
        ("follow_ups", "Follow-ups (all channels)", "5"),
        ("customers_touched", "Customers touched", "4"),
        ("customers_visited", "Customers visited", "3"),
    ):
        start = html.index(f'data-row="{row}"')
        cells = html[start : html.index("</tr>", start)]
        assert label in cells
        assert cells.count(f"<strong>{rep_value}</strong>") >= 1
    resp = sup.get(_url(org, "team_report_export"), HTTP_ACCEPT_LANGUAGE="en")
    ws = load_workbook(io.BytesIO(resp.content)).active
    rep_col = 3 + 2 * i + 1
    for row, label, value in (
        ("follow_ups", "Follow-ups (all channels)", 5),
        ("customers_touched", "Customers touched", 4),
    ):
        line = 5 + TEAM_ROWS.index(row)
        assert ws.cell(row=line, column=1).value == label
        assert ws.cell(row=line, column=rep_col).value == value
