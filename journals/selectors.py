"""Reads for journals (STYLE.md: selectors take the viewer's scope).

Every journal query goes through :func:`journal_queryset`, which restricts rows with
``accounts.scoping.restrict`` (own journals, plus those of the teams the viewer sees).
The team pages (inbox, morning meeting, statistics) and the calendar run a fixed number
of queries whatever the team size: rows are fetched per team and day, never per person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, OrgSettings, OrgUnit, User
from accounts.scoping import Scope, active_memberships, restrict, visible_teams
from customers.models import Customer, Stage

from . import calculations as calc
from .models import (
    FOLLOW_UP_PURPOSES,
    VISIT_PURPOSES,
    Comment,
    Exemption,
    Journal,
    PlanItem,
    Purpose,
    SubmissionRule,
    Visit,
)
from .workdays import days_between, is_work_day, previous_work_day

#: Open customers with no visit or follow-up for this many days count as "not followed up"
#: at the morning meeting (capped by OrgSettings.pool_release_days).
FOLLOW_UP_DAYS = 14


# --- submission rules ---------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveRule:
    """The submission rule that applies to one team: its own row, else the default row,
    else OrgSettings (deadline, late submission) with reps required, supervisors not."""

    reps_must_submit: bool
    supervisors_must_submit: bool
    deadline: dt.time
    late_allowed: bool
    reviewer_role: str

    def required(self, role: str) -> bool:
        """Whether a member with ``role`` (rep / supervisor) must submit a journal."""
        if role == Membership.Role.REP:
            return self.reps_must_submit
        if role == Membership.Role.SUPERVISOR:
            return self.supervisors_must_submit
        return False


def effective_rules(
    team_ids: Iterable[int], *, org: OrgSettings | None = None
) -> dict[int, EffectiveRule]:
    """The effective rule per team id (two queries, whatever the number of teams; one
    when the caller passes the loaded OrgSettings)."""
    ids = sorted(set(team_ids))
    org = org or OrgSettings.load()
    rows = {
        r.team_id: r
        for r in SubmissionRule.objects.filter(Q(team_id__in=ids) | Q(team__isnull=True))
    }
    default = rows.get(None)
    result = {}
    for team_id in ids:
        row = rows.get(team_id) or default
        result[team_id] = EffectiveRule(
            reps_must_submit=row.reps_must_submit if row else True,
            supervisors_must_submit=row.supervisors_must_submit if row else False,
            deadline=(row.deadline if row and row.deadline else None) or org.journal_deadline,
            late_allowed=(
                row.late_submission_allowed
                if row and row.late_submission_allowed is not None
                else org.late_submission_allowed
            ),
            reviewer_role=row.reviewer_role if row else "supervisor",
        )
    return result


def effective_rule(team_id: int) -> EffectiveRule:
    """The effective rule of one team (see :func:`effective_rules`)."""
    return effective_rules([team_id])[team_id]


def deadline_of(day: dt.date, rule: EffectiveRule) -> dt.datetime:
    """The aware deadline of local ``day`` under ``rule`` (settings.TIME_ZONE)."""
    return calc.deadline_at(day, rule.deadline, django_settings.TIME_ZONE)


# --- journals -----------------------------------------------------------------------------


def journal_queryset(scope: Scope) -> QuerySet[Journal]:
    """Journals the viewer may see: their own, and those of the teams they see."""
    return restrict(Journal.objects.all(), scope, owner_field="rep", team_field="team")


def journal_get(*, scope: Scope, pk: int) -> Journal:
    """One visible journal with rep and team; Http404 when absent or outside the scope."""
    try:
        return journal_queryset(scope).select_related("rep", "team").get(pk=pk)
    except Journal.DoesNotExist:
        raise Http404 from None


def visit_get(*, scope: Scope, pk: int) -> Visit:
    """One visit whose journal the viewer sees (with journal, customer); Http404 otherwise."""
    visits = restrict(Visit.objects.all(), scope, owner_field="rep", team_field="team")
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


def _count(model: type, **lookup: object) -> Coalesce:
    """A correlated COUNT(*) subquery over ``model`` rows of the outer journal."""
    sub = (
        model.objects.filter(journal=OuterRef("pk"), **lookup)  # type: ignore[attr-defined]
        .order_by()
        .values("journal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def with_counts(journals: QuerySet[Journal]) -> QuerySet[Journal]:
    """Annotate visits, effective visits, plan items and comments per journal."""
    return journals.annotate(
        n_visits=_count(Visit),
        n_effective=_count(Visit, is_effective=True),
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
    revisions: DOMAIN.md section 1, "an amendment is a new, recorded version").

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


@dataclass
class Suggestion:
    """A plan item offered for today: an unfinished item of the rep's previous journal
    (``carried_from``) or a next step due today (``from_visit``)."""

    purpose: str
    customer: Customer | None
    preparation: str
    carried_from: PlanItem | None = None
    from_visit: Visit | None = None

    @property
    def purpose_label(self) -> str:
        return str(Purpose(self.purpose).label)


def plan_suggestions(*, journal: Journal) -> list[Suggestion]:
    """What to offer as today's plan (issue 4, fast entry): the previous journal's
    planned visits and follow-ups with no visit record, and next steps due on the
    journal's day that are not done. Items already carried into this journal, and
    customers already planned, are left out. Three queries."""
    planned = list(journal.plan_items.values_list("carried_from_id", "customer_id"))
    carried_ids = {c for c, _ in planned if c}
    planned_customers = {c for _, c in planned if c}
    previous = (
        Journal.objects.filter(rep_id=journal.rep_id, day__lt=journal.day)
        .order_by("-day")
        .values_list("pk", "day")
        .first()
    )
    out: list[Suggestion] = []
    if previous:
        prev_pk, prev_day = previous
        items = list(
            PlanItem.objects.filter(journal_id=prev_pk)
            .exclude(kind=PlanItem.Kind.APPOINTMENT)
            .exclude(pk__in=carried_ids)
            .select_related("customer")
            .order_by("kind", "position", "id")
        )
        done = calc.plan_items_done(
            [(i.pk, i.customer_id, i.purpose) for i in items],
            Visit.objects.filter(journal_id=prev_pk).values_list(
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
    qs = restrict(Customer.objects.all(), scope).filter(owner=rep).exclude(stage=Stage.LOST)
    return list(qs.order_by(Coalesce("last_activity_at", "created_at").desc(), "name")[:limit])


# --- team day: inbox and reminders --------------------------------------------------------


@dataclass
class MemberDay:
    """One person due (or not) to file a journal on one day, with their journal."""

    user: User
    role: str
    journal: Journal | None
    status: str
    exempt_kind: str = ""

    @property
    def is_unreviewed(self) -> bool:
        return self.journal is not None and self.journal.status == Journal.Status.SUBMITTED


def _exemptions(user_ids: Iterable[int], start: dt.date, end: dt.date) -> dict[int, list]:
    rows: dict[int, list[Exemption]] = defaultdict(list)
    for ex in Exemption.objects.filter(user_id__in=list(user_ids), start__lte=end, end__gte=start):
        rows[ex.user_id].append(ex)
    return rows


def _exempt_kind(rows: list[Exemption], day: dt.date) -> str:
    for ex in rows:
        if ex.start <= day <= ex.end:
            return ex.kind
    return ""


def team_day(
    *,
    team: OrgUnit,
    day: dt.date,
    now: dt.datetime | None = None,
    counts: bool = True,
    prefetch: tuple[object, ...] = (),
    rule: EffectiveRule | None = None,
) -> tuple[list[MemberDay], EffectiveRule]:
    """Everyone in ``team`` on local ``day`` who files journals (reps; supervisors when the
    rule asks), each with their journal and status (calculations.submission_status).

    Supervisors and reps not required to submit are listed only when they did submit.
    ``prefetch`` is passed to the journals' prefetch_related; ``rule`` saves its two
    queries when the caller has it. Five queries (plus one per prefetch) whatever the
    team size. Ordered by username.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    rule = rule or effective_rules([team.pk])[team.pk]
    members = list(
        Membership.objects.filter(
            active_memberships(day),
            unit=team,
            role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
        )
        .select_related("user")
        .order_by("user__username")
    )
    journals_qs = Journal.objects.filter(team=team, day=day).prefetch_related(*prefetch)
    if counts:
        journals_qs = with_counts(journals_qs)
    journals = {j.rep_id: j for j in journals_qs}
    exemptions = _exemptions([m.user_id for m in members], day, day)
    work = is_work_day(day)
    passed = now >= deadline_of(day, rule)
    rows = []
    seen: set[int] = set()
    for m in members:
        if m.user_id in seen or not m.user.is_active:
            continue
        seen.add(m.user_id)
        journal = journals.get(m.user_id)
        required = rule.required(m.role)
        if not required and (journal is None or journal.status == Journal.Status.DRAFT):
            continue
        kind = _exempt_kind(exemptions.get(m.user_id, []), day)
        status = calc.submission_status(
            day=day,
            today=today,
            work_day=work,
            required=required,
            exempt=bool(kind),
            journal_status=journal.status if journal else None,
            journal_late=journal.is_late if journal else False,
            deadline_passed=passed,
        )
        rows.append(MemberDay(m.user, m.role, journal, status, kind))
    return rows, rule


