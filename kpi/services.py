"""KPI recompute services: start a run split by team into Celery tasks,
and the debounced recompute after an import, a submitted journal or a stage change.

Targets and monthly analyses have their own modules (kpi/targets.py, kpi/analysis.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, cast

from celery import Task, current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field, Q
from django.utils import timezone

from accounts.models import OrgUnit, User
from accounts.scoping import local_today
from salesops.celery import enqueue
from salesops.events import (
    ActivityRecorded,
    CustomerChanged,
    HistoryImported,
    ImportCompleted,
    MembershipChanged,
    SharedInputsChanged,
    TargetsChanged,
)

from . import partials
from .calculations import Period, parse_period, period_of
from .models import KpiDirty, KpiRun, KpiRunPart
from .snapshots import all_team_ids, branch_teams

logger = logging.getLogger(__name__)

TOUCH_DELAY_SECONDS: int = getattr(settings, "KPI_TOUCH_DELAY_SECONDS", 1)
"""How long a touched (team, period) waits before its recompute, so that a burst of
journal submissions or an import's many stage changes give one recompute. Short, because
every page must show a change within seconds (docs/domain section 9, freshness)."""

BRANCH_DELAY_SECONDS: int = getattr(settings, "KPI_BRANCH_DELAY_SECONDS", 1)
"""A touch also marks the team's branch dirty; its recompute starts after this debounce
(a branch loads the data of all its teams, so it is recomputed at most once per window),
in parallel with the team's, not after it."""

FRESHNESS_BUDGET_SECONDS = 5
"""Every page shows a change within this many seconds (docs/domain, section 9, freshness):
the longest debounce plus one recompute must fit in it (pinned by
kpi/tests/test_freshness.py)."""


DIRTY_STALE_SECONDS = 120
"""A dirty mark older than its debounce plus this lost its scheduled task (the worker
stopped before running it); the next touch schedules the recompute again."""


def default_periods(today: dt.date | None = None) -> list[str]:
    """The current and previous month and ISO week of the local ``today``:
    ['2026-10', '2026-09', '2026-W43', '2026-W42'] (the nightly recompute's periods)."""
    day = today or local_today()
    month, week = period_of(day, "month"), period_of(day, "week")
    return [month.key, month.previous().key, week.key, week.previous().key]


def scope_team_ids(scope: str, periods: list[Period]) -> list[int]:
    """The team ids a run scope covers: '' = every team, 'team:CODE', 'branch:CODE' (its
    teams), 'rep:USERNAME' (the teams the person was a rep or supervisor of during the
    periods). Raises ValueError for bad syntax, LookupError for an unknown code or user."""
    if not scope:
        return all_team_ids()
    from .selectors import resolve_scope
    from .snapshots import teams_of_users

    kind, scope_id = resolve_scope(scope)
    if kind == "team":
        return [scope_id]
    if kind == "branch":
        return branch_teams([scope_id]).get(scope_id, [])
    return sorted(teams_of_users([scope_id], periods))


def kpi_run_start(
    *, trigger: str, periods: list[str], scope: str = "", by: User | None = None
) -> KpiRun:
    """Create a KPI run and enqueue it once the transaction commits.

    ``periods``: '2026-10' / '2026-W43' keys (empty: :func:`default_periods`); ``scope``:
    '' (all), 'team:CODE', 'branch:CODE' or 'rep:USERNAME'. The run is split into one
    Celery task per team (its people and the team) plus one per branch above them, shared
    by the workers; progress is parts_done / parts_total. With eager Celery (no REDIS_URL)
    it runs in-process and is done when this returns after commit.
    Raises ValueError for a bad period, trigger or scope, LookupError for an unknown scope.
    """
    keys = [parse_period(p).key for p in (periods or default_periods())]
    if trigger not in KpiRun.Trigger.values:
        raise ValueError(f"Unknown trigger {trigger!r}")
    scope_team_ids(scope, [parse_period(k) for k in keys])  # validate before creating
    with transaction.atomic():
        run = KpiRun(trigger=trigger, periods=keys, scope=scope, requested_by=by)
        run.full_clean()
        run.save()
        transaction.on_commit(lambda: _enqueue_run(run.pk))
    return run


