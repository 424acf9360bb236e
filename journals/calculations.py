"""Pure rules of the daily journal: no ORM, plain values in and out (docs/architecture.md, Logic).

- plan achievement (计划实现程度, docs/domain section 3): actual / planned per purpose;
- local-day deadlines and lateness (docs/domain section 3: days are local days);
- submission status of one person on one day (submitted on time / late / missing ...);
- distance of a check-in from the customer's pinned location;
- the morning meeting's flags;
- the text diff between journal revisions.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.visits import APPOINTMENT, FOLLOW_UP_PURPOSES, VISIT_PURPOSES, is_in_person

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in whole metres between two WGS84 points (degrees)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


# --- deadlines and lateness -------------------------------------------------------------


def deadline_at(day: dt.date, deadline: dt.time, tz: dt.tzinfo | str) -> dt.datetime:
    """The aware moment a journal for local ``day`` is due: ``deadline`` on that day in ``tz``."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return dt.datetime.combine(day, deadline).replace(tzinfo=zone)


def is_late(
    *, day: dt.date, submitted_at: dt.datetime, deadline: dt.time, tz: dt.tzinfo | str
) -> bool:
    """True when ``submitted_at`` (aware) is after the deadline of local ``day``.

    A journal for 2026-03-01 submitted at 2026-03-02 00:30 Asia/Shanghai is late
    (and still belongs to 2026-03-01), whatever the UTC date of either moment.
    """
    return submitted_at > deadline_at(day, deadline, tz)


# --- submission status --------------------------------------------------------------------

ON_TIME, LATE, MISSING, PENDING, EXEMPT, NON_WORKING, NOT_REQUIRED, FUTURE = (
    "on_time",
    "late",
    "missing",
    "pending",
    "exempt",
    "non_working",
    "not_required",
    "future",
)
SUBMITTED_STATUSES = ("submitted", "reviewed")


def submission_status(
    *,
    day: dt.date,
    today: dt.date,
    work_day: bool,
    required: bool,
    exempt: bool,
    journal_status: str | None,
    journal_late: bool,
    deadline_passed: bool,
) -> str:
    """The status of one person's journal for one local day (docs/domain section 3).

    - a submitted (or reviewed) journal is ``on_time`` or ``late`` whatever the day;
    - ``future`` for days after today; ``non_working`` on days off (Chinese calendar);
      ``not_required`` when the submission rule does not ask this person;
      ``exempt`` on leave or business trip;
    - otherwise ``pending`` until the deadline passes, then ``missing`` (a draft that
      was never submitted is missing too).
    """
    if journal_status in SUBMITTED_STATUSES:
        return LATE if journal_late else ON_TIME
    if day > today:
        return FUTURE
    if not work_day:
        return NON_WORKING
    if not required:
        return NOT_REQUIRED
    if exempt:
        return EXEMPT
    return MISSING if deadline_passed else PENDING


@dataclass(frozen=True)
class SubmissionCounts:
    """On-time, late and missing journals of one person in one period, and days due."""

    on_time: int = 0
    late: int = 0
    missing: int = 0
    exempt: int = 0

    @property
    def due(self) -> int:
        """Journals that were due: on time + late + missing (exempt days are not due)."""
        return self.on_time + self.late + self.missing

    @property
    def on_time_rate(self) -> float | None:
        """on time / due; None when nothing was due (docs/domain section 9: no value)."""
        return self.on_time / self.due if self.due else None


def count_statuses(statuses: Iterable[str]) -> SubmissionCounts:
    """Count ``on_time``, ``late``, ``missing`` and ``exempt`` among statuses."""
    c = Counter(statuses)
    return SubmissionCounts(c[ON_TIME], c[LATE], c[MISSING], c[EXEMPT])


# --- plan achievement ---------------------------------------------------------------------


@dataclass(frozen=True)
class AchievementRow:
    """One line of 计划实现程度: ``key`` is a purpose or a total ('visits', 'follow_ups')."""

    key: str
    planned: int
    actual: int
    is_total: bool = False

    @property
    def rate(self) -> float | None:
        """actual / planned; None when nothing was planned (shown as "-")."""
        return self.actual / self.planned if self.planned else None

    @property
    def percent(self) -> int | None:
        """The rate as a whole percentage, or None."""
        return None if self.rate is None else round(self.rate * 100)


