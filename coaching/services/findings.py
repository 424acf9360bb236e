"""Diagnosis findings (docs/domain, section 8): recompute a period's findings from the KPI
figures and journal habits, and dismiss a finding. The rules are in coaching.diagnosis.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from accounts.calendar import work_calendar
from accounts.models import OrgSettings, OrgUnit, User
from accounts.scoping import local_today
from customers.models import Stage, StageChange
from journals.models import Exemption, Journal, PlanItem, Purpose, Visit
from kpi.calculations import MetricValue, Period, parse_period

from .. import diagnosis
from ..diagnosis import EVIDENCE_LIMIT, RepFacts, Thresholds
from ..models import (
    DiagnosisSettings,
    Finding,
)
from ._common import _aware, _check_lead, _team_reps
from .evidence import fill_evidence
from .figures import DIAGNOSIS_METRICS, rep_metrics


def thresholds() -> Thresholds:
    """The diagnosis thresholds from DiagnosisSettings and OrgSettings."""
    s = DiagnosisSettings.load()
    return Thresholds(
        team_median_ratio=float(s.team_median_ratio),
        target_ratio=float(s.target_ratio),
        min_denominator=s.min_denominator,
        min_explanation_visits=s.min_explanation_visits,
        interest_rate_min=float(s.interest_rate_min),
        min_closing_visits=s.min_closing_visits,
        closing_success_min=float(s.closing_success_min),
        lost_intents_max=s.lost_intents_max,
        activity_ratio=float(s.activity_ratio),
        visit_standard_per_day=OrgSettings.load().visit_standard_per_day,
        unprepared_share_max=float(s.unprepared_share_max),
        min_planned_visits=s.min_planned_visits,
        overdue_next_steps_max=s.overdue_next_steps_max,
        missing_journals_max=s.missing_journals_max,
    )


def _period_groups(periods: Sequence[Period]) -> list[list[Period]]:
    """The periods grouped by the month their first day falls in, in first-seen order: a
    month with the ISO weeks starting in it spans at most 37 days, so one read per group
    covers them all without holding a year of visits at once in a 12-month run."""
    groups: dict[tuple[int, int], list[Period]] = {}
    for p in periods:
        groups.setdefault((p.start.year, p.start.month), []).append(p)
    return list(groups.values())


def _flags(field: str, bounds: Sequence[tuple[Any, Any]]) -> dict[str, Case]:
    """One 0/1 column per window ``[lo, hi)`` of ``field`` (``in0``, ``in1``, ...): a row
    read once is sorted into every period it belongs to by the database."""
    return {
        f"in{i}": Case(
            When(**{f"{field}__gte": lo, f"{field}__lt": hi}, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for i, (lo, hi) in enumerate(bounds)
    }


def _table(model: Any) -> str:
    """The model's quoted table name for plain SQL."""
    return str(connection.ops.quote_name(model._meta.db_table))


def _case(column: str, n: int) -> str:
    """``n`` 0/1 columns, one per window ``[%s, %s)`` of ``column`` (their bounds are the
    first parameters of the query)."""
    return ", ".join(
        f"CASE WHEN {column} >= %s AND {column} < %s THEN 1 ELSE 0 END" for _ in range(n)
    )


def _flat(bounds: Sequence[tuple[Any, Any]], adapt: Any = None) -> list[Any]:
    """The bounds as one parameter list, adapted for the database when ``adapt`` is given."""
    return [adapt(v) if adapt else v for pair in bounds for v in pair]


def _date(value: Any) -> dt.date:
    """A date column read with plain SQL (SQLite gives text, PostgreSQL a date)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of one plain SQL read."""
    with connection.cursor() as cur:
        cur.execute(sql, list(params))
        return list(cur.fetchall())


class _Links:
    """Evidence links of one rep and period in reading order, at most ``EVIDENCE_LIMIT``
    per key (``diagnose_team`` keeps no more): ``{"id", "name"}`` customers and ``{"id",
    "day"}`` journals whose name and day ``coaching.services.evidence.fill_evidence``
    writes for fired findings only."""

    __slots__ = ("customers", "journals")

    def __init__(self) -> None:
        self.customers: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.journals: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)

    def link_journal(self, key: str, jid: int) -> None:
        """Add the journal to the links of ``key`` (the visits' "all", read most often)."""
        jlinks = self.journals[key]
        if jid not in jlinks and len(jlinks) < EVIDENCE_LIMIT:
            jlinks[jid] = {"id": jid, "day": ""}

    def link(self, key: str, cid: int | None, jid: int | None) -> None:
        """Add the customer and the journal (either may be None) to the links of ``key``
        unless they are there or the key has ``EVIDENCE_LIMIT`` of them."""
        if cid is not None:
            links = self.customers[key]
            if cid not in links and len(links) < EVIDENCE_LIMIT:
                links[cid] = {"id": cid, "name": ""}
        if jid is not None:
            jlinks = self.journals[key]
            if jid not in jlinks and len(jlinks) < EVIDENCE_LIMIT:
                jlinks[jid] = {"id": jid, "day": ""}