def _task(name: str) -> Task:
    """The registered Celery task ``name`` (kpi.tasks, imported by KpiConfig.ready()).

    Looked up by name so that the services do not import the tasks that call them."""
    return current_app.tasks[name]


def _enqueue_run(run_id: int) -> None:
    # A broker outage leaves the run pending; kpi.reconcile sends it again.
    enqueue("kpi.run_execute", args=[run_id])


def kpi_run_parts(*, run: KpiRun) -> list[tuple[str, int]]:
    """The parts of a run: [('team', id), ..., ('branch', id), ...]."""
    periods = [parse_period(p) for p in run.periods]
    teams = scope_team_ids(run.scope, periods)
    branches = set(
        OrgUnit.objects.filter(id__in=teams, parent__kind=OrgUnit.Kind.BRANCH).values_list(
            "parent_id", flat=True
        )
    )
    return [("team", t) for t in teams] + [("branch", b) for b in sorted(branches)]


def kpi_run_claim(
    *, run_id: int, parts_total: int, plan: list[tuple[str, int]] | None = None
) -> bool:
    """Move a pending run to running with its number of parts and their ``plan``
    ([("team", id), ...], kept for the reconciler) in a conditional update: a duplicated
    message finds it no longer pending. A run without parts is done at once."""
    now = timezone.now()
    claimed = KpiRun.objects.filter(pk=run_id, status=KpiRun.Status.PENDING).update(
        status=KpiRun.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        parts_total=parts_total,
        parts_done=0,
        plan=[list(p) for p in plan or []],
    )
    if claimed and parts_total == 0:
        KpiRun.objects.filter(pk=run_id).update(status=KpiRun.Status.DONE, finished_at=now)
    return bool(claimed)


def kpi_run_part(*, run: KpiRun, kind: str, unit_id: int) -> int:
    """Compute one part of a run: a team (its people and the team) or a branch.
    Idempotent (snapshots are upserted). Returns rows written.

    A run may follow writes that marked no bucket (an import). The run's periods a change
    reaches (:func:`default_periods`: the current and previous month and ISO week) have the
    unit's sums rebuilt from the whole history (one engine pass over all buckets) and kept
    while their figures are written, so the unit's next change is incremental
    (kpi/partials.py; docs/architecture.md, "Incremental recompute"). Older periods (a
    long "Recompute now") are computed in one load as before and their stored sums
    dropped, so a later change to them rebuilds."""
    from .snapshots import compute_and_store

    partials.forget_unused()
    kinds: tuple[str, ...]
    if kind == "team":
        team_ids, kinds = [unit_id], ("rep", "team")
    else:
        team_ids, kinds = branch_teams([unit_id]).get(unit_id, []), ("branch",)
        if not team_ids:
            return 0
    plist = sorted({parse_period(p) for p in run.periods})
    recent = {parse_period(p) for p in default_periods()}
    kept = [p for p in plist if p in recent]
    older = [p for p in plist if p not in recent]
    written = 0
    if older:
        partials.drop(unit_ids=[unit_id], periods=older)
        written += compute_and_store(periods=older, team_ids=team_ids, run=run, kinds=kinds)
    if kept:
        written += partials.compute_and_store_incremental(
            unit_id=unit_id, periods=kept, team_ids=team_ids, kinds=kinds, rebuild=True, run=run
        )
    return written


def kpi_run_part_is_done(*, run_id: int, kind: str, unit_id: int) -> bool:
    """True when this part of the run was already counted (a redelivered message)."""
    return KpiRunPart.objects.filter(run_id=run_id, kind=kind, unit_id=unit_id).exists()


def kpi_run_part_done(*, run_id: int, kind: str, unit_id: int, rows: int) -> bool:
    """Count a finished part once: the (run, kind, unit) row is unique, so a part delivered
    twice (or resent by the reconciler while the first delivery still ran) adds nothing the
    second time. The count is an F() increment, safe with several workers; the run is done
    when every planned part is counted, never before its last one.
    Returns True when this call counted the part (see :func:`kpi_run_part_record`)."""
    return kpi_run_part_record(run_id=run_id, kind=kind, unit_id=unit_id, rows=rows)[0]


