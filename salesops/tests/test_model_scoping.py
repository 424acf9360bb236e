"""One scoping rule per model, applied by the ORM (``accounts.scoping.ScopedQuerySet``):
for every scoped model, a user of another team gets 404 (``get_visible_or_404`` and
``get_editable_or_403``), a viewer who may read but not change the row gets 403 from
``get_editable_or_403``, and the row's editor gets it. The selectors read through the same
rule, and a former member of the team keeps nothing (docs/domain, section 1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db.models import Model
from django.http import Http404

from accounts.models import Membership
from accounts.scoping import (
    ScopedQuerySet,
    get_editable_or_403,
    get_visible_or_404,
    scope_for,
)
from coaching.models import CoachingPlan, Finding, Talk
from coaching.tests.factories import make_finding, make_plan, make_talk
from customers.models import Customer, ImportJob, Project
from customers.tests.factories import make_customer
from journals.models import Journal, Visit
from journals.tests.factories import visit
from kpi.models import MonthlyAnalysis, Target
from weekly.models import TeamWeeklyReport, WeeklyReport
from weekly.tests.factories import report

pytestmark = pytest.mark.django_db

D = dt.date
MONDAY = D(2026, 11, 2)


def _customer(org: Any) -> Customer:
    return make_customer(org.rep, team=org.team_a)


def _journal(org: Any) -> Journal:
    return Journal.objects.create(rep=org.rep, team=org.team_a, day=MONDAY)


def _visit(org: Any) -> Visit:
    return visit(_journal(org), _customer(org))


def _weekly(org: Any) -> WeeklyReport:
    return report(org.rep, org.team_a)


def _team_weekly(org: Any) -> TeamWeeklyReport:
    return TeamWeeklyReport.objects.create(team=org.team_a, week=MONDAY, author=org.supervisor)


def _finding(org: Any) -> Finding:
    return make_finding(org.rep, org.team_a)


def _plan(org: Any) -> CoachingPlan:
    return make_plan(org.rep, org.team_a, org.supervisor)


def _talk(org: Any) -> Talk:
    return make_talk(org.rep, org.team_a, org.supervisor)


def _project(org: Any) -> Project:
    customer = make_customer(org.rep, team=org.team_a)
    return Project.objects.create(
        customer=customer,
        name="集团专网项目",
        owner=org.rep,
        team=org.team_a,
        expected_value=Decimal("1000.00"),
        expected_signing=MONDAY,
    )


def _target(org: Any) -> Target:
    return Target.objects.create(
        rep=org.rep, month=MONDAY.replace(day=1), metric="deals", value=Decimal(3)
    )


def _analysis(org: Any) -> MonthlyAnalysis:
    return MonthlyAnalysis.objects.create(
        month=MONDAY.replace(day=1), rep=org.rep, team=org.team_a, author=org.rep
    )


def _import_job(org: Any) -> ImportJob:
    job = ImportJob(kind="customers", original_name="list.csv", created_by=org.admin)
    job.file.save("list.csv", ContentFile(b"name\n"), save=False)
    job.save()
    return job


#: (model, factory, who may change it, who may read it only)
CASES: list[tuple[type[Model], Callable[[Any], Model], str, str]] = [
    (Customer, _customer, "rep", "manager"),
    (Journal, _journal, "rep", "supervisor"),
    (Visit, _visit, "rep", "supervisor"),
    (WeeklyReport, _weekly, "rep", "supervisor"),
    (TeamWeeklyReport, _team_weekly, "supervisor", "manager"),
    (Finding, _finding, "manager", "rep"),
    (CoachingPlan, _plan, "supervisor", "rep"),
    (Talk, _talk, "manager", "rep"),
    (Project, _project, "rep", "manager"),
    (Target, _target, "supervisor", "rep"),
    (MonthlyAnalysis, _analysis, "rep", "supervisor"),
]


@pytest.mark.parametrize(("model", "make", "editor", "reader"), CASES)
def test_another_team_gets_404_a_reader_403_and_the_editor_the_row(
    org, model, make, editor, reader
):
    row = make(org)
    objects = model.objects.all()
    assert isinstance(objects, ScopedQuerySet)
    for outsider in (org.outsider, org.outsider_supervisor, org.supervisor_b, org.rep_b):
        scope = scope_for(outsider)
        with pytest.raises(Http404):
            get_visible_or_404(objects, scope, pk=row.pk)
        with pytest.raises(Http404):
            get_editable_or_403(objects, scope, pk=row.pk)
        assert not objects.visible_to(scope).filter(pk=row.pk).exists()
    read_only = scope_for(getattr(org, reader))
    assert get_visible_or_404(objects, read_only, pk=row.pk) == row
    with pytest.raises(PermissionDenied):
        get_editable_or_403(objects, read_only, pk=row.pk)
    assert not objects.editable_by(read_only).filter(pk=row.pk).exists()
    scope = scope_for(getattr(org, editor))
    assert get_editable_or_403(objects, scope, pk=row.pk) == row
    assert list(objects.editable_by(scope).filter(pk=row.pk)) == [row]


def test_import_jobs_are_the_admins_alone(org):
    job = _import_job(org)
    for who in ("rep", "supervisor", "manager", "outsider"):
        with pytest.raises(Http404):
            get_editable_or_403(ImportJob.objects.all(), scope_for(getattr(org, who)), pk=job.pk)
    assert get_editable_or_403(ImportJob.objects.all(), scope_for(org.admin), pk=job.pk) == job


@pytest.mark.parametrize(("model", "make", "editor", "reader"), CASES)
def test_a_former_member_keeps_nothing(org, model, make, editor, reader):
    """The editor's memberships ended long ago: the team's rows are hidden (their own rows
    as owner stay theirs to read) and nothing is theirs to change."""
    row = make(org)
    user = getattr(org, editor)
    Membership.objects.filter(user=user).update(start=D(2020, 1, 1), end=D(2021, 1, 1))
    scope = scope_for(user)
    owner_field = model.objects.all().scope_owner_field
    owns = owner_field is not None and getattr(row, f"{owner_field}_id") == user.pk
    visible = model.objects.visible_to(scope).filter(pk=row.pk).exists()
    assert visible == owns
    if not owns:
        with pytest.raises(Http404):
            get_editable_or_403(model.objects.all(), scope, pk=row.pk)


def test_bad_ids_are_404_not_errors(org):
    scope = scope_for(org.admin)
    for pk in ("abc", 2**70, -1):
        with pytest.raises(Http404):
            get_visible_or_404(Journal.objects.all(), scope, pk=pk)


def test_a_plain_queryset_is_refused_by_the_editable_helper(org):
    with pytest.raises(TypeError):
        get_editable_or_403(Membership.objects.all(), scope_for(org.admin), pk=1)


def test_selectors_read_through_the_model_rule(org):
    """The app selectors give exactly the model's ``visible_to`` rows for every persona."""
    from coaching import selectors as coaching_selectors
    from customers.projects.selectors import project_queryset
    from customers.selectors import customer_queryset
    from journals.selectors import journal_queryset
    from weekly.selectors import report_queryset, team_report_queryset

    _visit(org)
    _weekly(org)
    _team_weekly(org)
    _plan(org)
    _talk(org)
    _project(org)
    make_customer(None, team=org.team_a)  # the team's public pool
    readers = [
        (customer_queryset, Customer),
        (journal_queryset, Journal),
        (report_queryset, WeeklyReport),
        (team_report_queryset, TeamWeeklyReport),
        (coaching_selectors.findings_visible, Finding),
        (coaching_selectors.plans_visible, CoachingPlan),
        (coaching_selectors.talks_visible, Talk),
        (project_queryset, Project),
    ]
    for who in ("rep", "teammate", "supervisor", "manager", "admin", "outsider", "rep_b"):
        scope = scope_for(getattr(org, who))
        for selector, model in readers:
            got = set(selector(scope).values_list("pk", flat=True))
            want = set(model.objects.visible_to(scope).values_list("pk", flat=True))  # type: ignore[attr-defined]
            assert got == want, (who, model)
    teammate = scope_for(org.teammate)
    assert customer_queryset(teammate).filter(owner__isnull=True).count() == 1