@dataclass
class _Habits:
    """Journal habits of a group of periods: counts and links per (period key, rep id),
    and the submitted journal days and exempt days per rep (for the missing journals)."""

    facts: dict[tuple[str, int], RepFacts]
    submitted: set[tuple[int, dt.date]]
    exempt: dict[int, set[dt.date]]


def _habits(reps: dict[str, set[int]], periods: Sequence[Period], today: dt.date) -> _Habits:
    """Journal habit counts of the reps ``reps[period key]`` in each of ``periods`` (one
    group of :func:`_period_groups`), each table read once for all the periods and teams.

    Counts are per (period key, rep id) and do not depend on the team (a rep who moved
    shows the same habits in both teams); work days and missing journals need the team's
    calendar (:func:`_team_facts`). Rows are read in time order (then id), so the evidence
    links are the first ones of the period whatever other periods are read with it."""
    facts = {(p.key, rid): RepFacts(rep_id=rid) for p in periods for rid in reps[p.key]}
    links = {key: _Links() for key in facts}
    rep_ids = sorted({rid for p in periods for rid in reps[p.key]})
    exempt: dict[int, set[dt.date]] = defaultdict(set)
    if not rep_ids:
        return _Habits(facts, set(), exempt)
    keys = [p.key for p in periods]
    moments = [(_aware(p.start), _aware(p.end)) for p in periods]
    spans = [(p.start, p.end) for p in periods]
    lo_at, hi_at = min(a for a, _ in moments), max(b for _, b in moments)
    lo_day, hi_day = min(a for a, _ in spans), max(b for _, b in spans)

    # Per rep, the periods of the group they are in: (flag index, facts, links).
    slots: dict[int, list[tuple[int, RepFacts, _Links]]] = defaultdict(list)
    for i, key in enumerate(keys):
        for rid in reps[key]:
            slots[rid].append((i, facts[(key, rid)], links[(key, rid)]))

    def owners(rid: int, row: Sequence[int]) -> list[tuple[RepFacts, _Links]]:
        """The facts and links of ``rid`` in every period whose flag is set on ``row``."""
        return [(fact, ln) for i, fact, ln in slots.get(rid, ()) if row[i]]

    # Plain SQL (the ORM's query building and row conversion cost twice the reads here):
    # one read per table for every period of the group, each row flagged with the periods
    # it falls in, in time order (then id).
    ops = connection.ops
    at_bounds = [
        (ops.adapt_datetimefield_value(a), ops.adapt_datetimefield_value(b)) for a, b in moments
    ]
    day_bounds = [(ops.adapt_datefield_value(a), ops.adapt_datefield_value(b)) for a, b in spans]
    due = [(p.start, min(p.end, today)) for p in periods]
    due_bounds = [(ops.adapt_datefield_value(a), ops.adapt_datefield_value(b)) for a, b in due]
    in_reps = ", ".join(["%s"] * len(rep_ids))

    visits = _rows(
        "SELECT v.rep_id, v.purpose, v.customer_id, v.journal_id, "  # noqa: S608 - names from model metadata
        f"{_case('v.occurred_at', len(moments))} "
        f"FROM {_table(Visit)} v WHERE v.rep_id IN ({in_reps}) "
        "AND v.occurred_at >= %s AND v.occurred_at < %s ORDER BY v.occurred_at, v.id",
        [*_flat(at_bounds), *rep_ids, *_flat([(lo_at, hi_at)], ops.adapt_datetimefield_value)],
    )
    explanation, closing = Purpose.EXPLANATION, Purpose.CLOSING
    for rid, purpose, cid, jid, *row in visits:
        for i, fact, ln in slots.get(rid, ()):
            if not row[i]:
                continue
            ln.link_journal("all", jid)
            if purpose == explanation:
                fact.explanation_visits += 1
                ln.link("explanation", cid, jid)
            elif purpose == closing:
                fact.closing_visits += 1
                ln.link("closing", cid, jid)

    lost = _rows(
        f"SELECT s.rep_id, s.customer_id, {_case('s.at', len(moments))} "  # noqa: S608
        f"FROM {_table(StageChange)} s WHERE s.rep_id IN ({in_reps}) "
        "AND s.to_stage = %s AND s.from_stage = %s AND s.at >= %s AND s.at < %s "
        "ORDER BY s.at, s.id",
        [
            *_flat(at_bounds),
            *rep_ids,
            Stage.LOST,
            Stage.INTENT,
            *_flat([(lo_at, hi_at)], ops.adapt_datetimefield_value),
        ],
    )
    for rid, cid, *row in lost:
        for fact, ln in owners(rid, row):
            fact.intents_lost += 1
            ln.link("closing", cid, None)

    items = _rows(
        "SELECT j.rep_id, i.preparation, i.customer_id, i.journal_id, "  # noqa: S608
        f"{_case('j.day', len(spans))} "
        f"FROM {_table(PlanItem)} i JOIN {_table(Journal)} j ON j.id = i.journal_id "
        f"WHERE i.kind = %s AND j.rep_id IN ({in_reps}) AND j.day >= %s AND j.day < %s "
        "ORDER BY j.day, i.id",
        [
            *_flat(day_bounds),
            PlanItem.Kind.VISIT,
            *rep_ids,
            *_flat([(lo_day, hi_day)], ops.adapt_datefield_value),
        ],
    )
    for rid, preparation, cid, jid, *row in items:
        for fact, ln in owners(rid, row):
            fact.planned_visits += 1
            if not (preparation or "").strip():
                fact.unprepared += 1
                ln.link("unprepared", cid, jid)

    # Agreed next steps due in the period before today and not done.
    overdue = _rows(
        f"SELECT v.rep_id, v.customer_id, v.journal_id, {_case('v.next_step_date', len(due))} "  # noqa: S608
        f"FROM {_table(Visit)} v WHERE v.rep_id IN ({in_reps}) AND v.next_step_date >= %s "
        "AND v.next_step_date < %s AND v.next_step_done = %s ORDER BY v.next_step_date, v.id",
        [
            *_flat(due_bounds),
            *rep_ids,
            *_flat([(lo_day, max(b for _, b in due))], ops.adapt_datefield_value),
            False,
        ],
    )
    for rid, cid, jid, *row in overdue:
        for fact, ln in owners(rid, row):
            fact.overdue_next_steps += 1
            ln.link("overdue", cid, jid)

    submitted = {
        (rid, _date(day))
        for rid, day in _rows(
            f"SELECT rep_id, day FROM {_table(Journal)} WHERE rep_id IN ({in_reps}) "  # noqa: S608
            "AND day >= %s AND day < %s AND status <> %s",
            [
                *rep_ids,
                *_flat([(lo_day, hi_day)], ops.adapt_datefield_value),
                Journal.Status.DRAFT,
            ],
        )
    }
    for uid, e_start, e_end in Exemption.objects.filter(
        user_id__in=rep_ids, start__lt=hi_day, end__gte=lo_day
    ).values_list("user_id", "start", "end"):
        day = e_start
        while day <= e_end:
            exempt[uid].add(day)
            day += dt.timedelta(days=1)
    for slot, ln in links.items():
        facts[slot].customers = {k: list(v.values()) for k, v in ln.customers.items()}
        facts[slot].journals = {k: list(v.values()) for k, v in ln.journals.items()}
    return _Habits(facts, submitted, exempt)