def kpi_run_part_record(*, run_id: int, kind: str, unit_id: int, rows: int) -> tuple[bool, bool]:
    """:func:`kpi_run_part_done` that also says whether this call completed the run:
    ``(counted, finished)``. Exactly one call per run gets ``finished`` True (the
    conditional update moves the run from running to done once), so the run's completion
    is announced once (the coaching diagnosis of all its teams and periods)."""
    now = timezone.now()
    with transaction.atomic():
        _, created = KpiRunPart.objects.get_or_create(
            run_id=run_id, kind=kind, unit_id=unit_id, defaults={"rows": rows}
        )
        if not created:
            return False, False
        KpiRun.objects.filter(pk=run_id).update(
            parts_done=F("parts_done") + 1,
            snapshots_written=F("snapshots_written") + rows,
            heartbeat_at=now,
        )
        finished = KpiRun.objects.filter(
            pk=run_id, status=KpiRun.Status.RUNNING, parts_done__gte=F("parts_total")
        ).update(status=KpiRun.Status.DONE, finished_at=now)
    return True, bool(finished)


def kpi_run_heartbeat(*, run_id: int) -> None:
    """Record that a worker is working on run ``run_id`` now."""
    KpiRun.objects.filter(pk=run_id, status=KpiRun.Status.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def kpi_run_fail(*, run_id: int, error: str) -> None:
    """Mark a run failed with ``error`` (kept once: the first failure wins)."""
    KpiRun.objects.filter(pk=run_id).exclude(status=KpiRun.Status.FAILED).update(
        status=KpiRun.Status.FAILED, error=error[:5000], finished_at=timezone.now()
    )


def kpi_touch(
    *, team_id: int, day: dt.date, trigger: str, customer_ids: tuple[int, ...] | None = None
) -> None:
    """Mark the month and ISO week of the local ``day`` of team ``team_id`` out of date and
    schedule one recompute per (team, period) after TOUCH_DELAY_SECONDS (debounced: a
    touch while one is already scheduled enqueues nothing). Called after an import, a
    submitted journal or a stage change; runs after the caller's transaction commits.
    With eager Celery (no broker) nothing happens unless settings.KPI_TOUCH_WHEN_EAGER is
    on: the recompute would then run inside the user's request; figures refresh with the
    dashboard's "Recompute now", ``compute_kpis`` or the nightly run instead.
    ``customer_ids`` are the customers the change is about: only their buckets of the
    stored sums are recomputed (kpi/partials.py); None recomputes every bucket.
    """
    if not touches_enabled():
        return
    transaction.on_commit(lambda: _touch(team_id, day, trigger, customer_ids))


def touches_enabled() -> bool:
    """True when change-triggered recomputes run: a real broker, or KPI_TOUCH_WHEN_EAGER."""
    return not settings.CELERY_TASK_ALWAYS_EAGER or getattr(settings, "KPI_TOUCH_WHEN_EAGER", False)


def kpi_after_import(*, by: User | None = None, days: Iterable[dt.date] = ()) -> KpiRun | None:
    """Recompute for everyone after an import completed (a file can touch any team): the
    default periods plus the month and ISO week of each local day in ``days`` (the dates
    of the rows it wrote, often in past periods: docs/domain, section 5, Imports), so the
    stored figures agree with the drill-downs there too. Gated like :func:`kpi_touch`;
    returns the run, or None when skipped."""
    if not touches_enabled():
        return None
    keys = default_periods()
    for day in sorted(set(days)):
        for kind in ("month", "week"):
            key = period_of(day, kind).key
            if key not in keys:
                keys.append(key)
    return kpi_run_start(trigger=KpiRun.Trigger.IMPORT, periods=keys, by=by)


def on_customer_changed(event: CustomerChanged) -> None:
    """A customer's stage changed: touch the teams for the local day of the change."""
    day = timezone.localdate(event.when)
    for team_id in event.team_ids:
        kpi_touch(
            team_id=team_id,
            day=day,
            trigger=event.reason or "stage",
            customer_ids=(event.customer_id,),
        )


def on_activity_recorded(event: ActivityRecorded) -> None:
    """A journal was submitted: touch its team for its day (the diagnosis the recompute
    triggers reads the journal habits), marking only the customers of the author's visits
    of that day that were not announced to the team (:func:`journal_customers`; one
    query). The figures do not read journals (``kpi.loading``), so a submission changes no
    stored sum by itself, and the recompute then reloads no customer bucket
    (docs/architecture.md, "Incremental recompute")."""
    if event.team_id is not None:
        kpi_touch(
            team_id=event.team_id,
            day=event.day,
            trigger="journal",
            customer_ids=tuple(
                journal_customers(user_id=event.user_id, day=event.day, team_id=event.team_id)
            ),
        )


def journal_customers(*, user_id: int, day: dt.date, team_id: int | None = None) -> list[int]:
    """Ids of the customers of the visits in ``user_id``'s journal of ``day``, ascending.
    With ``team_id``: only those of the visits whose own announcement (``CustomerChanged``,
    ``journals/services/visits.py``, sent for the visit's team) did not reach that team (a
    visit of another team), the customers a submitted journal must still mark for
    ``team_id``. One query."""
    from journals.models import Visit

    visits = Visit.objects.filter(journal__rep_id=user_id, journal__day=day)
    if team_id is not None:
        visits = visits.exclude(team_id=team_id)
    return sorted(set(visits.values_list("customer_id", flat=True)))


def on_import_completed(event: ImportCompleted) -> None:
    """An import wrote rows: recompute the default periods and those of its dated rows
    for everyone (:func:`kpi_after_import`)."""
    from customers.models import ImportJob

    by = ImportJob.objects.filter(pk=event.job_id).values_list("created_by", flat=True).first()
    kpi_after_import(by=User.objects.filter(pk=by).first() if by else None, days=event.days)


def on_history_imported(event: HistoryImported) -> None:
    """History from another CRM was imported: mark every month and ISO week it touches out
    of date, once per (team, period), and schedule their recomputes (gated like
    :func:`kpi_touch`)."""
    if not touches_enabled():
        return
    periods: dict[int, dict[str, Period]] = {}
    for team_id, day in event.team_days:
        for period in (period_of(day, "month"), period_of(day, "week")):
            periods.setdefault(team_id, {})[period.key] = period
    for team_id, by_key in periods.items():
        chosen = [by_key[k] for k in sorted(by_key)]
        # The import names no customers here: every bucket of the team is recomputed.
        transaction.on_commit(
            partial(partials.mark_dirty, unit_ids=[team_id], periods=chosen, customer_ids=None)
        )
        transaction.on_commit(
            partial(_mark_dirty, team_id, chosen, "history", TOUCH_DELAY_SECONDS, branch=False)
        )


def teams_under(unit_ids: tuple[int, ...]) -> list[int]:
    """The team ids of ``unit_ids``: a team itself, a branch's teams, every team for the
    company; ascending. One or two queries."""
    kinds = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "kind"))
    if OrgUnit.Kind.COMPANY in kinds.values():
        return all_team_ids()
    teams = {u for u, kind in kinds.items() if kind == OrgUnit.Kind.TEAM}
    branches = [u for u, kind in kinds.items() if kind == OrgUnit.Kind.BRANCH]
    for under in branch_teams(branches).values() if branches else ():
        teams.update(under)
    return sorted(teams)


