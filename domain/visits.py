"""Visit purposes and outcomes, and THE effective-visit rule (docs/domain, sections 3 and 9).

Codes are the stored values of ``journals.models.Purpose`` and ``journals.models.Visit.Outcome``
(the model choices are built from :data:`PURPOSES` and :data:`OUTCOMES`).

Effective visit (docs/domain, section 9): the visit produced a stage advance, a deal, or a
*dated* next step agreed with the customer: outcome stage_advanced or deal, or a non-blank
next step with a date (whatever the outcome code). It is computed from the visit's fields
whenever it is needed, never stored, so a change of the rule reclassifies every past visit.
Three forms, one rule: :func:`is_effective` (one visit), :func:`effective_mask` (the KPI
engine's arrays) and the ORM filter ``journals.models.effective_visit_q`` built from
:data:`ADVANCING_OUTCOMES`; ``domain/tests/test_visits_metrics_symptoms.py`` pins the first
two against each other and ``journals/tests/test_effective_rule.py`` all three.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from domain.labels import Labelled

if TYPE_CHECKING:  # numpy and pandas load only when the vectorised form is called
    import numpy as np
    import numpy.typing as npt

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
    next step with a date. Never raises. Rule source: docs/domain, section 9.
    """
    if outcome in ADVANCING_OUTCOMES:
        return True
    return bool((next_step or "").strip()) and next_step_date is not None


def effective_mask(
    outcomes: Iterable[object],
    next_steps: Iterable[object],
    next_step_dates: Iterable[object],
) -> npt.NDArray[np.bool_]:
    """:func:`is_effective` for many visits at once: a boolean array, one entry per visit.

    The three iterables run in parallel (one item per visit, equal lengths, else
    ValueError): outcome codes, next-step texts (None / NaN read as blank) and next-step
    dates (None, NaN and NaT read as missing). Pandas Series are read as they are. Each
    distinct outcome and next-step text is judged once (factorised), so a million visits
    take a fraction of a second. Same rule as :func:`is_effective` (docs/domain, section 9).
    """
    import numpy as np  # imported here: the rest of the domain package stays light
    import pandas as pd

    def series(values: Iterable[object]) -> pd.Series:
        return values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)

    def judged(values: pd.Series, test: Callable[[object], bool]) -> npt.NDArray[np.bool_]:
        codes, uniques = pd.factorize(values)
        lookup = np.array([test(u) for u in uniques] + [False], dtype=bool)
        return np.asarray(lookup[codes], dtype=bool)  # code -1 (missing) picks False

    outcome, step, date = series(outcomes), series(next_steps), series(next_step_dates)
    if not len(outcome) == len(step) == len(date):
        raise ValueError("outcomes, next_steps and next_step_dates differ in length")
    out = judged(outcome, lambda code: code in ADVANCING_OUTCOMES)
    candidates = np.flatnonzero(date.notna().to_numpy(dtype=bool) & ~out)
    if len(candidates):
        steps = step.iloc[candidates].reset_index(drop=True)
        out[candidates] = judged(steps, lambda text: isinstance(text, str) and bool(text.strip()))
    return out


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


#: A check-in farther than this many metres from the customer's pinned location is flagged
#: to the supervisor (docs/domain, section 3).
CHECKIN_FAR_M = 500


def checkin_is_far(distance_m: float | None) -> bool:
    """True when a measured check-in distance (metres) is beyond :data:`CHECKIN_FAR_M`;
    False when none was measured (the first check-in pins the location)."""
    return distance_m is not None and distance_m > CHECKIN_FAR_M


# --- how the contact was made: in person or remote (docs/domain, sections 3 and 9) ---------

IN_PERSON, PHONE, WECHAT, EMAIL = "visit", "phone", "wechat", "email"
#: Every channel code with labels, in the order of ``journals.models.Visit.channel``.
CHANNELS: tuple[Labelled, ...] = (
    Labelled(IN_PERSON, "上门拜访", "In-person visit"),
    Labelled(PHONE, "电话", "Phone call"),
    Labelled(WECHAT, "微信", "WeChat"),
    Labelled(EMAIL, "邮件", "E-mail"),
)
CHANNEL_CODES: frozenset[str] = frozenset(c.code for c in CHANNELS)
#: Channels that are follow-ups at a distance: no check-in, never a visit in the KPIs.
REMOTE_CHANNELS: frozenset[str] = frozenset({PHONE, WECHAT, EMAIL})
#: Purposes a remote contact may have: an appointment (约访) or a follow-up (回访). First,
#: explanation and closing visits (计划拜访) happen in person (docs/domain, section 3).
REMOTE_PURPOSES: tuple[str, ...] = (APPOINTMENT, *FOLLOW_UP_PURPOSES)


def is_in_person(channel: str | None) -> bool:
    """True when a contact record is an in-person visit (channel ``visit``; a missing
    channel, as in rows written before channels existed, reads as in person). Only in-person
    visits count in the visit KPIs and may check in. Rule source: docs/domain, section 9,
    "Visits and follow-ups"."""
    return channel in (None, "", IN_PERSON)


def purpose_fits_channel(channel: str, purpose: str) -> bool:
    """True when ``purpose`` may be recorded on ``channel``: any purpose in person, an
    appointment or a follow-up purpose (:data:`REMOTE_PURPOSES`) on the phone, WeChat or by
    e-mail. False for an unknown channel. Rule source: docs/domain, section 3."""
    if channel not in CHANNEL_CODES:
        return False
    return is_in_person(channel) or purpose in REMOTE_PURPOSES


def in_person_mask(channels: Iterable[object]) -> npt.NDArray[np.bool_]:
    """:func:`is_in_person` for many records at once: a boolean array, one entry per
    record (None, NaN and blank read as in person). Used by the KPI engine to keep the
    visit counts to in-person visits (docs/domain, section 9, "Visits and follow-ups")."""
    import numpy as np
    import pandas as pd

    values = (
        channels if isinstance(channels, pd.Series) else pd.Series(list(channels), dtype=object)
    )
    codes, uniques = pd.factorize(values)
    lookup = np.array([is_in_person(u) for u in uniques] + [True], dtype=bool)
    return np.asarray(lookup[codes], dtype=bool)  # code -1 (missing) picks True
