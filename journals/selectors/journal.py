"""Reading journals in the viewer's scope: get, list, content snapshot, neighbours and
the rep calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.calendar import calendar_book
from accounts.models import Membership, User
from accounts.scoping import Scope, memberships_during
from customers.models import Customer
from domain import visits as visit_rules
from domain.workdays import days_between

from .. import calculations as calc
from ..models import (
    Comment,
    Journal,
    PlanItem,
    Visit,
    effective_visit_q,
)
from .rules import _exempt_kind, _exemptions, deadline_of, effective_rules

#: Open customers with no visit or follow-up for this many days count as "not followed up"


def journal_queryset(scope: Scope) -> QuerySet[Journal]:
    """Journals the viewer may see: their own, and those of the teams they see."""
    return Journal.objects.visible_to(scope)


def journal_get(*, scope: Scope, pk: int) -> Journal:
    """One visible journal with rep and team; Http404 when absent or outside the scope."""
    try:
        return journal_queryset(scope).select_related("rep", "team").get(pk=pk)
    except Journal.DoesNotExist:
        raise Http404 from None


def visit_get(*, scope: Scope, pk: int) -> Visit:
    """One visit whose journal the viewer sees (with journal, customer); Http404 otherwise."""
    visits = Visit.objects.visible_to(scope)
    try:
        return visits.select_related("journal", "customer", "journal__rep").get(pk=pk)
    except Visit.DoesNotExist:
        raise Http404 from None


def plan_item_get(*, scope: Scope, pk: int) -> PlanItem:
    """One plan item of a visible journal; Http404 otherwise."""
    items = PlanItem.objects.filter(journal__in=journal_queryset(scope))
    try:
        return items.select_related("journal", "customer").get(pk=pk)
    except PlanItem.DoesNotExist:
        raise Http404 from None


def _count(model: type[Visit] | type[PlanItem] | type[Comment], *where: Q) -> Coalesce:
    """A correlated COUNT(*) subquery over ``model`` rows of the outer journal."""
    sub = (
        model.objects.filter(*where, journal=OuterRef("pk"))
        .order_by()
        .values("journal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def with_counts(journals: QuerySet[Journal]) -> QuerySet[Journal]:
    """Annotate in-person visits and effective ones, calls / WeChats / e-mails
    (``n_remote``), far check-ins (``domain.visits.CHECKIN_FAR_M``), plan items and comments
    per journal. Visits are in person only, as in the KPIs (docs/domain, section 9, "Visits
    and follow-ups")."""
    in_person = Q(channel=visit_rules.IN_PERSON)
    return journals.annotate(
        n_visits=_count(Visit, in_person),
        n_effective=_count(Visit, in_person, effective_visit_q()),
        n_remote=_count(Visit, ~in_person),
        n_far_checkins=_count(Visit, Q(checkin_distance_m__gt=visit_rules.CHECKIN_FAR_M)),
        n_planned=_count(PlanItem),
        n_comments=_count(Comment),
    )


@dataclass
class ListFilters:
    """Filters of the journal list (all optional)."""

    rep_id: int | None = None
    team_id: int | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def journal_list(*, scope: Scope, filters: ListFilters) -> QuerySet[Journal]:
    """Visible journals, newest first, with counts; filtered by rep, team, status, dates.

    ``status`` is a Journal.Status value, or 'late' / 'unreviewed'.
    """
    qs = journal_queryset(scope).select_related("rep", "team")
    if filters.rep_id:
        qs = qs.filter(rep_id=filters.rep_id)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.status == "late":
        qs = qs.filter(is_late=True).exclude(status=Journal.Status.DRAFT)
    elif filters.status == "unreviewed":
        qs = qs.filter(status=Journal.Status.SUBMITTED)
    elif filters.status in Journal.Status.values:
        qs = qs.filter(status=filters.status)
    if filters.date_from:
        qs = qs.filter(day__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(day__lte=filters.date_to)
    return with_counts(qs).order_by("-day", "rep__username")


def journal_content(journal: Journal) -> dict[str, object]:
    """A JSON-able snapshot of the journal's own text, plan and visit records (used for
    revisions: docs/domain section 1, "an amendment is a new, recorded version").

    Purposes and outcomes are stored as codes (not labels) so two versions compare the
    same whatever language each was saved in; calculations.content_lines translates them
    when rendering."""
    plan = [
        {
            "kind": p.kind,
            "purpose": p.purpose,
            "customer": p.customer.name if p.customer else "",
            "preparation": p.preparation,
        }
        for p in journal.plan_items.select_related("customer").order_by("kind", "position", "id")
    ]
    visits = [
        {
            "time": timezone.localtime(v.occurred_at).strftime("%H:%M"),
            "customer": v.customer.name,
            "purpose": v.purpose,
            "outcome": v.outcome,
            "learned": v.learned,
            "agreed": v.agreed,
            "analysis": v.analysis,
            "next_step": v.next_step,
            "next_step_date": v.next_step_date.isoformat() if v.next_step_date else "",
        }
        for v in journal.visits.select_related("customer").order_by("occurred_at", "id")
    ]
    return {
        "learning_topic": journal.learning_topic,
        "takeaways": journal.takeaways,
        "summary": journal.summary,
        "plan": plan,
        "visits": visits,
    }


#: A visit's customer columns other than its name, for ``QuerySet.defer`` where a page
#: shows a visit's customer by name only (fewer columns to compile and load per row).
CUSTOMER_BUT_NAME = tuple(
    f"customer__{field.name}"
    for field in Customer._meta.concrete_fields
    if field.name not in ("id", "name")
)


def visits_by_others(journal: Journal) -> list[Visit]:
    """Visits on the journal's local day to customers the journal's rep owns, recorded by
    someone else (a supervisor's accompanied visit, a colleague covering): shown in the
    owner's journal. Ordered by time. One query."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(journal.day, dt.time(), tzinfo=zone)
    end = start + dt.timedelta(days=1)
    return list(
        Visit.objects.filter(
            customer__owner_id=journal.rep_id, occurred_at__gte=start, occurred_at__lt=end
        )
        .exclude(rep_id=journal.rep_id)
        .select_related("customer", "rep")
        .defer(*CUSTOMER_BUT_NAME)  # of the customer, the journal shows the name only
        .order_by("occurred_at", "id")
    )


def journal_neighbours(*, journal: Journal, scope: Scope) -> tuple[int | None, int | None]:
    """Previous and next submitted journals of the same team and day, in the inbox's
    order (by rep username), for reading one after another. One query."""
    if not scope.can_see_team(journal.team_id):
        return None, None
    ids = list(
        journal_queryset(scope)
        .filter(team_id=journal.team_id, day=journal.day)
        .exclude(status=Journal.Status.DRAFT)
        .order_by("rep__username", "pk")
        .values_list("pk", flat=True)
    )
    if journal.pk not in ids:
        return None, None
    i = ids.index(journal.pk)
    return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)


# --- plan suggestions and customer picker ------------------------------------------------


def _plan_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "plan_items",
        queryset=PlanItem.objects.select_related("customer").order_by("kind", "position", "id"),
    )


def _visit_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "visits", queryset=Visit.objects.select_related("customer").order_by("occurred_at", "id")
    )


# --- calendar -----------------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: dt.date
    status: str
    journal_id: int | None
    in_month: bool
    exempt_kind: str = ""


def rep_calendar(
    *, rep: User, month: dt.date, now: dt.datetime | None = None
) -> list[list[CalendarDay]]:
    """The rep's month (``month`` = its first day) as weeks of 7 days (Monday first),
    each day with its status: on_time, late, missing, pending, exempt, non_working,
    not_required (no team or not asked to submit) or future. Five queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = month.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    last = next_month - dt.timedelta(days=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    memberships = list(
        Membership.objects.filter(
            memberships_during(grid_start, grid_end),
            user=rep,
            role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
        )
    )
    rules = effective_rules({m.unit_id for m in memberships})
    journals = {
        j["day"]: j
        for j in Journal.objects.filter(rep=rep, day__gte=grid_start, day__lte=grid_end).values(
            "pk", "day", "status", "is_late"
        )
    }
    exemptions = _exemptions([rep.pk], grid_start, grid_end).get(rep.pk, [])
    book = calendar_book()
    weeks: list[list[CalendarDay]] = []
    for day in days_between(grid_start, grid_end):
        membership = next((m for m in memberships if m.is_active_on(day)), None)
        rule = rules.get(membership.unit_id) if membership else None
        journal = journals.get(day)
        kind = _exempt_kind(exemptions, day)
        status = calc.submission_status(
            day=day,
            today=today,
            work_day=book.for_team(membership.unit_id if membership else None).is_workday(day),
            required=bool(rule and membership and rule.required(membership.role)),
            exempt=bool(kind),
            journal_status=journal["status"] if journal else None,
            journal_late=journal["is_late"] if journal else False,
            deadline_passed=bool(rule) and now >= deadline_of(day, rule),  # type: ignore[arg-type]
        )
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append(
            CalendarDay(day, status, journal["pk"] if journal else None, first <= day <= last, kind)
        )
    return weeks


def next_step_days(*, rep: User, month: dt.date) -> dict[dt.date, int]:
    """Open dated next steps of ``rep`` per day, for the calendar weeks around ``month``
    (the 6 weeks from the Monday on or before its first day); one query."""
    first = month.replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    end = start + dt.timedelta(days=42)
    rows = (
        Visit.objects.filter(
            rep=rep,
            next_step_done=False,
            next_step_date__gte=start,
            next_step_date__lt=end,
            next_step__regex=r"\S",
        )
        .values("next_step_date")
        .annotate(n=Count("pk"))
    )
    return {r["next_step_date"]: r["n"] for r in rows}