def _team_facts(
    habits: _Habits,
    calendar: Any,
    reps: dict[int, tuple[dt.date, dt.date]],
    period: Period,
    today: dt.date,
) -> dict[int, RepFacts]:
    """The team's reps' facts for one period: the habits of :func:`_habits` with the work
    days of the team's calendar (``calendar``, accounts.calendar.work_calendar; docs/domain,
    section 3) each rep was in the team before today, and those without a submitted journal
    (exempt days left out)."""
    out = {}
    # Most reps share the period's span: its work days are listed once per span.
    spans: dict[tuple[dt.date, dt.date], list[dt.date]] = {}

    def workdays(first: dt.date, last: dt.date) -> list[dt.date]:
        if (first, last) not in spans:
            spans[(first, last)] = calendar.workdays_between(first, last)
        return spans[(first, last)]

    for rid, (first, last) in reps.items():
        fact = replace(habits.facts[(period.key, rid)])
        until = min(last, today - dt.timedelta(days=1))
        exempt = habits.exempt.get(rid, set())
        days = [d for d in workdays(first, until) if d not in exempt]
        fact.work_days = len(days)
        fact.period_work_days = sum(1 for d in workdays(first, last) if d not in exempt)
        fact.missing_journals = sum(1 for d in days if (rid, d) not in habits.submitted)
        out[rid] = fact
    return out