def plan_achievement(
    planned: Iterable[str], actual: Iterable[str | tuple[str, str | None]]
) -> list[AchievementRow]:
    """Plan achievement (docs/domain section 3) from the purposes of planned items and the
    actual contact records: each a ``(purpose, channel)`` pair, or a bare purpose (a missing
    channel reads as in person, as for records written before channels existed).

    Rows, in order: first visit, explanation, closing, all visits (total), appointments,
    each follow-up purpose, all follow-ups (total). Purpose rows count records by purpose (a
    planned appointment is matched by any actual appointment, a follow-up by a record with
    that follow-up purpose). The *all visits* row's actual is the day's visits: every
    in-person record, whatever its purpose (``domain.visits.is_in_person``; docs/domain,
    section 9, "Visits and follow-ups"), the count the journal and the morning meeting show
    beside it, so an in-person service call is a visit there too; its planned figure is the
    planned first, explanation and closing visits.
    """
    pairs = [(a, None) if isinstance(a, str) else a for a in actual]
    p, a = Counter(planned), Counter(purpose for purpose, _channel in pairs)
    rows = [AchievementRow(k, p[k], a[k]) for k in VISIT_PURPOSES]
    rows.append(
        AchievementRow(
            "visits",
            sum(p[k] for k in VISIT_PURPOSES),
            sum(1 for _purpose, channel in pairs if is_in_person(channel)),
            is_total=True,
        )
    )
    rows.append(AchievementRow(APPOINTMENT, p[APPOINTMENT], a[APPOINTMENT]))
    rows.extend(AchievementRow(k, p[k], a[k]) for k in FOLLOW_UP_PURPOSES)
    rows.append(
        AchievementRow(
            "follow_ups",
            sum(p[k] for k in FOLLOW_UP_PURPOSES),
            sum(a[k] for k in FOLLOW_UP_PURPOSES),
            is_total=True,
        )
    )
    return rows


def purpose_category(purpose: str) -> str:
    """The category of a purpose: 'visit' (first visit / explanation / closing),
    'appointment' or 'follow_up' (the four follow-up purposes); same as PlanItem.Kind."""
    if purpose in VISIT_PURPOSES:
        return "visit"
    if purpose == APPOINTMENT:
        return "appointment"
    return "follow_up"


def plan_items_done(
    items: Iterable[tuple[int, int | None, str]],
    visits: Iterable[tuple[int | None, int, str]],
) -> set[int]:
    """Which plan items are done: ``items`` are ``(plan item id, customer id or None,
    purpose)``, ``visits`` are ``(plan item id or None, customer id, purpose)``.

    A visit linked to a plan item (Visit.plan_item) marks that item only. A visit recorded
    without a plan item marks at most one still-open item of the same customer: one with
    the same purpose first, else one of the same purpose category (visit / appointment /
    follow-up). Items without a customer are done only by a linked visit. docs/domain
    section 3 (plan vs actual).
    """
    items = list(items)
    done: set[int] = set()
    unlinked: list[tuple[int, str]] = []
    for plan_item_id, customer_id, purpose in visits:
        if plan_item_id is not None:
            done.add(plan_item_id)
        else:
            unlinked.append((customer_id, purpose))
    for same_purpose in (True, False):
        rest = []
        for customer_id, purpose in unlinked:
            match = next(
                (
                    pk
                    for pk, item_customer, item_purpose in items
                    if pk not in done
                    and item_customer is not None
                    and item_customer == customer_id
                    and (
                        item_purpose == purpose
                        if same_purpose
                        else purpose_category(item_purpose) == purpose_category(purpose)
                    )
                ),
                None,
            )
            if match is None:
                rest.append((customer_id, purpose))
            else:
                done.add(match)
        unlinked = rest
    return done


# --- morning meeting flags ----------------------------------------------------------------

