"""Targets (目标管理, docs/domain section 4b): the grid, acknowledgement, xlsx export and
import with row errors, and access (404 outside, 403 read-only)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from accounts.models import Membership
from accounts.scoping import scope_for
from accounts.tests.factories import MembershipFactory, UserFactory
from kpi.models import Target
from kpi.targets import parse_month, target_set, targets_import
from spreadsheets.reading import FileRefused

OCT = dt.date(2026, 10, 1)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the catalogue translates them)."""
    with override("en"):
        yield


def edit_url(code: str = "north-1", month: str = "2026-10") -> str:
    return reverse("kpi:target_edit", args=[code, month])


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_parse_month():
    assert parse_month("2026-10") == OCT
    assert parse_month("2026-13") is None
    assert parse_month("x", OCT) == OCT


def test_supervisor_sets_targets_in_the_grid(org, client_for):
    client = client_for(org.supervisor)
    page = client.get(edit_url())
    assert page.status_code == 200
    assert len(page.context["rows"]) == 3  # team + rep + teammate
    response = client.post(
        edit_url(),
        {
            f"v-{org.rep.pk}-deals": "5",
            "v-team-total_revenue": "10,000",
            f"v-{org.teammate.pk}-visits": "",
        },
    )
    assert response.status_code == 302
    assert Target.objects.get(rep=org.rep, month=OCT, metric="deals").value == Decimal("5.00")
    assert Target.objects.get(team=org.team_a, month=OCT, metric="total_revenue").value == Decimal(
        "10000.00"
    )
    assert Target.objects.count() == 2
    # clearing a cell deletes the target
    client.post(edit_url(), {"v-team-total_revenue": "10000", f"v-{org.rep.pk}-deals": ""})
    assert not Target.objects.filter(rep=org.rep).exists()


def _five_targets(org):
    for metric in ("visits", "deals"):
        target_set(month=OCT, metric=metric, value=Decimal(10), by=org.admin, team=org.team_a)
        target_set(month=OCT, metric=metric, value=Decimal(4), by=org.admin, rep=org.rep)
    target_set(month=OCT, metric="deals", value=Decimal(3), by=org.admin, rep=org.rep_b)
    return {(t.rep_id, t.team_id, t.metric): t.value for t in Target.objects.all()}


def test_a_partial_grid_changes_only_the_cells_it_sends(org, client_for):
    before = _five_targets(org)
    response = client_for(org.supervisor).post(edit_url(), {"v-team-visits": "340"})
    assert response.status_code == 302
    after = {(t.rep_id, t.team_id, t.metric): t.value for t in Target.objects.all()}
    assert after == {**before, (None, org.team_a.pk, "visits"): Decimal("340.00")}


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_rep_ids_outside_the_team_are_refused_and_nothing_is_saved(org, client_for, lang):
    before = _five_targets(org)
    client = client_for(org.supervisor)
    with override(lang):
        response = client.post(
            edit_url(),
            {
                "v-team-visits": "340",
                f"v-{org.rep_b.pk}-deals": "1",
                f"v-{org.outsider.pk}-visits": "",
            },
            HTTP_ACCEPT_LANGUAGE=lang,
        )
    assert response.status_code == 200
    assert response.context["has_errors"]
    text = response.content.decode()
    ids = ", ".join(str(pk) for pk in sorted([org.rep_b.pk, org.outsider.pk]))
    if lang == "en":
        assert f"Not reps of 北一组 in 2026-10: {ids}. Nothing was saved." in text
    else:
        assert f"以下人员 2026-10 不是北一组的销售：{ids}。未保存任何内容。" in text
    after = {(t.rep_id, t.team_id, t.metric): t.value for t in Target.objects.all()}
    assert after == before


@pytest.mark.parametrize("who", ["supervisor_b", "outsider_supervisor", "rep", "rep_b"])
def test_another_teams_people_cannot_change_the_grid(org, client_for, who):
    before = _five_targets(org)
    response = client_for(getattr(org, who)).post(
        edit_url(), {"v-team-visits": "340", f"v-{org.rep.pk}-deals": ""}
    )
    assert response.status_code in (403, 404)
    after = {(t.rep_id, t.team_id, t.metric): t.value for t in Target.objects.all()}
    assert after == before


