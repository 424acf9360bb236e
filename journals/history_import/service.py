"""Plan and write a history import: visits, follow-ups and stage changes from another CRM,
attached to the customers they belong to, with their own dates, reps and outcomes
(docs/domain, sections 3, 5 and 9).

Who may import: an admin (any customer and person) or a supervisor (customers of the teams
they supervise, people who were in those teams on the row's day); anyone else gets
PermissionDenied. Customers are matched by customer code, then credit code, then name
(the customer import's name key) among the customers the importer may see; people by
username, else by a display name only one person has.

Nothing is re-owned: a visit is the row's rep's, in that rep's team on that day (the
journal rule, docs/domain, section 9, Attribution); a stage change carries the row's rep
(else the customer's owner) and that person's team on that day (else the customer's team).
Rows already in the history (same customer, rep and time for a visit; same customer, stage
and time for a stage change) are skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, OrgUnit, User
from accounts.scoping import Scope, local_today, scope_for
from customers.importing import name_key
from customers.models import Customer, Stage, StageChange
from customers.stage_history import (
    ImportedStageChange,
    stage_history_import,
    stage_history_known,
)
from domain import visits as visit_rules
from salesops.events import HistoryImported, publish

from ..models import Journal, Visit
from .reading import STAGE, VISIT, HistoryRow, HistorySheet, RowProblem, read_history

ATTACH, KNOWN, REJECT = "attach", "known", "reject"
T = TypeVar("T")


@dataclass(slots=True)
class PlannedRow:
    """What one row will do: ``action`` ATTACH, KNOWN (already in the history, skipped) or
    REJECT (``problems`` say why); the customer, the person and team it is attributed to,
    and when (aware)."""

    row: HistoryRow
    action: str = ATTACH
    customer: Customer | None = None
    rep: User | None = None
    team: OrgUnit | None = None
    at: dt.datetime | None = None
    problems: list[RowProblem] = field(default_factory=list)


@dataclass(slots=True)
class HistoryPlan:
    """The planned rows of a file, in file order, and the file's columns."""

    sheet: HistorySheet
    rows: list[PlannedRow]

    def count(self, action: str, kind: str | None = None) -> int:
        """Rows with ``action`` (and ``kind`` VISIT or STAGE when given)."""
        return sum(1 for p in self.rows if p.action == action and kind in (None, p.row.kind))


def history_check_can_import(scope: Scope) -> None:
    """Admins and supervisors may import history; raises PermissionDenied otherwise."""
    if not (scope.is_admin or scope.is_supervisor):
        raise PermissionDenied(_("Only an admin or a supervisor can import history."))


def _teams(scope: Scope) -> frozenset[int] | None:
    return None if scope.is_admin else scope.supervised_team_ids


def _customers(plan_rows: list[PlannedRow], teams: frozenset[int] | None) -> None:
    codes = {p.row.customer_code for p in plan_rows if p.row.customer_code}
    credits = {p.row.credit_code for p in plan_rows if p.row.credit_code}
    keys = {name_key(p.row.customer) for p in plan_rows if p.row.customer}
    found = Customer.objects.filter(
        Q(external_code__in=codes) | Q(credit_code__in=credits) | Q(name_key__in=keys)
    )
    if teams is not None:
        found = found.filter(team_id__in=teams)
    by: dict[tuple[str, str], list[Customer]] = defaultdict(list)
    for customer in found.select_related("owner", "team").order_by("pk"):
        for kind, value in (
            ("code", customer.external_code),
            ("credit", customer.credit_code),
            ("name", customer.name_key),
        ):
            if value:
                by[(kind, value)].append(customer)
    for p in plan_rows:
        row = p.row
        for kind, value, label in (
            ("code", row.customer_code, _("customer code")),
            ("credit", row.credit_code, _("credit code")),
            ("name", name_key(row.customer) if row.customer else "", _("name")),
        ):
            if not value:
                continue
            matches = by.get((kind, value), [])
            if len(matches) == 1:
                p.customer = matches[0]
                break
            if len(matches) > 1:
                p.problems.append(
                    RowProblem(
                        "customer",
                        _("%(n)d customers have this %(key)s; give the customer code")
                        % {"n": len(matches), "key": label},
                    )
                )
                break
        else:
            shown = row.customer_code or row.credit_code or row.customer
            p.problems.append(
                RowProblem(
                    "customer",
                    _("no customer %(value)s among the customers you may see") % {"value": shown},
                )
            )