def on_membership_changed(event: MembershipChanged) -> None:
    """A person's memberships changed (``accounts.people`` or the admin): the current
    month and ISO week of every team of the units named. Memberships are part of the
    stored sums' fingerprint, so the recompute rebuilds them (kpi/partials.py); periods
    before the current ones are fixed by the next full run."""
    if not touches_enabled():
        return
    today = local_today()
    for team_id in teams_under(event.team_ids):
        kpi_touch(team_id=team_id, day=today, trigger="member", customer_ids=())


def on_targets_changed(event: TargetsChanged) -> None:
    """Targets changed (``kpi.targets.target_set`` or the admin): the teams' figures of
    each month named (the current one when none) and of every ISO week overlapping it,
    since a week's target is a share of its month's (docs/domain, section 4b). No customer
    is marked: the recompute re-assembles every scope from the stored sums (the targets'
    digest changed, kpi/partials.py)."""
    if not touches_enabled():
        return
    months = event.months or (local_today().replace(day=1),)
    for team_id in teams_under(event.team_ids):
        for month in months:
            for day in _month_week_days(month):
                kpi_touch(team_id=team_id, day=day, trigger="target", customer_ids=())


def _month_week_days(month: dt.date) -> list[dt.date]:
    """One day in the month of ``month`` per ISO week overlapping it (its first day, then
    each Monday): touching them marks the month and all those weeks."""
    first = month.replace(day=1)
    days, day = [first], first + dt.timedelta(days=7 - first.weekday())
    while day.month == first.month:
        days.append(day)
        day += dt.timedelta(days=7)
    return days


