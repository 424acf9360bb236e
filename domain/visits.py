"""Visit purposes and outcomes, and THE effective-visit rule (docs/domain.md sections 3 and 9).

Codes are the stored values of ``journals.models.Purpose`` and ``journals.models.Visit.Outcome``.

Effective visit (docs/domain.md section 9): the visit produced a stage advance, a deal, or a
*dated* next step agreed with the customer. Two implementations existed: the journal one
(outcome stage_advanced/deal, or a non-blank next step with a date) and the KPI engine's
fallback (outcome in stage_advanced/deal/next_step, date ignored). The definition says "a dated
next step", so the journal version is the rule: an outcome 'next_step' without a next-step
text and date is not effective, and a dated next step counts whatever the outcome code.
"""

from __future__ import annotations

import datetime as dt

from domain.labels import Labelled

FIRST, EXPLANATION, CLOSING = "first", "explanation", "closing"
APPOINTMENT = "appointment"
COLLECTION, COORDINATION, RESEARCH, SERVICE = "collection", "coordination", "research", "service"

#: Every purpose code with labels, in the order of journals.models.Purpose.
PURPOSES: tuple[Labelled, ...] = (
    Labelled(FIRST, "初访", "First visit"),
    Labelled(EXPLANATION, "说明", "Explanation"),
    Labelled(CLOSING, "促成", "Closing"),
    Labelled(APPOINTMENT, "约访", "Appointment"),
    Labelled(COLLECTION, "回访：收费", "Follow-up: collection"),
    Labelled(COORDINATION, "回访：协调", "Follow-up: coordination"),
    Labelled(RESEARCH, "回访：调研", "Follow-up: research"),
    Labelled(SERVICE, "回访：服务", "Follow-up: service"),
)
VISIT_PURPOSES: tuple[str, ...] = (FIRST, EXPLANATION, CLOSING)
FOLLOW_UP_PURPOSES: tuple[str, ...] = (COLLECTION, COORDINATION, RESEARCH, SERVICE)

NOTHING, INFO, NEXT_STEP, STAGE_ADVANCED, DEAL = (
    "nothing",
    "info",
    "next_step",
    "stage_advanced",
    "deal",
)
#: Every outcome code with labels, in the order of journals.models.Visit.Outcome.
OUTCOMES: tuple[Labelled, ...] = (
    Labelled(NOTHING, "无结果", "Nothing"),
    Labelled(INFO, "信息收集", "Information gathered"),
    Labelled(NEXT_STEP, "约定后期安排", "Next step agreed"),
    Labelled(STAGE_ADVANCED, "阶段推进", "Stage advanced"),
    Labelled(DEAL, "成交", "Deal"),
)
#: Outcomes that make a visit effective by themselves.
ADVANCING_OUTCOMES: frozenset[str] = frozenset({STAGE_ADVANCED, DEAL})


def is_effective(
    *, outcome: str, next_step: str = "", next_step_date: dt.date | None = None
) -> bool:
    """True when a visit is effective.

    ``outcome``: an outcome code; ``next_step``: the agreed next step text (blank = none);
    ``next_step_date``: its date. Effective = outcome stage_advanced or deal, or a non-blank
    next step with a date. Never raises. Rule source: docs/domain.md section 9.
    """
    if outcome in ADVANCING_OUTCOMES:
        return True
    return bool(next_step.strip()) and next_step_date is not None


# --- who visited: the owner, or someone else (docs/domain, section 3) ----------------------

OWN, ACCOMPANIED, COVERING = "own", "accompanied", "covering"
#: How the visitor relates to the customer visited. A visit counts for the visitor's activity
#: (the journal's rep) whatever the relation; the owner sees it on the customer's timeline and
#: in their journal of that day.
RELATIONS: tuple[Labelled, ...] = (
    Labelled(OWN, "本人客户", "Own customer"),
    Labelled(ACCOMPANIED, "陪同拜访", "Accompanying visit (陪同拜访)"),
    Labelled(COVERING, "代为拜访", "Covering for a colleague"),
)
#: Relations allowed when the visitor does not own the customer.
NON_OWNER_RELATIONS: frozenset[str] = frozenset({ACCOMPANIED, COVERING})