class _People:
    """People named in the file and their rep/supervisor memberships (two queries)."""

    def __init__(self, texts: set[str]) -> None:
        users = list(User.objects.filter(Q(username__in=texts) | Q(display_name__in=texts)))
        self.by_text: dict[str, User | None] = {}
        for text in texts:
            exact = [u for u in users if u.username == text]
            named = [u for u in users if u.display_name == text]
            if exact:
                self.by_text[text] = exact[0]
            elif len(named) == 1:
                self.by_text[text] = named[0]
            elif named:
                self.by_text[text] = None  # ambiguous
        self.memberships: dict[int, list[Membership]] = defaultdict(list)
        for m in (
            Membership.objects.filter(
                user_id__in=[u.pk for u in users],
                role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
            )
            .select_related("unit")
            .order_by("-start", "id")
        ):
            self.memberships[m.user_id].append(m)

    def team_of(self, user: User, day: dt.date) -> OrgUnit | None:
        """The rule of ``accounts.scoping.team_of``: the latest active rep/supervisor team."""
        return next((m.unit for m in self.memberships[user.pk] if m.is_active_on(day)), None)


def _people(plan_rows: list[PlannedRow], teams: frozenset[int] | None) -> None:
    people = _People({p.row.rep for p in plan_rows if p.row.rep})
    for p in plan_rows:
        row = p.row
        if p.at is None:
            continue
        day = timezone.localdate(p.at)
        if row.rep:
            if row.rep not in people.by_text:
                p.problems.append(RowProblem("rep", _("unknown user %(name)s") % {"name": row.rep}))
                continue
            user = people.by_text[row.rep]
            if user is None:
                p.problems.append(
                    RowProblem(
                        "rep",
                        _("several users are called %(name)s; give the username")
                        % {"name": row.rep},
                    )
                )
                continue
            p.rep = user
            p.team = people.team_of(user, day)
        elif row.kind == STAGE and p.customer is not None:
            p.rep = p.customer.owner
        if row.kind == STAGE and p.team is None and p.customer is not None:
            p.team = p.customer.team
        if row.kind == VISIT and p.rep is not None and p.team is None:
            p.problems.append(
                RowProblem(
                    "rep",
                    _("%(name)s was in no team on %(day)s")
                    % {"name": row.rep, "day": day.isoformat()},
                )
            )
        elif teams is not None and row.rep and (p.team is None or p.team.pk not in teams):
            p.problems.append(
                RowProblem(
                    "rep",
                    _("%(name)s was not in a team you supervise on %(day)s")
                    % {"name": row.rep, "day": day.isoformat()},
                )
            )


def _known_visits(plan_rows: list[PlannedRow]) -> set[tuple[int, int, dt.datetime]]:
    visits = [p for p in plan_rows if p.row.kind == VISIT and p.customer and p.rep]
    if not visits:
        return set()
    return set(
        Visit.objects.filter(
            customer_id__in={p.customer.pk for p in visits if p.customer},
            rep_id__in={p.rep.pk for p in visits if p.rep},
        ).values_list("customer_id", "rep_id", "occurred_at")
    )


def history_plan(*, by: User, data: bytes) -> HistoryPlan:
    """Read ``data`` (the file's bytes) and decide what each row does, without writing.

    Raises PermissionDenied (not an admin or supervisor) and
    :class:`~journals.history_import.reading.HistoryFileRefused` (the file as a whole).
    Row problems (row, field, why) are on each planned row."""
    scope = scope_for(by)
    history_check_can_import(scope)
    teams = _teams(scope)
    sheet = read_history(data, max_bytes=settings.IMPORT_MAX_BYTES)
    now = timezone.now()
    plan_rows = [PlannedRow(row=r, problems=list(r.problems)) for r in sheet.rows]
    for p in plan_rows:
        if p.row.when is not None:
            p.at = timezone.make_aware(p.row.when) if timezone.is_naive(p.row.when) else p.row.when
            if p.at > now:
                p.problems.append(
                    RowProblem(
                        "at", _("%(date)s is in the future") % {"date": p.at.date().isoformat()}
                    )
                )
    _customers(plan_rows, teams)
    _people(plan_rows, teams)
    known_visits = _known_visits(plan_rows)
    stage_rows = [p for p in plan_rows if p.row.kind == STAGE and not p.problems]
    known_stages = stage_history_known([_change(p) for p in stage_rows])
    for i, p in enumerate(stage_rows):
        if i in known_stages:
            p.action = KNOWN
    for p in plan_rows:
        if p.problems:
            p.action = REJECT
        elif (
            p.row.kind == VISIT
            and p.customer
            and p.rep
            and (p.customer.pk, p.rep.pk, p.at) in known_visits
        ):
            p.action = KNOWN
    return HistoryPlan(sheet=sheet, rows=plan_rows)