NO_PLAN = "no_plan"
NO_TARGET = "no_target"
NO_PREPARATION = "no_preparation"
LOW_VOLUME = "low_volume"
OVERDUE_NEXT_STEPS = "overdue_next_steps"
NOT_FOLLOWED_UP = "not_followed_up"
MISSED_YESTERDAY = "missed_yesterday"


def meeting_flags(
    *,
    planned_visits: int,
    planned_without_target: int,
    planned_without_preparation: int,
    yesterday_visits: int | None,
    standard: int,
    overdue_next_steps: int,
    stale_customers: int,
    yesterday_missing: bool = False,
) -> list[str]:
    """The faults a supervisor looks for at the morning meeting (docs/domain section 3).

    ``yesterday_visits`` is None when the previous work day's journal is absent (that is
    the ``missed_yesterday`` flag's job). Volume is low when today's planned visits or the
    previous work day's actual visits are below ``standard`` visits per day.
    """
    flags = []
    if planned_visits == 0:
        flags.append(NO_PLAN)
    if planned_without_target:
        flags.append(NO_TARGET)
    if planned_without_preparation:
        flags.append(NO_PREPARATION)
    below_plan = 0 < planned_visits < standard
    below_actual = yesterday_visits is not None and yesterday_visits < standard
    if standard and (below_plan or below_actual):
        flags.append(LOW_VOLUME)
    if overdue_next_steps:
        flags.append(OVERDUE_NEXT_STEPS)
    if stale_customers:
        flags.append(NOT_FOLLOWED_UP)
    if yesterday_missing:
        flags.append(MISSED_YESTERDAY)
    return flags


# --- revisions ----------------------------------------------------------------------------


def _coded(labels: Mapping[str, str], field: str, row: Mapping[str, object]) -> str:
    """The label of a coded value (``labels['purpose:first']``); older snapshots that
    stored the label itself show it unchanged."""
    value = str(row.get(field) or "")
    return labels.get(f"{field}:{value}", value)


def _rows(value: object) -> list[Mapping[str, object]]:
    """The mappings of a list in a content snapshot (anything else: none)."""
    if not isinstance(value, list):
        return []
    return [row for row in value if isinstance(row, Mapping)]


def content_lines(content: Mapping[str, object], labels: Mapping[str, str]) -> list[str]:
    """Render a journal content snapshot (see selectors.journal_content) as text lines,
    one field per line, so two versions can be compared line by line.

    ``labels`` maps field names to labels and ``purpose:<code>`` / ``outcome:<code>`` to
    the labels of coded values (presentation.diff_labels), so the snapshot itself holds
    no translated text and the diff does not depend on the language it was saved in."""
    lines: list[str] = []
    for key in ("learning_topic", "takeaways", "summary"):
        value = str(content.get(key) or "")
        label = labels.get(key, key)
        parts = value.splitlines() or [""]
        lines.append(f"{label}: {parts[0]}")
        lines.extend(f"    {p}" for p in parts[1:])
    for item in _rows(content.get("plan")):
        lines.append(
            f"{labels.get('plan', 'plan')}: {_coded(labels, 'purpose', item)} · "
            f"{item.get('customer') or '-'} · {item.get('preparation', '')}"
        )
    for visit in _rows(content.get("visits")):
        lines.append(
            f"{labels.get('visit', 'visit')}: {visit.get('time', '')} "
            f"{visit.get('customer', '')} · {_coded(labels, 'purpose', visit)} · "
            f"{_coded(labels, 'outcome', visit)}"
        )
        for key in ("learned", "agreed", "analysis", "next_step", "next_step_date"):
            if visit.get(key):
                lines.append(f"    {labels.get(key, key)}: {visit[key]}")
    return lines


def revision_diff(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """Line diff of two versions as ``(kind, text)``; kind is 'del', 'add' or 'same'.

    Unchanged lines are kept so the reader sees each change in place.
    """
    rows: list[tuple[str, str]] = []
    for line in difflib.ndiff(old, new):
        tag, text = line[:2], line[2:]
        if tag == "- ":
            rows.append(("del", text))
        elif tag == "+ ":
            rows.append(("add", text))
        elif tag == "  ":
            rows.append(("same", text))
    return rows