def on_shared_inputs_changed(event: SharedInputsChanged) -> None:
    """Inputs every team reads changed (a billing month, organisation settings): every
    team's month and ISO week of ``event.day``, without customer marks (a changed billing
    month re-assembles every scope, a changed setting rebuilds the sums: kpi/partials.py)."""
    if not touches_enabled():
        return
    for team_id in all_team_ids():
        kpi_touch(team_id=team_id, day=event.day, trigger=event.reason, customer_ids=())


def _touch(
    team_id: int, day: dt.date, trigger: str, customer_ids: tuple[int, ...] | None = None
) -> None:
    """Mark the team and, at the same moment, its branch dirty for the month and week of
    ``day``. The branch's figures are computed from the rows, not from the team's
    snapshots, so its recompute need not wait for the team's: both start after their own
    debounce, and a branch page is fresh ``BRANCH_DELAY_SECONDS`` plus one branch compute
    after the change (docs/architecture.md, "Background work", freshness)."""
    periods = [period_of(day, "month"), period_of(day, "week")]
    branch_id = (
        OrgUnit.objects.filter(pk=team_id, parent__kind=OrgUnit.Kind.BRANCH)
        .values_list("parent_id", flat=True)
        .first()
    )
    # The buckets first, then the dirty mark: a recompute that starts in between deletes
    # the mark before it takes the buckets, so these are either taken by it or followed
    # by a new mark and recompute (kpi/partials.py).
    units = [team_id] if branch_id is None else [team_id, branch_id]
    partials.mark_dirty(unit_ids=units, periods=periods, customer_ids=customer_ids)
    _mark_dirty(team_id, periods, trigger, TOUCH_DELAY_SECONDS, branch=False)
    if branch_id is not None:
        _mark_dirty(branch_id, periods, trigger, BRANCH_DELAY_SECONDS, branch=True)


def _mark_dirty(
    unit_id: int, periods: list[Period], trigger: str, delay: int, *, branch: bool
) -> None:
    """Record (unit, period) as dirty; enqueue one recompute for the periods newly marked.

    One ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` writes the missing marks and says
    which were new (the unique key ``kpi_dirty_once`` decides between processes); one read
    finds the existing marks that outlived their task (a worker stopped before running it)
    or whose message never reached the broker, which are taken over and scheduled again.
    Two queries in the usual case, where a savepoint, an insert and an update per period
    cost eight."""
    if not periods:
        return
    created = _insert_marks(unit_id, periods, trigger)
    others = [p for p in periods if (p.kind, p.start) not in created]
    if others:
        stale = timezone.now() - dt.timedelta(seconds=delay + DIRTY_STALE_SECONDS)
        match = Q()
        for p in others:
            match |= Q(period_kind=p.kind, period_start=p.start)
        lost = KpiDirty.objects.filter(
            match, Q(created_at__lt=stale) | Q(enqueue_failed=True), team_id=unit_id
        ).values_list("period_kind", "period_start")
        for kind, start in list(lost):
            # Conditional, so of two processes taking over the same mark one schedules it.
            if KpiDirty.objects.filter(
                Q(created_at__lt=stale) | Q(enqueue_failed=True),
                team_id=unit_id,
                period_kind=kind,
                period_start=start,
            ).update(created_at=timezone.now(), trigger=trigger[:10], enqueue_failed=False):
                created.add((kind, start))
    keys = [p.key for p in periods if (p.kind, p.start) in created]
    if keys:
        kpi_dirty_enqueue(unit_id=unit_id, periods=keys, trigger=trigger, branch=branch)


