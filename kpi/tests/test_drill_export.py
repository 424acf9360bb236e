"""The drill-down list exported to .xlsx: exactly the rows of the page (every page of
it), as many as the headline figure, written through the safe cell writer, and only for
a scope the viewer may see (docs/domain, section 9, "Drill-down")."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Customer
from customers.services import customer_create
from kpi.models import KpiSnapshot
from kpi.snapshots import compute_and_store
from kpi.tests.test_views import at, cohort

pytestmark = pytest.mark.django_db

DRILL = reverse("kpi:drilldown")


def _rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def _page_names(client, params: dict) -> list[str]:
    """Every customer name the drill-down page lists, following its pages."""
    names: list[str] = []
    page = 1
    while True:
        response = client.get(DRILL, {**params, "page": page})
        names += [c.name for c in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return names
        page += 1


@pytest.mark.parametrize("metric", ["target_customers", "funnel_target", "intents", "deals"])
def test_export_rows_equal_the_page_rows_and_the_headline(org, client_for, metric):
    cohort(org, n_target=53, n_intent=3, n_deal=2)  # more than one page of 50
    customer_create(by=org.rep, name="=HYPERLINK(1)", owner=org.rep, stage="target", at=at(4))
    compute_and_store(periods=["2026-10"])
    headline = KpiSnapshot.objects.get(
        scope_kind="team", scope_id=org.team_a.pk, period_start=dt.date(2026, 10, 1), metric=metric
    )
    params = {"scope": "team:north-1", "period": "2026-10", "metric": metric}
    client = client_for(org.supervisor)
    page_names = _page_names(client, params)
    rows = _rows(client.get(DRILL, {**params, "format": "xlsx"}))
    assert [r[0] for r in rows] == page_names
    assert len(rows) == len(page_names) == int(headline.value or 0)
    if metric == "target_customers":
        assert len(rows) == 54
        formula = next(r for r in rows if str(r[0]).startswith("="))
        assert formula[0] == "=HYPERLINK(1)"  # kept as text, not run as a formula
        assert {r[2] for r in rows} == {"张伟"}
        assert {r[3] for r in rows} == {"北一组"}


def test_export_keeps_a_moved_customer_unnamed_but_counted(org, client_for):
    made, _other = cohort(org)
    compute_and_store(periods=["2026-10"])
    moved = made[0]
    Customer.objects.filter(pk=moved.pk).update(team=org.team_s, owner=org.outsider)
    params = {"scope": "team:north-1", "period": "2026-10", "metric": "intents", "format": "xlsx"}
    rows = _rows(client_for(org.supervisor).get(DRILL, params))
    assert len(rows) == 2
    assert moved.name not in {r[0] for r in rows}
    assert "该客户现属于您无权查看的团队" in {r[0] for r in rows}


def test_export_of_a_scope_the_viewer_does_not_see_is_404(org, client_for):
    cohort(org)
    compute_and_store(periods=["2026-10"])
    params = {"scope": "team:north-1", "period": "2026-10", "metric": "intents", "format": "xlsx"}
    for user in (org.supervisor_b, org.outsider_supervisor, org.teammate):
        assert client_for(user).get(DRILL, params).status_code == 404
    assert client_for(org.manager).get(DRILL, params).status_code == 200
