"""Plan suggestions and the customer picker's customers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Membership, User
from accounts.scoping import Scope, active_memberships, scope_for
from customers.models import Customer, Stage

from .. import calculations as calc
from ..models import (
    FOLLOW_UP_PURPOSES,
    VISIT_PURPOSES,
    Journal,
    PlanItem,
    Purpose,
    Visit,
)

#: Open customers with no visit or follow-up for this many days count as "not followed up"


@dataclass
class Suggestion:
    """A plan item offered for today: an unfinished item of the rep's previous journal
    (``carried_from``) or a next step due today (``from_visit``)."""

    purpose: str
    customer: Customer | None
    preparation: str
    carried_from: PlanItem | None = None
    from_visit: Visit | None = None
    #: The customer is in today's plan already: shown, not offered again.
    planned: bool = False

    @property
    def purpose_label(self) -> str:
        return str(Purpose(self.purpose).label)


#: A suggestion's customer columns: its name and id shown, its stage for the purpose.
_SUGGESTED_CUSTOMER = ("customer__name", "customer__stage")


def plan_suggestions(
    *, journal: Journal, planned: Iterable[PlanItem] | None = None
) -> list[Suggestion]:
    """What to offer as today's plan (fast entry): the previous journal's
    planned visits and follow-ups with no visit record, and next steps due on the
    journal's day that are not done. Items already carried into this journal, and
    customers already planned, are left out.

    ``planned``: the journal's plan items when the caller has them loaded already (the
    editor's work panel), else they are read. Two to four queries: the plan (unless
    given), the previous journal's open items (its day found in the same query), that
    journal's visits (only when it has any such item), the next steps due."""
    if planned is None:
        planned = journal.plan_items.only("carried_from", "customer")
    pairs = [(p.carried_from_id, p.customer_id) for p in planned]
    carried_ids = {c for c, _ in pairs if c}
    planned_customers = {c for _, c in pairs if c}
    # The rep's latest journal before this one, as a subquery of both reads below.
    previous = Subquery(
        Journal.objects.filter(rep_id=journal.rep_id, day__lt=journal.day)
        .order_by("-day")
        .values("pk")[:1]
    )
    out: list[Suggestion] = []
    items = list(
        PlanItem.objects.filter(journal_id=previous)
        .exclude(kind=PlanItem.Kind.APPOINTMENT)
        .exclude(pk__in=carried_ids)
        .select_related("customer")
        # What a suggestion shows and the add form posts: no other customer column.
        .only(
            "journal",
            "kind",
            "position",
            "customer",
            "purpose",
            "preparation",
            *_SUGGESTED_CUSTOMER,
        )
        .order_by("kind", "position", "id")
    )
    if items:
        done = calc.plan_items_done(
            [(i.pk, i.customer_id, i.purpose) for i in items],
            Visit.objects.filter(journal_id=items[0].journal_id).values_list(
                "plan_item_id", "customer_id", "purpose"
            ),
        )
        for item in items:
            if item.pk in done:
                continue
            if item.customer_id and item.customer_id in planned_customers:
                continue
            out.append(Suggestion(item.purpose, item.customer, item.preparation, carried_from=item))
    due = (
        Visit.objects.filter(
            rep_id=journal.rep_id, next_step_date=journal.day, next_step_done=False
        )
        .exclude(next_step="")
        .select_related("customer")
        .only("customer", "purpose", "next_step", "occurred_at", *_SUGGESTED_CUSTOMER)
        .order_by("occurred_at")
    )
    seen = {s.customer.pk for s in out if s.customer}
    for visit in due:
        if visit.customer_id in planned_customers or visit.customer_id in seen:
            continue
        seen.add(visit.customer_id)
        purpose = _next_purpose(visit.customer.stage, visit.purpose)
        out.append(Suggestion(purpose, visit.customer, visit.next_step, from_visit=visit))
    return out


def overdue_step_suggestions(
    *, steps: Iterable[Visit], planned: Iterable[PlanItem]
) -> list[Suggestion]:
    """Today's overdue next steps (``steps``: open next steps due before the journal's
    day, their customer's ``name``, ``stage`` and ``owner_id`` loaded) as suggestions to add to
    the plan like the ones of :func:`plan_suggestions`: the natural next purpose, the step's
    text as preparation, ``planned`` set when the customer is in the plan already. No query.
    Rule source: docs/domain section 3 (plan suggestions, next steps)."""
    planned_customers = {p.customer_id for p in planned if p.customer_id}
    return [
        Suggestion(
            _next_purpose(step.customer.stage, step.purpose),
            step.customer,
            step.next_step,
            from_visit=step,
            planned=step.customer_id in planned_customers,
        )
        for step in steps
    ]


def _next_purpose(stage: str, last_purpose: str) -> str:
    """The natural purpose of the next visit: closing once intent is reached, explanation
    after a first visit, otherwise the same purpose as last time."""
    if stage == Stage.INTENT:
        return Purpose.CLOSING
    if last_purpose == Purpose.FIRST:
        return Purpose.EXPLANATION
    if last_purpose in VISIT_PURPOSES or last_purpose in FOLLOW_UP_PURPOSES:
        return last_purpose
    return Purpose.EXPLANATION


def own_customers(*, rep: User) -> QuerySet[Customer]:
    """Customers the rep owns (the ones a journal may plan and record visits for)."""
    return Customer.objects.filter(owner=rep)


def visitable_customers(
    *, rep: User, day: dt.date, scope: Scope | None = None
) -> QuerySet[Customer]:
    """Customers ``rep`` may record a visit to on local ``day``: their own, the customers
    of the teams they see (a supervisor's accompanied visit, 陪同拜访), and those of the
    teams they are a rep of (covering for a colleague). Lost customers are left out.

    ``scope``: the request's scope, used when it is ``rep``'s on ``day`` (saves building
    it again, one query); any other scope is ignored."""
    if scope is None or scope.user_id != rep.pk or scope.day != day:
        scope = scope_for(rep, day)
    teams = Membership.objects.filter(
        active_memberships(day), user=rep, role=Membership.Role.REP
    ).values("unit_id")
    return (
        (Customer.objects.visible_to(scope) | Customer.objects.filter(team_id__in=teams))
        .exclude(stage=Stage.LOST)
        .distinct()
    )


def picker_customers(*, scope: Scope, rep: User, q: str, limit: int = 10) -> list[Customer]:
    """The customer picker: the viewer's own customers matching ``q`` by name, short name
    or pinyin initials ('sztf' finds 深圳腾飞), through customers.selectors.customer_search;
    with no ``q``, the rep's most recently active open customers. Lost customers are left
    out. ``rep`` must be the viewer (a journal is written by its own rep)."""
    from customers.selectors import customer_search

    q = q.strip()
    if q:
        rows = customer_search(scope=scope, q=q, limit=limit + 5, own_only=True)
        return [c for c in rows if c.owner_id == rep.pk and c.stage != Stage.LOST][:limit]
    qs = Customer.objects.visible_to(scope).filter(owner=rep).exclude(stage=Stage.LOST)
    return list(qs.order_by(Coalesce("last_activity_at", "created_at").desc(), "name")[:limit])


# --- team day: inbox and reminders --------------------------------------------------------