def _insert_marks(unit_id: int, periods: list[Period], trigger: str) -> set[tuple[str, dt.date]]:
    """Insert the missing :class:`KpiDirty` marks of ``unit_id`` for ``periods`` in one
    statement; returns ``{(period kind, period start)}`` of the rows this call created.
    ``ON CONFLICT ... RETURNING`` is understood by PostgreSQL and SQLite (3.35+)."""
    meta = KpiDirty._meta
    qn = connection.ops.quote_name
    names = ["team", "period_kind", "period_start", "trigger", "created_at", "enqueue_failed"]
    fields = [cast(Field, meta.get_field(name)) for name in names]
    columns = ", ".join(qn(f.column) for f in fields)
    now = timezone.now()
    params: list[Any] = []
    for p in periods:
        values = (unit_id, p.kind, p.start, trigger[:10], now, False)
        params += [f.get_db_prep_save(v, connection) for f, v in zip(fields, values, strict=True)]
    rows = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(periods))
    unique = ", ".join(qn(f.column) for f in fields[:3])
    # Names come from the model's metadata; every value is a bound parameter.
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES {rows} "  # noqa: S608
        f"ON CONFLICT ({unique}) DO NOTHING RETURNING {qn('period_kind')}, {qn('period_start')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        got = cursor.fetchall()
    return {(kind, dt.date.fromisoformat(str(start))) for kind, start in got}


def kpi_dirty_enqueue(*, unit_id: int, periods: list[str], trigger: str, branch: bool) -> bool:
    """Send the debounced recompute of ``unit_id`` (a team, or a branch when ``branch``) for
    the period keys ``periods``. When the broker is unreachable the marks are flagged
    ``enqueue_failed``, so the next touch or ``kpi.reconcile`` sends it instead of
    waiting behind them. Returns True when the broker took the message."""
    name = "kpi.recompute_branch" if branch else "kpi.recompute_team"
    delay = BRANCH_DELAY_SECONDS if branch else TOUCH_DELAY_SECONDS
    if enqueue(name, args=[unit_id, periods, trigger], countdown=delay):
        return True
    keys = [parse_period(p) for p in periods]
    match = Q()
    for p in keys:
        match |= Q(period_kind=p.kind, period_start=p.start)
    KpiDirty.objects.filter(match, team_id=unit_id).update(enqueue_failed=True)
    return False


def kpi_recompute_touched(*, team_id: int, periods: list[str]) -> int:
    """The debounced recompute of a team: clear its dirty marks, compute the team's people
    and the team for ``periods``. Its branch was marked dirty by the same touch and is
    recomputed by its own task in parallel (:func:`_touch`). Returns rows written or
    confirmed unchanged (kpi/partials.py; 0 if the team is gone). When the compute raises,
    the marks are put back (:func:`_unless_done`) and the error propagates."""
    plist = [parse_period(p) for p in periods]
    for p in plist:
        KpiDirty.objects.filter(team_id=team_id, period_kind=p.kind, period_start=p.start).delete()
    if not OrgUnit.objects.filter(pk=team_id).exists():
        return 0
    with _unless_done(team_id, plist):
        return partials.compute_and_store_incremental(
            unit_id=team_id, periods=plist, team_ids=[team_id], kinds=("rep", "team")
        )


@contextmanager
def _unless_done(unit_id: int, periods: list[Period]) -> Iterator[None]:
    """Put the unit's dirty marks of ``periods`` back, flagged ``enqueue_failed``, when the
    block raises: the recompute deleted them when it started, so a recompute that fails for
    good (its retries spent, or the worker's time limit) would otherwise leave the change's
    customer marks with nothing to send them; this way the next touch or ``kpi.reconcile``
    sends the recompute again (kpi/recovery.py)."""
    try:
        yield
    except BaseException:
        for p in periods:
            KpiDirty.objects.update_or_create(
                team_id=unit_id,
                period_kind=p.kind,
                period_start=p.start,
                defaults={"enqueue_failed": True, "trigger": "retry"},
            )
        raise


def kpi_recompute_branch(*, branch_id: int, periods: list[str]) -> int:
    """The debounced recompute of a branch (after one of its teams was touched), through
    the branch's stored sums like a team's (kpi/partials.py)."""
    plist = [parse_period(p) for p in periods]
    for p in plist:
        KpiDirty.objects.filter(
            team_id=branch_id, period_kind=p.kind, period_start=p.start
        ).delete()
    team_ids = branch_teams([branch_id]).get(branch_id, [])
    if not team_ids:
        return 0
    with _unless_done(branch_id, plist):
        return partials.compute_and_store_incremental(
            unit_id=branch_id, periods=plist, team_ids=team_ids, kinds=("branch",)
        )