def test_grid_rejects_bad_values_with_field_errors(org, client_for):
    response = client_for(org.supervisor).post(
        edit_url(), {f"v-{org.rep.pk}-deals": "-3", "v-team-visits": "abc"}
    )
    assert response.status_code == 200
    assert response.context["has_errors"]
    assert "is-invalid" in response.content.decode()
    assert not Target.objects.exists()


def test_bad_month_in_url_is_404(org, client_for):
    assert client_for(org.supervisor).get(edit_url(month="2026-13")).status_code == 404


def test_manager_may_set_team_targets(org, client_for):
    assert client_for(org.manager).get(edit_url("north-2")).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "outsider_supervisor", "supervisor_b", "rep_b"])
def test_other_teams_target_grid_is_404(org, client_for, who):
    assert client_for(getattr(org, who)).get(edit_url()).status_code == 404


def test_rep_cannot_open_the_grid(org, client_for):
    # A rep does not see the team's page at all.
    assert client_for(org.rep).get(edit_url()).status_code == 404


def test_rep_acknowledges_and_a_change_needs_a_new_acknowledgement(org, client_for):
    target_set(month=OCT, metric="deals", value=Decimal(5), by=org.supervisor, rep=org.rep)
    client = client_for(org.rep)
    page = client.get(reverse("kpi:target_list"), {"month": "2026-10"})
    assert 'data-testid="ack"' in page.content.decode()
    client.post(reverse("kpi:target_ack"), {"month": "2026-10"})
    target = Target.objects.get()
    assert target.acknowledged_at is not None
    target_set(month=OCT, metric="deals", value=Decimal(6), by=org.supervisor, rep=org.rep)
    target.refresh_from_db()
    assert target.acknowledged_at is None


