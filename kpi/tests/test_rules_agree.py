"""One rule in one place: the journal pages and exports, the customer page and the KPIs
agree on effective visits and on reached stages, also after the rule's inputs change
(docs/architecture.md, "Where does rule X live")."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from customers.selectors import stages_reached
from customers.services import customer_change_stage, customer_create
from domain.periods import period_of
from journals.exporting import month_workbook
from journals.models import Journal, Visit, effective_visit_q
from journals.selectors import with_counts
from journals.tests.factories import visit
from kpi.calculations import compute_scope, stage_reach_times
from kpi.loading import load_input

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
DAY = dt.date(2026, 10, 14)


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=TZ)


def journal_side(journal: Journal) -> tuple[int, int]:
    """(effective visits on the journal list, effective visits in the month export)."""
    listed = with_counts(Journal.objects.filter(pk=journal.pk)).get().n_effective  # type: ignore[attr-defined]
    data = month_workbook(
        rep=journal.rep, month=DAY.replace(day=1), journals=Journal.objects.filter(pk=journal.pk)
    )
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[3]]
    row = [c.value for c in sheet[4]]
    return listed, row[header.index("Effective visits")]


def kpi_side(rep_id: int) -> int:
    result = compute_scope(period_of(DAY, "month"), ("rep", rep_id), load_input(), tz=TZ)
    value = result["effective_customers"].value
    assert isinstance(value, int)
    return value


def test_journal_and_kpis_agree_on_effective_visits_also_after_the_inputs_change(org, settings):
    settings.LANGUAGE_CODE = "en"
    customers = [
        customer_create(by=org.rep, name=f"有效{i}", owner=org.rep, stage="target", at=at(1))
        for i in range(5)
    ]
    journal = Journal.objects.create(rep=org.rep, team=org.team_a, day=DAY)
    dated: dict[str, Any] = dict(next_step="送方案", next_step_date=DAY + dt.timedelta(days=3))
    v0 = visit(journal, customers[0], outcome="deal", occurred_at=at(14, 9))
    v1 = visit(journal, customers[1], outcome="next_step", next_step="送方案", occurred_at=at(14))
    visit(journal, customers[2], outcome="info", occurred_at=at(14, 11), **dated)
    visit(journal, customers[3], outcome="next_step", occurred_at=at(14, 12), next_step="  ")
    visit(journal, customers[4], outcome="nothing", occurred_at=at(14, 13))
    # deal; undated next step: no; dated next step (outcome info): yes; blank: no; nothing
    assert journal_side(journal) == (2, 2)
    assert kpi_side(org.rep.pk) == 2
    assert {v.pk for v in Visit.objects.filter(effective_visit_q())} == {
        v.pk for v in Visit.objects.all() if v.is_effective
    }

    # The inputs change behind the rule's back (no save hook runs): every side follows.
    Visit.objects.filter(pk=v1.pk).update(next_step_date=DAY)
    Visit.objects.filter(pk=v0.pk).update(outcome="info")
    assert journal_side(journal) == (2, 2)
    assert kpi_side(org.rep.pk) == 2
    assert set(Visit.objects.filter(effective_visit_q()).values_list("customer_id", flat=True)) == {
        customers[1].pk,
        customers[2].pk,
    }


def test_customer_page_and_kpis_agree_on_reached_stages_after_relationship_to_lost(org):
    """An imported customer at relationship (no earlier change row but its creation) that
    is lost: both the customer page and the KPIs count target and relationship as reached
    (docs/domain, section 9: the from-stage of a change records that it was there)."""
    customer = customer_create(
        by=org.rep, name="关系客户", owner=org.rep, stage="relationship", at=at(2)
    )
    customer.stage_changes.all().delete()  # history imported without its first row
    customer.stage = "relationship"
    customer.save(update_fields=["stage"])
    customer_change_stage(customer=customer, to_stage="lost", by=org.rep, at=at(5), reason="倒闭")
    page = stages_reached(customer.stage_changes.all(), customer.created_at)
    kpis = stage_reach_times(load_input().stage_changes, TZ).set_index("customer_id")
    row = kpis.loc[customer.pk]
    kpi_reached = {
        s for s in ("target", "relationship", "intent", "deal") if not_nat(row[f"{s}_at"])
    }
    assert kpi_reached == {"target", "relationship"}
    assert set(page) == {"lead", "target", "relationship", "lost"}
    assert page["relationship"] == row["relationship_at"].to_pydatetime()


def not_nat(value: object) -> bool:
    return value is not None and value == value  # NaT is not equal to itself