@dataclass
class Inbox:
    """The supervisor inbox of one team and day (DOMAIN.md section 10, "Team today")."""

    team: OrgUnit
    day: dt.date
    rows: list[MemberDay]
    counts: dict[str, int]
    deadline: dt.datetime
    work_day: bool
    show: str = "all"
    visible_rows: list[MemberDay] = field(default_factory=list)


INBOX_FILTERS = ("all", "submitted", "late", "missing", "unreviewed")


def inbox(
    *, team: OrgUnit, day: dt.date, show: str = "all", now: dt.datetime | None = None
) -> Inbox:
    """The team's journals of ``day``: submitted, late, missing and unreviewed, with counts.

    ``show`` filters the rows: all / submitted / late / missing / unreviewed.
    Five queries whatever the team size (see :func:`team_day`).
    """
    rows, rule = team_day(team=team, day=day, now=now)
    counts = {
        "submitted": sum(r.status in (calc.ON_TIME, calc.LATE) for r in rows),
        "late": sum(r.status == calc.LATE for r in rows),
        "missing": sum(r.status == calc.MISSING for r in rows),
        "pending": sum(r.status == calc.PENDING for r in rows),
        "exempt": sum(r.status == calc.EXEMPT for r in rows),
        "unreviewed": sum(r.is_unreviewed for r in rows),
        "all": len(rows),
    }
    show = show if show in INBOX_FILTERS else "all"
    pick = {
        "all": lambda r: True,
        "submitted": lambda r: r.status in (calc.ON_TIME, calc.LATE),
        "late": lambda r: r.status == calc.LATE,
        "missing": lambda r: r.status == calc.MISSING,
        "unreviewed": lambda r: r.is_unreviewed,
    }[show]
    return Inbox(
        team=team,
        day=day,
        rows=rows,
        counts=counts,
        deadline=deadline_of(day, rule),
        work_day=is_work_day(day),
        show=show,
        visible_rows=[r for r in rows if pick(r)],
    )