def team_habit_facts(team_id: int, period: Period | str, today: dt.date) -> dict[int, RepFacts]:
    """The journal habits of one team's reps in one period, as the diagnosis reads them:
    ``{rep id: RepFacts}`` with counts, work days on the team's calendar and missing
    journals (no KPI figures; evidence links as ids). For checks and tests of one team."""
    p = parse_period(period)
    reps = _team_reps(team_id, p)
    habits = _habits({p.key: set(reps)}, [p], today)
    return _team_facts(habits, work_calendar(team_id), reps, p, today)


def _plain(value: MetricValue | None) -> float | None:
    if value is None or value.value is None:
        return None
    return float(value.value)


def findings_recompute(
    *, team_ids: Iterable[int], period: Period | str, today: dt.date | None = None
) -> dict[str, int]:
    """Recompute the diagnosis findings of the teams' reps for one month or ISO week
    (:func:`findings_recompute_periods` with one period)."""
    return findings_recompute_periods(team_ids=team_ids, periods=[period], today=today)


def findings_recompute_periods(
    *,
    team_ids: Iterable[int],
    periods: Sequence[Period | str],
    today: dt.date | None = None,
) -> dict[str, int]:
    """Recompute the diagnosis findings of the teams' reps for every one of ``periods``
    (months or ISO weeks, ``Period`` or keys such as ``2026-10`` / ``2026-W43``).

    One pass for all teams and periods: the thresholds once, the KPI figures once per
    period, each journal-habit table once per group of periods (:func:`_period_groups`)
    for the reps of every team, names of the evidence once per group. The findings equal
    those of one call per team and period (pinned by
    ``coaching/tests/test_findings_batch.py``). Idempotent: upserts on (rep, period kind,
    period start, symptom), keeps the status of existing findings, and deletes findings
    that no longer hold unless a plan was made from them. Returns counts ``{"created",
    "updated", "deleted"}``. Rules: coaching.diagnosis (docs/domain, section 8).
    """
    plist = list(dict.fromkeys(parse_period(p) for p in periods))
    today = today or local_today()
    counts = {"created": 0, "updated": 0, "deleted": 0}
    teams = list(OrgUnit.objects.filter(pk__in=list(team_ids), kind=OrgUnit.Kind.TEAM))
    if not teams or not plist:
        return counts
    th = thresholds()
    calendars = {t.pk: work_calendar(t.pk) for t in teams}
    now = timezone.now()
    for group in _period_groups(plist):
        team_reps = {(t.pk, p.key): _team_reps(t.pk, p) for t in teams for p in group}
        reps = {p.key: {rid for t in teams for rid in team_reps[(t.pk, p.key)]} for p in group}
        habits = _habits(reps, group, today)
        results: list[tuple[OrgUnit, Period, list[Any]]] = []
        # The stored figures of the group's periods in one read, each period's own reps.
        figures = rep_metrics(
            team_ids=[t.pk for t in teams],
            rep_ids=[],
            periods=group,
            reps_by_period={p.key: sorted(reps[p.key]) for p in group},
        )
        for period in group:
            for team in teams:
                facts = _team_facts(
                    habits, calendars[team.pk], team_reps[(team.pk, period.key)], period, today
                )
                for rid, fact in facts.items():
                    values = figures.get((period.key, rid), {})
                    fact.metrics = {m: _plain(values.get(m)) for m in DIAGNOSIS_METRICS}
                    fact.completion = {
                        m[: -len("_completion")]: fact.metrics[m]
                        for m in DIAGNOSIS_METRICS
                        if m.endswith("_completion") and fact.metrics.get(m) is not None
                    }
                results.append((team, period, diagnosis.diagnose_team(list(facts.values()), th)))
        fill_evidence([d for _, _, fired in results for d in fired])
        with transaction.atomic():
            for team, period, fired in results:
                _store(team, period, fired, now, counts)
    return counts


