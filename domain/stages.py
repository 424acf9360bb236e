"""Funnel stages and THE "reached at" rule (docs/domain sections 6 and 9).

Codes are the stored values of ``customers.models.Stage``. The funnel order is lead < target <
relationship < intent < deal; 'lost' is a status, not a funnel step.

Reached at (mirrors the KPI engine's stage reach times): changes are taken in time order
(ties by ``seq``, the row id). Each change records the furthest stage of its ``to_stage`` and
``from_stage`` (the from stage says the customer was there by then). A stage is reached at the
first change that records it *or a later stage*, so skipped stages count as reached at the
same moment, and reach times never reset (moving back, or being lost, keeps them). 'lead' is
reached at the customer's first change. A customer is lost at a moment when its last change
strictly before that moment went to 'lost'; a later change out of lost re-opens it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.labels import Labelled, pick

LEAD, TARGET, RELATIONSHIP, INTENT, DEAL, LOST = (
    "lead",
    "target",
    "relationship",
    "intent",
    "deal",
    "lost",
)

#: Every stored stage code with its labels, in the order of customers.models.Stage.
STAGES: tuple[Labelled, ...] = (
    Labelled(LEAD, "客户资料", "Lead"),
    Labelled(TARGET, "目标客户", "Target customer"),
    Labelled(RELATIONSHIP, "建立关系", "Relationship established"),
    Labelled(INTENT, "达成意向", "Intent reached"),
    Labelled(DEAL, "成交", "Deal"),
    Labelled(LOST, "流失", "Lost"),
)
STAGE_CODES: tuple[str, ...] = tuple(s.code for s in STAGES)
#: Position of each funnel stage; 'lost' is outside the order.
STAGE_RANK: dict[str, int] = {LEAD: 0, TARGET: 1, RELATIONSHIP: 2, INTENT: 3, DEAL: 4}
FUNNEL_STAGES: tuple[str, ...] = tuple(STAGE_RANK)
#: Stages with a reach time of their own beyond 'lead' (as the KPI engine reports them).
REACH_STAGES: tuple[str, ...] = (TARGET, RELATIONSHIP, INTENT, DEAL)
#: Current stages at which a customer is an open target.
OPEN_TARGET_STAGES: frozenset[str] = frozenset({TARGET, RELATIONSHIP})

_BY_CODE = {s.code: s for s in STAGES}


def stage_label(code: str, lang: str) -> str:
    """Label of a stage code in 'zh-hans' or 'en'. Raises KeyError for an unknown code,
    ValueError for an unknown language."""
    try:
        s = _BY_CODE[code]
    except KeyError:
        raise KeyError(f"Unknown stage {code!r}; known: {', '.join(STAGE_CODES)}") from None
    return pick(s.label_zh, s.label_en, lang)


def rank(code: str) -> int:
    """Funnel position 0..4 of a stage code; -1 for 'lost', '' or an unknown code."""
    return STAGE_RANK.get(code, -1)


@dataclass(frozen=True)
class StageChange:
    """One recorded stage change of one customer.

    ``at``: aware datetime (all changes of a customer must be all aware or all naive, else
    comparing raises TypeError); ``to_stage`` / ``from_stage``: stage codes ('' = none);
    ``seq``: orders changes recorded at the same instant (the row id).
    """

    at: dt.datetime
    to_stage: str
    from_stage: str = ""
    seq: int = 0


@dataclass(frozen=True)
class Reach:
    """A customer's reach times and lost history, as computed by :func:`reach_times`.

    ``at``: stage code -> datetime first reached ('lead' and each reached funnel stage;
    missing = never reached). ``statuses``: (at, went to lost) per change, in order.
    """

    at: Mapping[str, dt.datetime]
    statuses: tuple[tuple[dt.datetime, bool], ...]

    def reached_before(self, stage: str, moment: dt.datetime) -> bool:
        """True when ``stage`` was reached strictly before ``moment``."""
        when = self.at.get(stage)
        return when is not None and when < moment

    def is_lost(self, moment: dt.datetime) -> bool:
        """True when the last change strictly before ``moment`` went to 'lost'."""
        lost = False
        for when, to_lost in self.statuses:
            if when >= moment:
                break
            lost = to_lost
        return lost

    @property
    def lost_now(self) -> bool:
        """True when the customer's latest change went to 'lost'."""
        return bool(self.statuses) and self.statuses[-1][1]


def reach_times(changes: Iterable[StageChange]) -> Reach:
    """The time each stage was first reached by one customer, and its lost history.

    ``changes``: the customer's stage changes in any order. Returns a :class:`Reach`.
    Rule source: docs/domain section 9 ("first time recorded at that stage or a later one").
    Example: lead -> relationship at t1 reaches target and relationship at t1; relationship ->
    lost at t2 keeps them and makes the customer lost from t2; intent -> relationship reaches
    intent (from_stage) and never un-reaches it.
    """
    ordered = sorted(changes, key=lambda c: (c.at, c.seq))
    at: dict[str, dt.datetime] = {}
    for change in ordered:
        at.setdefault(LEAD, change.at)
        furthest = max(rank(change.to_stage), rank(change.from_stage))
        for stage in REACH_STAGES:
            if STAGE_RANK[stage] <= furthest:
                at.setdefault(stage, change.at)
    statuses = tuple((c.at, c.to_stage == LOST) for c in ordered)
    return Reach(at=at, statuses=statuses)


def is_open_target(reached: Reach, at: dt.datetime) -> bool:
    """An open target customer at moment ``at``: reached target, not reached intent, not
    lost, each judged on the changes strictly before ``at`` (before a visit's own effect).
    Rule source: docs/domain section 9 (open target customer; ruling: a re-opened lost
    customer is open again)."""
    return (
        reached.reached_before(TARGET, at)
        and not reached.reached_before(INTENT, at)
        and not reached.is_lost(at)
    )


def is_open_intent(reached: Reach, at: dt.datetime) -> bool:
    """Open at intent at moment ``at``: reached intent, not reached deal, not lost (changes
    strictly before ``at``). Rule source: docs/domain section 9 (intent pool)."""
    return (
        reached.reached_before(INTENT, at)
        and not reached.reached_before(DEAL, at)
        and not reached.is_lost(at)
    )
