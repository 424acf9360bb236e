"""Stage dates of an update import and the recompute of the periods an import wrote
(docs/domain, section 5, Imports, "Stage dates on update")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.scoping import local_today, scope_for
from customers.models import Customer, StageChange
from customers.tests.test_import_support import (
    english,  # noqa: F401 - fixture
    media,  # noqa: F401 - fixture
    run_import,
    xlsx_bytes,
)
from kpi.calculations import parse_period
from kpi.models import KpiSnapshot
from kpi.views.drill import drill_customer_ids
from kpi.views.scopes import resolve_team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media", "english")]

HEAD = ["客户名称", "客户经理", "阶段", "进入本阶段时间"]


def _months_ago(n: int) -> dt.date:
    """The 3rd of the month ``n`` months before the local today."""
    first = local_today().replace(day=1)
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first.replace(day=3)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _lead_since(org, day: dt.date) -> Customer:
    return Customer.objects.create(
        name="甲公司",
        name_key="甲公司",
        owner=org.rep,
        team=org.team_a,
        stage_changed_at=_aware(day),
    )


def test_a_reimported_export_dates_the_changed_stage_at_the_import(org):
    """The export's "entered this stage at" is the old stage's date: the new stage is
    dated now, never back in that month."""
    old = _months_ago(9)
    customer = _lead_since(org, old)
    before = timezone.now()
    job = run_import(
        xlsx_bytes([HEAD, ["甲公司", "rep", "成交", old.isoformat()]]), on_duplicate="update"
    )
    assert (job.updated_count, job.rejected_count) == (1, 0)
    change = StageChange.objects.get(customer=customer)
    assert (change.from_stage, change.to_stage) == ("lead", "deal")
    assert change.at >= before
    customer.refresh_from_db()
    assert customer.stage == "deal"
    assert customer.stage_changed_at == change.at


def test_a_file_date_before_the_last_change_is_dated_now_not_rejected(org):
    customer = _lead_since(org, _months_ago(9))
    customer.stage = "intent"
    customer.save()
    last = _aware(_months_ago(4))
    StageChange.objects.create(customer=customer, from_stage="lead", to_stage="intent", at=last)
    job = run_import(
        xlsx_bytes([HEAD, ["甲公司", "rep", "目标客户", _months_ago(6).isoformat()]]),
        on_duplicate="update",
    )
    assert (job.updated_count, job.rejected_count) == (1, 0)
    newest = StageChange.objects.filter(customer=customer).latest("at")
    assert newest.to_stage == "target"
    assert timezone.localdate(newest.at) == local_today()
    assert newest.at > last


def test_a_file_date_after_the_last_change_is_the_new_stages_date(org):
    customer = _lead_since(org, _months_ago(9))
    later = _months_ago(3)
    job = run_import(
        xlsx_bytes([HEAD, ["甲公司", "rep", "成交", later.isoformat()]]), on_duplicate="update"
    )
    assert job.updated_count == 1
    change = StageChange.objects.get(customer=customer)
    assert timezone.localdate(change.at) == later


@pytest.mark.parametrize("how", ["create", "update"])
def test_stored_figures_equal_the_drilldown_for_a_past_month_an_import_wrote(
    org, settings, django_capture_on_commit_callbacks, how
):
    """The recompute after an import covers the months of the stage dates it wrote, not
    only the default (current and previous) periods."""
    settings.KPI_TOUCH_WHEN_EAGER = True  # recompute on change, as a worker would
    day = _months_ago(3)
    if how == "update":
        _lead_since(org, _months_ago(9))
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(
            xlsx_bytes([HEAD, ["甲公司", "rep", "成交", day.isoformat()]]),
            on_duplicate="update",
            team=org.team_a,
        )
    assert job.created_count + job.updated_count == 1
    period = parse_period(day.strftime("%Y-%m"))
    drilled = drill_customer_ids(
        resolve_team(scope_for(org.admin), org.team_a.code), period, "deals"
    )
    stored = KpiSnapshot.objects.get(
        scope_kind="team",
        scope_id=org.team_a.pk,
        period_kind="month",
        period_start=period.start,
        metric="deals",
    ).value
    assert len(drilled) == stored == 1
