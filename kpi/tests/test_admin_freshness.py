"""Writes through the Django admin move the figures the pages read like the services' writes do
(accounts/admin_changes.py; docs/architecture.md, "Incremental recompute"): after the
touch the admin's write announces has run (eagerly here, as the worker would run it), the
rep's, the team's and the branch's stored figures show the change, and equal a full
recompute."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import pytest
from django.forms import FileField, SplitDateTimeField
from django.utils import timezone

from customers.models import BillingMonth, Stage, StageChange
from customers.tests.factories import make_customer
from journals.models import Visit
from journals.services.journal import journal_get_or_create_today
from journals.services.visits import visit_record
from kpi.calculations import period_of
from kpi.figures import stored_metrics
from kpi.models import KpiSnapshot, Target
from kpi.snapshots import compute_and_store


@pytest.fixture
def touching(settings, django_capture_on_commit_callbacks):
    """Touches run (eagerly, inside the test) as the worker would run them."""
    settings.KPI_TOUCH_WHEN_EAGER = True
    return django_capture_on_commit_callbacks


def _figure(kind: str, scope_id: int, metric: str, day: dt.date) -> Decimal | None:
    """The month's figure as the dashboards read it (kpi.figures, the read seam)."""
    stored = stored_metrics(scope_kind=kind, scope_id=scope_id, period=period_of(day, "month"))
    value = stored[metric].value if metric in stored else None
    return None if value is None else Decimal(value)


def _figures(org, metric: str, day: dt.date) -> dict[str, Decimal | None]:
    return {
        "rep": _figure("rep", org.rep.pk, metric, day),
        "team": _figure("team", org.team_a.pk, metric, day),
        "branch": _figure("branch", org.north.pk, metric, day),
    }


def _post_data(response: Any) -> dict[str, Any]:
    """The admin change form of ``response`` as the browser would send it back unchanged."""
    form = response.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        if isinstance(field, FileField):
            continue  # not sent: the admin keeps the stored file
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, SplitDateTimeField):
            local = timezone.localtime(value) if value else None
            data[f"{key}_0"] = local.date().isoformat() if local else ""
            data[f"{key}_1"] = local.time().isoformat() if local else ""
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = value
    return data


def _admin(client, org):
    org.admin.is_staff = org.admin.is_superuser = True
    org.admin.save()
    client.force_login(org.admin)
    return client


def _full(org, day: dt.date) -> None:
    keys = [period_of(day, "month").key]
    compute_and_store(periods=keys, team_ids=[org.team_a.pk], kinds=("rep", "team"))
    compute_and_store(periods=keys, team_ids=[org.team_a.pk, org.team_b.pk], kinds=("branch",))


@pytest.mark.django_db
def test_a_stage_change_added_in_the_admin_moves_the_funnel_of_rep_team_and_branch(
    org, touching, client
):
    now = timezone.now()
    today = timezone.localdate()
    with touching(execute=True):
        customer = make_customer(org.rep, stage=Stage.TARGET, at=now - dt.timedelta(days=40))
    _full(org, today)
    before = _figures(org, "funnel_relationship", today)
    assert all(v is not None for v in before.values()), before
    admin = _admin(client, org)
    at = timezone.localtime(now - dt.timedelta(minutes=5))
    with touching(execute=True):
        response = admin.post(
            "/admin/customers/stagechange/add/",
            {
                "customer": customer.pk,
                "from_stage": Stage.TARGET,
                "to_stage": Stage.RELATIONSHIP,
                "at_0": at.date().isoformat(),
                "at_1": at.time().replace(microsecond=0).isoformat(),
                "rep": org.rep.pk,
                "team": org.team_a.pk,
                "source": StageChange.Source.MANUAL,
                "reason": "admin",
            },
        )
    assert response.status_code == 302, response.content[:2000]
    after = _figures(org, "funnel_relationship", today)
    assert after == {kind: (value or 0) + 1 for kind, value in before.items()}
    # Exactly the figures of a full recompute.
    _full(org, today)
    assert _figures(org, "funnel_relationship", today) == after