def teams_for_leader(scope: Scope) -> list[OrgUnit]:
    """Teams whose journals the viewer reads as a leader (supervised first, then managed;
    every team for admins), by name. One query."""
    teams = list(visible_teams(scope).order_by("name"))
    if scope.is_admin:
        return teams
    wanted = scope.visible_team_ids or frozenset()
    teams = [t for t in teams if t.pk in wanted]
    teams.sort(key=lambda t: (t.pk not in scope.supervised_team_ids, t.name))
    return teams


def pick_team(scope: Scope, raw: str | None) -> tuple[OrgUnit, list[OrgUnit]]:
    """The team a leader page shows (``?team=<id>``, default the first of
    :func:`teams_for_leader`) and the choices. Http404 for a team outside the scope;
    PermissionDenied (403) for a viewer who leads no team."""
    from django.core.exceptions import PermissionDenied

    teams = teams_for_leader(scope)
    if raw:
        try:
            wanted = int(raw)
        except ValueError:
            raise Http404 from None
        for team in teams:
            if team.pk == wanted:
                return team, teams
        raise Http404
    if not teams:
        raise PermissionDenied
    return teams[0], teams


# --- submission statistics ---------------------------------------------------------------


@dataclass
class StatsRow:
    """One member's on-time / late / missing counts per ISO week (Monday dates)."""

    user: User
    weeks: dict[dt.date, calc.SubmissionCounts]
    total: calc.SubmissionCounts