def _store(
    team: OrgUnit, period: Period, fired: list[Any], now: dt.datetime, counts: dict[str, int]
) -> None:
    """Upsert one team's fired findings of one period and delete the ones that no longer
    hold (unless a plan was made from them); the caller holds the transaction.

    One read finds both: the period's findings of the fired reps (in any team: the natural
    key is rep, period and symptom) and those of the team (the stale ones). Their JSON is
    compared as the stored text with the text a write would store (SQLite; PostgreSQL
    gives the decoded value, compared as is), so unchanged findings are not decoded."""
    keep = {(d.rep_id, d.symptom) for d in fired}
    reps = sorted({d.rep_id for d in fired})
    in_reps = f" OR rep_id IN ({', '.join(['%s'] * len(reps))})" if reps else ""
    ops = connection.ops
    rows = _rows(
        "SELECT id, rep_id, symptom, team_id, status, evidence, causes, measures "  # noqa: S608
        f"FROM {_table(Finding)} WHERE period_kind = %s AND period_start = %s "
        f"AND (team_id = %s{in_reps})",
        [period.kind, ops.adapt_datefield_value(period.start), team.pk, *reps],
    )
    existing = {(r[1], r[2]): (r[0], r[3], r[5:]) for r in rows if (r[1], r[2]) in keep}
    _upsert(fired, team, period, now, counts, existing)
    drop = [
        r[0]
        for r in rows
        if r[3] == team.pk and r[4] != Finding.Status.PLANNED and (r[1], r[2]) not in keep
    ]
    if drop:
        counts["deleted"] += Finding.objects.filter(pk__in=drop, plans__isnull=True).delete()[0]


def _same_json(stored: Any, value: Any) -> bool:
    """Does a JSON column read with plain SQL (text on SQLite, the decoded value on
    PostgreSQL) hold ``value``? Text is compared with what a write stores
    (``json.dumps``, as Django's JSONField): equal text is equal JSON; any other text only
    costs a rewrite of the same value."""
    if isinstance(stored, (str, bytes)):
        return bool(stored == json.dumps(value))
    return bool(stored == value)


@transaction.atomic
def finding_dismiss(*, finding: Finding, by: User) -> Finding:
    """Mark a finding dismissed (the supervisor judged it not a problem)."""
    _check_lead(by, finding.team_id)
    finding.status = Finding.Status.DISMISSED
    finding.save(update_fields=["status"])
    return finding


def _upsert(
    fired: list[Any],
    team: OrgUnit,
    period: Period,
    now: dt.datetime,
    counts: dict[str, int],
    existing: dict[tuple[int, str], tuple[int, int, tuple[Any, Any, Any]]],
) -> None:
    """Write the fired findings of one team and period in a few queries (bulk writes)
    instead of one read and one write per finding: unchanged findings only get their
    ``computed_at``, changed ones their evidence, causes and measures, new ones are
    inserted (an insert racing another writer updates instead, on the natural key).
    ``existing``: the stored findings of the fired reps and period, ``{(rep id, symptom):
    (pk, team id, (evidence, causes, measures) as read by :func:`_store`)}``."""
    if not fired:
        return
    fresh: list[int] = []
    changed: list[Finding] = []
    new: list[Finding] = []
    for d in fired:
        found = existing.get((d.rep_id, d.symptom))
        if found is None:
            new.append(
                Finding(
                    rep_id=d.rep_id,
                    team=team,
                    period_kind=period.kind,
                    period_start=period.start,
                    symptom=d.symptom,
                    evidence=d.evidence,
                    causes=d.causes,
                    measures=d.measures,
                    computed_at=now,
                )
            )
            continue
        counts["updated"] += 1
        pk, team_id, (evidence, causes, measures) = found
        if (
            team_id == team.pk
            and _same_json(evidence, d.evidence)
            and _same_json(causes, d.causes)
            and _same_json(measures, d.measures)
        ):
            fresh.append(pk)
        else:
            changed.append(
                Finding(
                    pk=pk,
                    team=team,
                    evidence=d.evidence,
                    causes=d.causes,
                    measures=d.measures,
                    computed_at=now,
                )
            )
    if fresh:
        Finding.objects.filter(pk__in=fresh).update(computed_at=now)
    if changed:
        Finding.objects.bulk_update(
            changed, ["team", "evidence", "causes", "measures", "computed_at"], batch_size=500
        )
    if new:
        Finding.objects.bulk_create(
            new,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["rep", "period_kind", "period_start", "symptom"],
            update_fields=["team", "evidence", "causes", "measures", "computed_at"],
        )
        counts["created"] += len(new)