def test_target_list_for_leads_has_fixed_queries(org, client_for, django_assert_max_num_queries):
    target_set(month=OCT, metric="deals", value=Decimal(5), by=org.supervisor, rep=org.rep)
    client = client_for(org.manager)
    client.get(reverse("kpi:target_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        response = client.get(reverse("kpi:target_list"), {"month": "2026-10"})
    rows = {r["team"].code: r for r in response.context["team_rows"]}
    assert rows["north-1"]["rep_n"] == 1
    assert rows["north-1"]["reps"] == 2
    for i in range(10):
        MembershipFactory(
            user=UserFactory(username=f"extra{i}"), unit=org.team_b, role=Membership.Role.REP
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("kpi:target_list"), {"month": "2026-10"})


def test_export_then_import_round_trip(org, client_for):
    target_set(month=OCT, metric="deals", value=Decimal(5), by=org.supervisor, rep=org.rep)
    target_set(month=OCT, metric="visits", value=Decimal(80), by=org.supervisor, team=org.team_a)
    target_set(
        month=OCT, metric="visits", value=Decimal(70), by=org.outsider_supervisor, team=org.team_s
    )
    response = client_for(org.supervisor).get(reverse("kpi:target_export"), {"month": "2026-10"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("rep", "team", "month", "metric", "value")
    assert len(rows) == 3  # team_s is not exported to team_a's supervisor
    Target.objects.filter(team=org.team_a).delete()
    result = targets_import(
        data=response.content, by=org.supervisor, scope=scope_for(org.supervisor)
    )
    assert result.written == 2
    assert result.errors == []
    assert Target.objects.filter(team=org.team_a, metric="visits").exists()


def test_export_writes_typed_formulas_as_text_and_numbers_as_numbers(org, client_for):
    rep = org.rep
    rep.username = '=HYPERLINK("x")'
    rep.save(update_fields=["username"])
    target_set(month=OCT, metric="deals", value=Decimal(5), by=org.supervisor, rep=rep)
    response = client_for(org.supervisor).get(reverse("kpi:target_export"), {"month": "2026-10"})
    ws = load_workbook(io.BytesIO(response.content)).active
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == '=HYPERLINK("x")')
    assert row[0].data_type == "s"  # the text as typed, never a formula
    assert (row[4].value, row[4].data_type) == (5, "n")


def test_export_of_other_team_is_404(org, client_for):
    response = client_for(org.supervisor).get(reverse("kpi:target_export"), {"team": "south-1"})
    assert response.status_code == 404


def test_import_reports_row_errors_and_writes_valid_rows(org, client_for):
    data = xlsx(
        [
            ["销售人员", "小组", "月份", "指标", "目标值"],
            ["rep", "", "2026-10", "deals", 4],
            ["outsider", "", "2026-10", "deals", 4],
            ["", "north-1", "2026-13", "visits", 10],
            ["", "north-1", "2026-10", "nonsense", 10],
            ["teammate", "", "2026-10", "Visits", -1],
            ["", "", "2026-10", "visits", 1],
        ]
    )
    response = client_for(org.supervisor).post(
        reverse("kpi:target_import"),
        {"file": SimpleUploadedFile("t.xlsx", data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.written == 1
    assert [(e.row, e.field) for e in result.errors] == [
        (3, "rep"),
        (4, "month"),
        (5, "metric"),
        (6, "value"),
        (7, "rep"),
    ]
    joined = " | ".join(str(e) for e in result.errors)
    assert "row 3, rep: unknown or not in your teams that month: outsider" in joined
    assert "row 4, month: expected YYYY-MM, e.g. 2026-10: 2026-13" in joined
    assert "row 5, metric: unknown metric: nonsense" in joined
    assert "row 6, target value: a number of 0 or more is required: -1" in joined
    assert "row 7, rep: a rep or a team is required" in joined
    assert Target.objects.get().rep == org.rep


def test_import_problems_are_said_in_chinese_with_row_field_and_value(org, client_for):
    data = xlsx(
        [
            ["销售人员", "小组", "月份", "指标", "目标值", "2026-W30"],
            ["rep", "", "2026-13", "deals", 4, ""],
            ["rep", "", "2026-10", "nonsense", 4, ""],
            ["rep", "", "2026-10", "deals", "abc", ""],
            ["rep", "", "2026-10", "deals", 4, 4],
        ]
    )
    response = client_for(org.supervisor).post(
        reverse("kpi:target_import"),
        {"file": SimpleUploadedFile("t.xlsx", data)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    table = page[page.index('data-testid="import-errors"') :]
    for text in ("月份", "2026-13", "指标", "nonsense", "目标值", "abc", "2026-W30", "2026-10"):
        assert text in table
    for english in ("expected", "unknown metric", "number of 0", "not a week"):
        assert english not in table
    refused = client_for(org.supervisor).post(
        reverse("kpi:target_import"),
        {"file": SimpleUploadedFile("t.xlsx", xlsx([["甲", "乙"], [1, 2]]))},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    message = refused.context["form"].errors["file"][0]
    assert "甲" in message
    assert "header row" not in message


def test_import_refuses_bad_files_with_a_form_error(org, client_for):
    response = client_for(org.supervisor).post(
        reverse("kpi:target_import"), {"file": SimpleUploadedFile("t.xlsx", b"%PDF-1.4 nothing")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    with pytest.raises(FileRefused):
        targets_import(
            data=xlsx([["a", "b"], [1, 2]]), by=org.supervisor, scope=scope_for(org.supervisor)
        )


def test_import_page_is_404_for_reps_and_outsiders(org, client_for):
    assert client_for(org.rep).get(reverse("kpi:target_import")).status_code == 404
    assert client_for(org.outsider).get(reverse("kpi:target_import")).status_code == 404


def test_weekly_split_round_trips_through_xlsx(org, client_for):
    data = xlsx(
        [
            ["rep", "team", "month", "metric", "value", "2026-W40", "2026-W41", "2026-W44"],
            ["rep", "", "2026-10", "visits", 30, 10, 20, ""],
            ["teammate", "", "2026-10", "visits", 30, 10, 10, ""],
            ["", "north-1", "2026-10", "visits", 50, "", "", ""],
        ]
    )
    result = targets_import(data=data, by=org.supervisor, scope=scope_for(org.supervisor))
    assert result.written == 2
    assert [str(e) for e in result.errors] == [
        "row 3, weekly split: the weeks add up to 20.00, not the month's value 30.00"
    ]
    target = Target.objects.get(rep=org.rep)
    assert target.weeks == {"2026-W40": "10.00", "2026-W41": "20.00"}
    assert Target.objects.get(team=org.team_a).weeks == {}
    response = client_for(org.supervisor).get(reverse("kpi:target_export"), {"month": "2026-10"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][5:] == ("2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44")
    rep_row = next(r for r in rows[1:] if r[0] == "rep")
    assert rep_row[5:7] == (10, 20)


def test_weekly_split_rejects_weeks_outside_the_month(org):
    data = xlsx(
        [
            ["rep", "month", "metric", "value", "2026-W30"],
            ["rep", "2026-10", "visits", 30, 30],
        ]
    )
    result = targets_import(data=data, by=org.supervisor, scope=scope_for(org.supervisor))
    assert result.written == 0
    assert [str(e) for e in result.errors] == ["row 2, 2026-W30: not a week of 2026-10"]


def test_grid_shows_split_and_a_new_value_drops_it(org, client_for):
    target_set(
        month=OCT,
        metric="visits",
        value=Decimal(30),
        by=org.supervisor,
        rep=org.rep,
        weeks={"2026-W40": "10.00", "2026-W41": "20.00"},
    )
    client = client_for(org.supervisor)
    assert "2026-W40: 10.00" in client.get(edit_url()).content.decode()
    client.post(edit_url(), {f"v-{org.rep.pk}-visits": "40"})
    target = Target.objects.get()
    assert target.value == Decimal(40)
    assert target.weeks == {}


def test_the_grid_says_when_the_team_target_differs_from_the_reps_sum(org, client_for):
    Target.objects.create(team=org.team_a, month=OCT, metric="deals", value=10)
    Target.objects.create(rep=org.rep, month=OCT, metric="deals", value=4)
    Target.objects.create(rep=org.teammate, month=OCT, metric="deals", value=6)
    client = client_for(org.supervisor)
    page = client.get(edit_url())
    assert page.context["mismatches"] == []  # 10 = 4 + 6
    assert 'data-testid="target-mismatch"' not in page.content.decode()
    Target.objects.filter(rep=org.teammate).update(value=5)
    page = client.get(edit_url())
    assert [(m["team"], m["reps"]) for m in page.context["mismatches"]] == [
        (Decimal("10"), Decimal("9"))
    ]
    page = client.get(edit_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "小组 10，组员合计 9" in page.content.decode()


def test_grid_refuses_a_target_above_the_metrics_maximum_with_a_field_error(org, client_for):
    """docs/domain, section 4b: counts at most 100,000 a month, money at most 10^10 CNY."""
    response = client_for(org.supervisor).post(
        edit_url(),
        {"v-team-visits": "1e9", "v-team-total_revenue": "10000000001", "v-team-deals": "7"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "A target of this metric is at most 100,000 a month." in html
    assert "A target of this metric is at most 10,000,000,000 a month." in html
    assert not Target.objects.exists()
    ok = client_for(org.supervisor).post(
        edit_url(), {"v-team-visits": "100000", "v-team-total_revenue": "10000000000"}
    )
    assert ok.status_code == 302
    assert Target.objects.count() == 2


def test_the_service_refuses_a_count_target_above_the_maximum(org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        target_set(
            month=dt.date(2026, 10, 1),
            metric="visits",
            value=Decimal("100000.01"),
            by=org.supervisor,
            team=org.team_a,
        )
    assert "value" in err.value.message_dict