def submission_stats(
    *, team: OrgUnit, weeks: int = 8, now: dt.datetime | None = None
) -> tuple[list[dt.date], list[StatsRow]]:
    """On-time, late and missing journals by member and ISO week for the last ``weeks``
    weeks up to today (DOMAIN.md section 9: weeks are local ISO weeks). A day counts for
    the team the person belonged to that day. Five queries whatever the team size."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    monday = today - dt.timedelta(days=today.weekday())
    starts = [monday - dt.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    first, last = starts[0], today
    rule = effective_rules([team.pk])[team.pk]
    members = list(
        Membership.objects.filter(
            Q(end__isnull=True) | Q(end__gte=first),
            unit=team,
            start__lte=last,
            role__in=[Membership.Role.REP, Membership.Role.SUPERVISOR],
        ).select_related("user")
    )
    journals = {
        (rep_id, day): (status, late)
        for rep_id, day, status, late in Journal.objects.filter(
            team=team, day__gte=first, day__lte=last
        ).values_list("rep_id", "day", "status", "is_late")
    }
    exemptions = _exemptions({m.user_id for m in members}, first, last)
    statuses: dict[int, dict[dt.date, list[str]]] = defaultdict(lambda: defaultdict(list))
    users: dict[int, User] = {}
    for m in members:
        if not rule.required(m.role):
            continue
        users[m.user_id] = m.user
        for day in days_between(max(first, m.start), min(last, m.end or last)):
            status, late = journals.get((m.user_id, day), (None, False))
            s = calc.submission_status(
                day=day,
                today=today,
                work_day=is_work_day(day),
                required=True,
                exempt=bool(_exempt_kind(exemptions.get(m.user_id, []), day)),
                journal_status=status,
                journal_late=late,
                deadline_passed=now >= deadline_of(day, rule),
            )
            statuses[m.user_id][day - dt.timedelta(days=day.weekday())].append(s)
    rows = []
    for user_id, user in sorted(users.items(), key=lambda kv: kv[1].username):
        by_week = {w: calc.count_statuses(statuses[user_id].get(w, [])) for w in starts}
        total = calc.count_statuses(s for lst in statuses[user_id].values() for s in lst)
        rows.append(StatsRow(user, by_week, total))
    return starts, rows


# --- morning meeting ----------------------------------------------------------------------


@dataclass
class MeetingRow:
    """One person at the morning meeting: today's plan beside the previous work day's
    plan vs actual, and the flags of calculations.meeting_flags."""

    user: User
    today: Journal | None
    plan: list[PlanItem]
    previous: Journal | None
    previous_status: str
    previous_visits: list[Visit]
    achievement: list[calc.AchievementRow]
    overdue: int
    due_today: int
    stale: int
    flags: list[str]
    exempt_kind: str = ""

    @property
    def planned_visits(self) -> int:
        return sum(1 for p in self.plan if p.kind == PlanItem.Kind.VISIT)


@dataclass
class Meeting:
    team: OrgUnit
    day: dt.date
    previous_day: dt.date
    standard: int
    rows: list[MeetingRow]
    stale_days: int


def morning_meeting(*, team: OrgUnit, day: dt.date, now: dt.datetime | None = None) -> Meeting:
    """The morning meeting (晨会, DOMAIN.md section 3) of ``team`` on ``day``.

    Per person: today's plan; the previous work day's plan vs actual (plan achievement
    and visit list); next steps overdue and due today; open customers (target to intent)
    with no activity for :data:`FOLLOW_UP_DAYS` days (at most pool_release_days); flags.
    A fixed number of queries whatever the team size (about fifteen).
    """
    now = now or timezone.now()
    org = OrgSettings.load()
    previous_day = previous_work_day(day)
    members, rule = team_day(
        team=team,
        day=day,
        now=now,
        counts=False,
        prefetch=(_plan_prefetch(),),
        rule=effective_rules([team.pk], org=org)[team.pk],
    )
    prev_rows = {
        r.user.pk: r
        for r in team_day(
            team=team,
            day=previous_day,
            now=now,
            counts=False,
            prefetch=(_plan_prefetch(), _visit_prefetch()),
            rule=rule,
        )[0]
    }
    ids = [m.user.pk for m in members]
    steps = {
        row["rep_id"]: row
        for row in Visit.objects.filter(
            rep_id__in=ids, next_step_done=False, next_step_date__lte=day
        )
        .exclude(next_step="")
        .values("rep_id")
        .annotate(
            overdue=Count("pk", filter=Q(next_step_date__lt=day)),
            due=Count("pk", filter=Q(next_step_date=day)),
        )
    }
    stale_days = min(FOLLOW_UP_DAYS, org.pool_release_days or FOLLOW_UP_DAYS)
    cutoff = now - dt.timedelta(days=stale_days)
    stale = dict(
        Customer.objects.filter(
            owner_id__in=ids, stage__in=[Stage.TARGET, Stage.RELATIONSHIP, Stage.INTENT]
        )
        .filter(Q(last_activity_at__lt=cutoff) | Q(last_activity_at__isnull=True))
        .values("owner_id")
        .annotate(n=Count("pk"))
        .values_list("owner_id", "n")
    )
    rows = []
    for m in members:
        uid = m.user.pk
        journal = m.journal
        plan = list(journal.plan_items.all()) if journal else []
        prev_row = prev_rows.get(uid)
        prev = prev_row.journal if prev_row else None
        prev_plan = list(prev.plan_items.all()) if prev else []
        prev_visits = list(prev.visits.all()) if prev else []
        prev_status = prev_row.status if prev_row else calc.NOT_REQUIRED
        visit_plan = [p for p in plan if p.kind == PlanItem.Kind.VISIT]
        step = steps.get(uid, {})
        flags = (
            []
            if m.status == calc.EXEMPT
            else calc.meeting_flags(
                planned_visits=len(visit_plan),
                planned_without_target=sum(1 for p in visit_plan if not p.customer_id),
                planned_without_preparation=sum(1 for p in visit_plan if not p.preparation.strip()),
                yesterday_visits=(
                    sum(1 for v in prev_visits if v.purpose in VISIT_PURPOSES)
                    if prev and prev.status != Journal.Status.DRAFT
                    else None
                ),
                standard=org.visit_standard_per_day,
                overdue_next_steps=step.get("overdue", 0),
                stale_customers=stale.get(uid, 0),
                yesterday_missing=prev_status == calc.MISSING,
            )
        )
        rows.append(
            MeetingRow(
                user=m.user,
                today=journal,
                plan=plan,
                previous=prev,
                previous_status=prev_status,
                previous_visits=prev_visits,
                achievement=calc.plan_achievement(
                    [p.purpose for p in prev_plan], [v.purpose for v in prev_visits]
                ),
                overdue=step.get("overdue", 0),
                due_today=step.get("due", 0),
                stale=stale.get(uid, 0),
                flags=flags,
                exempt_kind=m.exempt_kind,
            )
        )
    return Meeting(team, day, previous_day, org.visit_standard_per_day, rows, stale_days)


def _plan_prefetch():  # type: ignore[no-untyped-def]
    from django.db.models import Prefetch

    return Prefetch(
        "plan_items",
        queryset=PlanItem.objects.select_related("customer").order_by("kind", "position", "id"),
    )


def _visit_prefetch():  # type: ignore[no-untyped-def]
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
            Q(end__isnull=True) | Q(end__gte=grid_start),
            user=rep,
            start__lte=grid_end,
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
    weeks: list[list[CalendarDay]] = []
    for day in days_between(grid_start, grid_end):
        membership = next((m for m in memberships if m.is_active_on(day)), None)
        rule = rules.get(membership.unit_id) if membership else None
        journal = journals.get(day)
        kind = _exempt_kind(exemptions, day)
        status = calc.submission_status(
            day=day,
            today=today,
            work_day=is_work_day(day),
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