def _need(value: T | None) -> T:
    """A value every row without problems has (customer, time; a visit's rep)."""
    if value is None:
        raise ValueError("a planned row lacks a value its plan checked")
    return value


def _change(p: PlannedRow) -> ImportedStageChange:
    return ImportedStageChange(
        customer_id=_need(p.customer).pk,
        from_stage=p.row.from_stage,
        to_stage=p.row.to_stage,
        at=_need(p.at),
        rep=p.rep,
        team=p.team,
    )


@transaction.atomic
def history_import(*, by: User, data: bytes) -> HistoryPlan:
    """Plan ``data`` (:func:`history_plan`, same errors) and write its ATTACH rows in one
    transaction: stage changes first (``customers.stage_history.stage_history_import``),
    then visits in their reps' journals of those days (a journal missing for that day is
    created as submitted at its last visit, its summary saying it was imported), with the
    stage each customer had just before the visit. The customers' last activity moves
    forward. Publishes ``HistoryImported`` with every (team, day) written, so the KPIs of
    those periods are recomputed. Returns the plan."""
    plan = history_plan(by=by, data=data)
    attach = [p for p in plan.rows if p.action == ATTACH]
    stages = [p for p in attach if p.row.kind == STAGE]
    visits = [p for p in attach if p.row.kind == VISIT]
    stage_history_import(by=by, changes=[_change(p) for p in stages])
    _write_visits(visits)
    team_days = {
        (p.team.pk, timezone.localdate(p.at)) for p in attach if p.team is not None and p.at
    }
    if team_days:
        publish(HistoryImported(team_days=tuple(sorted(team_days))))
    return plan


def _write_visits(visits: list[PlannedRow]) -> None:
    if not visits:
        return
    groups: dict[tuple[int, dt.date], list[PlannedRow]] = defaultdict(list)
    for p in visits:
        groups[(_need(p.rep).pk, timezone.localdate(_need(p.at)))].append(p)
    journals = {
        (j.rep_id, j.day): j
        for j in Journal.objects.filter(
            rep_id__in={k[0] for k in groups}, day__in={k[1] for k in groups}
        )
    }
    missing = [
        Journal(
            rep=ps[0].rep,
            team=ps[0].team,
            day=day,
            status=Journal.Status.SUBMITTED,
            submitted_at=max(p.at for p in ps if p.at),
            summary=_("Imported history"),
        )
        for (rep_id, day), ps in groups.items()
        if (rep_id, day) not in journals
    ]
    for journal in Journal.objects.bulk_create(missing):
        journals[(journal.rep_id, journal.day)] = journal
    customer_ids = {p.customer.pk for p in visits if p.customer}
    history: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for cid, at, to_stage in (
        StageChange.objects.filter(customer_id__in=customer_ids)
        .order_by("customer_id", "at", "id")
        .values_list("customer_id", "at", "to_stage")
    ):
        history[cid].append((at, to_stage))
    today = local_today()
    rows: list[Visit] = []
    for (rep_id, day), ps in groups.items():
        journal = journals[(rep_id, day)]
        for p in ps:
            customer, at = _need(p.customer), _need(p.at)
            changes = history[customer.pk]
            before = bisect_left(changes, at, key=lambda c: c[0])
            row = p.row
            rows.append(
                Visit(
                    journal=journal,
                    rep_id=rep_id,
                    team=journal.team,
                    customer=customer,
                    purpose=row.purpose,
                    channel=row.channel,
                    occurred_at=at,
                    learned=row.notes,
                    next_step=row.next_step[:300],
                    next_step_date=row.next_step_date,
                    next_step_done=bool(row.next_step_date and row.next_step_date < today),
                    outcome=row.outcome or visit_rules.NOTHING,
                    stage_before=changes[before - 1][1] if before else Stage.LEAD,
                    relation=(
                        visit_rules.OWN if customer.owner_id == rep_id else visit_rules.COVERING
                    ),
                )
            )
    Visit.objects.bulk_create(rows)
    last: dict[int, dt.datetime] = {}
    for v in rows:
        if v.customer_id not in last or v.occurred_at > last[v.customer_id]:
            last[v.customer_id] = v.occurred_at
    for cid, at in last.items():
        Customer.objects.filter(pk=cid).filter(
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=at)
        ).update(last_activity_at=at)