@pytest.mark.django_db
def test_a_visit_moved_in_the_admin_leaves_this_months_visits_of_rep_team_and_branch(
    org, touching, client
):
    now = timezone.now()
    today = timezone.localdate()
    with touching(execute=True):
        customer = make_customer(org.rep, stage=Stage.TARGET, at=now - dt.timedelta(days=40))
        journal = journal_get_or_create_today(rep=org.rep)
        visit = visit_record(
            journal=journal,
            by=org.rep,
            customer=customer,
            purpose="first",
            occurred_at=now - dt.timedelta(seconds=30),
        )
    _full(org, today)
    before = _figures(org, "visits", today)
    assert before["rep"] == before["team"] == before["branch"] == 1, before
    admin = _admin(client, org)
    url = f"/admin/journals/visit/{visit.pk}/change/"
    data = _post_data(admin.get(url))
    earlier = timezone.localtime(now - dt.timedelta(days=45))
    data["occurred_at_0"] = earlier.date().isoformat()
    with touching(execute=True):
        response = admin.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    assert Visit.objects.get(pk=visit.pk).occurred_at.date() != now.date()
    assert _figures(org, "visits", today) == {"rep": 0, "team": 0, "branch": 0}
    # The month it moved to counts it (the touch of its new day).
    assert _figures(org, "visits", earlier.date()) == {"rep": 1, "team": 1, "branch": 1}
    _full(org, today)
    assert _figures(org, "visits", today) == {"rep": 0, "team": 0, "branch": 0}


@pytest.mark.django_db
def test_a_visit_deleted_in_the_admin_leaves_the_figures(org, touching, client):
    now = timezone.now()
    today = timezone.localdate()
    with touching(execute=True):
        customer = make_customer(org.rep, stage=Stage.TARGET, at=now - dt.timedelta(days=40))
        visit = visit_record(
            journal=journal_get_or_create_today(rep=org.rep),
            by=org.rep,
            customer=customer,
            purpose="first",
            occurred_at=now - dt.timedelta(seconds=30),
        )
    _full(org, today)
    assert _figures(org, "visits", today) == {"rep": 1, "team": 1, "branch": 1}
    admin = _admin(client, org)
    with touching(execute=True):
        response = admin.post(f"/admin/journals/visit/{visit.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _figures(org, "visits", today) == {"rep": 0, "team": 0, "branch": 0}


@pytest.mark.django_db
def test_a_team_target_set_in_the_admin_reaches_the_teams_completion(org, touching, client):
    now = timezone.now()
    today = timezone.localdate()
    month = today.replace(day=1)
    with touching(execute=True):
        make_customer(org.rep, stage=Stage.TARGET, at=now - dt.timedelta(days=40))
    _full(org, today)
    admin = _admin(client, org)
    with touching(execute=True):
        response = admin.post(
            "/admin/kpi/target/add/",
            {
                "month": month.isoformat(),
                "team": org.team_a.pk,
                "metric": "visits",
                "value": "40",
                "weeks": "{}",
                "set_by": org.admin.pk,
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Target.objects.filter(team=org.team_a, month=month).exists()
    stored = (
        KpiSnapshot.objects.filter(
            scope_kind="team",
            scope_id=org.team_a.pk,
            metric="visits_completion",
            period_kind="month",
            period_start=period_of(today, "month").start,
        )
        .values_list("denominator", flat=True)
        .first()
    )
    assert stored == Decimal("40")


@pytest.mark.django_db
def test_a_billing_month_closed_in_the_admin_recomputes_every_team(org, touching, client):
    admin = _admin(client, org)
    month = timezone.localdate().replace(day=1)
    assert not KpiSnapshot.objects.exists()
    with touching(execute=True):
        response = admin.post(
            "/admin/customers/billingmonth/add/",
            {"month": month.isoformat(), "closed_at_0": month.isoformat(), "closed_at_1": "09:00"},
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert BillingMonth.objects.filter(month=month).exists()
    recomputed = set(
        KpiSnapshot.objects.filter(
            scope_kind="team", period_kind="month", period_start=month
        ).values_list("scope_id", flat=True)
    )
    assert recomputed == {org.team_a.pk, org.team_b.pk, org.team_s.pk}


@pytest.mark.django_db
def test_a_membership_added_in_the_admin_gives_the_new_rep_figures(org, touching, client):
    from accounts.models import Membership, User
    from accounts.tests.factories import UserFactory

    today = timezone.localdate()
    _full(org, today)
    newcomer = cast(User, UserFactory())
    assert _figure("rep", newcomer.pk, "funnel_lead", today) is None
    admin = _admin(client, org)
    with touching(execute=True):
        response = admin.post(
            "/admin/accounts/membership/add/",
            {
                "user": newcomer.pk,
                "unit": org.team_a.pk,
                "role": Membership.Role.REP,
                "start": today.replace(day=1).isoformat(),
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _figure("rep", newcomer.pk, "funnel_lead", today) == 0


@pytest.mark.django_db
def test_a_target_set_on_the_targets_page_reaches_the_teams_completion(org, touching):
    from kpi.targets import target_set

    today = timezone.localdate()
    _full(org, today)
    with touching(execute=True):
        target_set(
            month=today.replace(day=1),
            metric="visits",
            value=Decimal("25"),
            by=org.supervisor,
            team=org.team_a,
        )
    stored = stored_metrics(
        scope_kind="team", scope_id=org.team_a.pk, period=period_of(today, "month")
    )
    assert stored["visits_completion"].denominator == Decimal("25")
