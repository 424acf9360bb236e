"""Diagnosis rules: which rep shows which symptom of weak results (docs/domain section 8) or
poor journal habits (docs/domain section 3, "typical faults"), as pure functions.

No ORM here: :mod:`coaching.services` reads the KPI figures (kpi.calculations) and the
journal habit counts into :class:`RepFacts` and passes the thresholds in as
:class:`Thresholds` (from ``coaching.models.DiagnosisSettings``).

A KPI symptom fires when the rep's figure is below ``team_median_ratio`` x the median of
the team's reps (at least two reps with a value), or below ``target_ratio`` x the rep's own
target for the period (``<metric>_completion`` < ratio). Rates are only judged when the
denominator has at least ``min_denominator`` customers. Habit symptoms use absolute
thresholds. Each rule returns figures; :func:`diagnose_team` adds the evidence links, the
likely causes with their category and the suggested measures.

Causes, measures and figures are stored as codes with values and rendered in the viewer's
language by :mod:`coaching.texts`; nothing here is translated text.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.symptoms import (
    FEW_TARGETS,
    HARD_TO_CLOSE,
    LOW_ACTIVITY,
    MISSED_NEED,
    MISSING_JOURNALS,
    NO_FOLLOW_UP,
    NO_INTEREST,
    NO_PREPARATION,
    SYMPTOM_CODES,
    WEAK_OPENING,
)

#: Symptom codes in diagnosis order: the domain's (coaching.models.Symptom is built from it).
SYMPTOMS: tuple[str, ...] = SYMPTOM_CODES

ATTITUDE, KNOWLEDGE, SKILL = "attitude", "knowledge", "skill"
COACHING, TRAINING, SUPPORT = "coaching", "training", "support"

# Causes (codes) and their category: docs/domain section 8 table. Their texts, in the
# viewer's language, are coaching.texts.CAUSE_TEXTS.
C_LITTLE_ACTIVITY = ("little_activity", ATTITUDE)
C_PRODUCT_KNOWLEDGE = ("product_knowledge", KNOWLEDGE)
C_PRESENTING = ("presenting", SKILL)
C_INFORMATION = ("information", SKILL)
C_COMMUNICATION = ("communication", SKILL)
C_TARGET_CHOICE = ("target_choice", SKILL)
C_REJECTION = ("rejection", SKILL)

CAUSES: dict[str, tuple[tuple[str, str], ...]] = {
    FEW_TARGETS: (C_LITTLE_ACTIVITY, C_TARGET_CHOICE, C_INFORMATION),
    WEAK_OPENING: (C_COMMUNICATION, C_REJECTION, C_LITTLE_ACTIVITY),
    NO_INTEREST: (C_PRODUCT_KNOWLEDGE, C_PRESENTING),
    MISSED_NEED: (C_INFORMATION, C_PRODUCT_KNOWLEDGE),
    HARD_TO_CLOSE: (C_REJECTION, C_COMMUNICATION),
    LOW_ACTIVITY: (C_LITTLE_ACTIVITY, C_TARGET_CHOICE),
    NO_PREPARATION: (C_LITTLE_ACTIVITY, C_TARGET_CHOICE),
    NO_FOLLOW_UP: (C_LITTLE_ACTIVITY, C_COMMUNICATION),
    MISSING_JOURNALS: (C_LITTLE_ACTIVITY,),
}

#: Suggested counter-measures per symptom as (kind, code); texts: coaching.texts.MEASURE_TEXTS.
MEASURES: dict[str, tuple[tuple[str, str], ...]] = {
    FEW_TARGETS: ((COACHING, "choose_targets"), (TRAINING, "appointments")),
    WEAK_OPENING: ((TRAINING, "first_visit_talk"), (COACHING, "accompany_first_visit")),
    NO_INTEREST: ((TRAINING, "presentation"), (COACHING, "prepare_explanation")),
    MISSED_NEED: ((TRAINING, "needs_discovery"), (COACHING, "review_needs_analysis")),
    HARD_TO_CLOSE: ((COACHING, "accompany_closing"), (SUPPORT, "big_account")),
    LOW_ACTIVITY: ((COACHING, "plan_daily_visits"),),
    NO_PREPARATION: ((COACHING, "prepare_tomorrow"),),
    NO_FOLLOW_UP: ((COACHING, "due_next_steps"), (SUPPORT, "coordinate_service")),
    MISSING_JOURNALS: ((COACHING, "journal_time"),),
}

#: KPIs a coaching plan for the symptom watches by default (coaching.effect).
EFFECT_METRICS: dict[str, tuple[str, ...]] = {
    FEW_TARGETS: ("new_targets", "target_customer_visits"),
    WEAK_OPENING: ("target_customer_visits", "effective_activity_rate"),
    NO_INTEREST: ("intents", "intent_rate"),
    MISSED_NEED: ("deals", "close_rate"),
    HARD_TO_CLOSE: ("deals", "close_rate"),
    LOW_ACTIVITY: ("visits", "customers_visited"),
    NO_PREPARATION: ("effective_activity_rate", "visits"),
    NO_FOLLOW_UP: ("effective_activity_rate", "effective_customers"),
    MISSING_JOURNALS: ("visits", "effective_activity_rate"),
}

#: The diagnosis' own figures (besides KPI figures of ``domain.metrics``); their labels in
#: the viewer's language are coaching.texts.FIGURE_LABELS.
OWN_FIGURES: tuple[str, ...] = (
    "relationship_rate",
    "explanation_visits",
    "intents_per_explanation",
    "closing_visits",
    "deals_per_closing",
    "intents_lost",
    "visit_standard",
    "work_days",
    "planned_visits",
    "unprepared",
    "unprepared_share",
    "overdue_next_steps",
    "missing_journals",
)


@dataclass(frozen=True)
class Thresholds:
    """The rule thresholds (DiagnosisSettings as plain numbers). Ratios are fractions."""

    team_median_ratio: float = 0.7
    target_ratio: float = 0.8
    min_denominator: int = 4
    min_explanation_visits: int = 4
    interest_rate_min: float = 0.15
    min_closing_visits: int = 3
    closing_success_min: float = 0.2
    lost_intents_max: int = 2
    activity_ratio: float = 0.8
    visit_standard_per_day: int = 3
    unprepared_share_max: float = 0.3
    min_planned_visits: int = 3
    overdue_next_steps_max: int = 3
    missing_journals_max: int = 2


@dataclass
class RepFacts:
    """What the rules read about one rep in one period.

    ``metrics``: KPI values by name (kpi.calculations names; None = no value), e.g.
    target_customers, new_targets, funnel_target, funnel_relationship, intents, intent_rate,
    intent_pool, deals, close_rate, visits. ``completion``: actual / own target by metric
    (only metrics with a target), over the whole period's target; ``work_days`` are the
    rep's work days counted so far (before today), ``period_work_days`` all of them in the
    period (0: unknown, the whole target is due). Habit counts come from the journals; the
    ``*_customers``
    and ``*_journals`` lists are evidence links as ``{"id", "name"}`` / ``{"id", "day"}``.
    """

    rep_id: int
    metrics: dict[str, float | int | None] = field(default_factory=dict)
    completion: dict[str, float | None] = field(default_factory=dict)
    explanation_visits: int = 0
    closing_visits: int = 0
    intents_lost: int = 0
    work_days: int = 0
    period_work_days: int = 0
    planned_visits: int = 0
    unprepared: int = 0
    overdue_next_steps: int = 0
    missing_journals: int = 0
    customers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    journals: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def completion_to_date(self, key: str) -> float | None:
        """Completion of a flow target (visits, new targets, deals: counts that grow day by
        day) against the part due by the days counted: ``completion[key]`` x
        ``period_work_days`` / ``work_days`` while the period runs, so a rep on pace is not
        behind on the first day of a month; the whole target once every work day is
        counted. None without a target or before the first work day. Rule source:
        docs/domain, section 8 (as ``low_activity``'s standard counts the work days so far)."""
        value = self.completion.get(key)
        if value is None or self.period_work_days <= 0 or self.work_days >= self.period_work_days:
            return value
        if self.work_days <= 0:
            return None
        return value * self.period_work_days / self.work_days


#: Targets judged to date (:meth:`RepFacts.completion_to_date`); a pool target such as
#: ``target_customers`` is a stock, judged against the whole target.
FLOW_TARGETS = frozenset({"visits", "new_targets", "deals"})


def _completion(rep: RepFacts, key: str) -> float | None:
    """The completion the rules judge: to date for :data:`FLOW_TARGETS`, else as is."""
    return rep.completion_to_date(key) if key in FLOW_TARGETS else rep.completion.get(key)


@dataclass
class Diagnosis:
    """One fired symptom: figures, evidence links, causes and measures (JSON-ready)."""

    rep_id: int
    symptom: str
    figures: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    journals: list[dict[str, Any]]
    causes: list[dict[str, str]]
    measures: list[dict[str, str]]

    @property
    def evidence(self) -> dict[str, Any]:
        """The Finding.evidence JSON."""
        return {"figures": self.figures, "customers": self.customers, "journals": self.journals}


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den, or None for an empty denominator (docs/domain section 9)."""
    if num is None or not den:
        return None
    return float(num) / float(den)


def team_median(values: Sequence[float | None]) -> float | None:
    """Median of the values that exist; None with fewer than two (no team to compare to)."""
    present = [float(v) for v in values if v is not None]
    return statistics.median(present) if len(present) >= 2 else None


def _figure(
    key: str,
    value: float | None,
    *,
    median: float | None = None,
    target: float | None = None,
    fmt: str = "count",
) -> dict[str, Any]:
    return {
        "key": key,
        "value": None if value is None else round(float(value), 4),
        "team_median": None if median is None else round(float(median), 4),
        "completion": None if target is None else round(float(target), 4),
        "fmt": fmt,
    }


def _weak(
    value: float | None, median: float | None, completion: float | None, th: Thresholds
) -> bool:
    """Below the share of the team median, or below the share of the own target."""
    if value is None:
        return False
    below_team = median is not None and median > 0 and value < th.team_median_ratio * median
    below_target = completion is not None and completion < th.target_ratio
    return below_team or below_target


Rule = Callable[[RepFacts, dict[str, float | None], Thresholds], list[dict[str, Any]] | None]


def derived(rep: RepFacts) -> dict[str, float | None]:
    """Per-rep figures the rules compare with the team median."""
    m = rep.metrics
    return {
        "target_customers": _num(m.get("target_customers")),
        "new_targets": _num(m.get("new_targets")),
        "relationship_rate": ratio(
            _num(m.get("funnel_relationship")), _num(m.get("funnel_target"))
        ),
        "intent_rate": _num(m.get("intent_rate")),
        "close_rate": _num(m.get("close_rate")),
        "intents_per_explanation": ratio(_num(m.get("intents")), rep.explanation_visits),
        "deals_per_closing": ratio(_num(m.get("deals")), rep.closing_visits),
        "visits": _num(m.get("visits")),
    }


def rule_few_targets(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Too few target customers: the target pool or new targets below median or target."""
    d = derived(rep)
    fired = []
    for key in ("target_customers", "new_targets"):
        if _weak(d[key], med.get(key), _completion(rep, key), th):
            fired.append(key)
    if not fired:
        return None
    return [
        _figure(k, d[k], median=med.get(k), target=_completion(rep, k))
        for k in ("target_customers", "new_targets")
    ]


def rule_weak_opening(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Weak at opening relationships: share of reached targets that reached relationship."""
    targets = _num(rep.metrics.get("funnel_target")) or 0
    value = derived(rep)["relationship_rate"]
    if targets < th.min_denominator or not _weak(value, med.get("relationship_rate"), None, th):
        return None
    return [
        _figure("funnel_target", targets),
        _figure("relationship_rate", value, median=med.get("relationship_rate"), fmt="rate"),
    ]


def rule_no_interest(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Presentations raise no interest: many explanation visits, few intents per visit
    (below ``interest_rate_min`` and below the team median share)."""
    if rep.explanation_visits < th.min_explanation_visits:
        return None
    value = derived(rep)["intents_per_explanation"] or 0.0
    median = med.get("intents_per_explanation")
    # Low in absolute terms, and (when there is a team to compare with) low for the team:
    # a product that interests nobody is not one rep's symptom.
    below_team = median is None or value < th.team_median_ratio * median
    if not (value < th.interest_rate_min and below_team):
        return None
    return [
        _figure("explanation_visits", rep.explanation_visits),
        _figure("intents", _num(rep.metrics.get("intents"))),
        _figure("intents_per_explanation", value, median=median, fmt="rate"),
    ]


def rule_missed_need(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Recommendations miss the need: closing visits without deals, or intents lost."""
    value = derived(rep)["deals_per_closing"]
    median = med.get("deals_per_closing")
    below_team = median is None or (value or 0.0) < th.team_median_ratio * median
    many_closings = (
        rep.closing_visits >= th.min_closing_visits
        and (value or 0.0) < th.closing_success_min
        and below_team
    )
    lost = rep.intents_lost >= th.lost_intents_max
    if not (many_closings or lost):
        return None
    return [
        _figure("closing_visits", rep.closing_visits),
        _figure("deals", _num(rep.metrics.get("deals"))),
        _figure("deals_per_closing", value, median=med.get("deals_per_closing"), fmt="rate"),
        _figure("intents_lost", rep.intents_lost),
    ]


def rule_hard_to_close(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Hard to close: close rate below the team median share or the deals target."""
    pool = _num(rep.metrics.get("intent_pool")) or 0
    value = derived(rep)["close_rate"]
    if pool < th.min_denominator:
        return None
    if not _weak(value, med.get("close_rate"), _completion(rep, "deals"), th):
        return None
    return [
        _figure("intent_pool", pool),
        _figure("deals", _num(rep.metrics.get("deals")), target=_completion(rep, "deals")),
        _figure("close_rate", value, median=med.get("close_rate"), fmt="rate"),
    ]


def rule_low_activity(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Too little activity: visits below activity_ratio x standard per day x work days."""
    if rep.work_days <= 0:
        return None
    standard = th.visit_standard_per_day * rep.work_days
    visits = _num(rep.metrics.get("visits")) or 0.0
    below_standard = visits < th.activity_ratio * standard
    below_target = (_completion(rep, "visits") or 1.0) < th.target_ratio
    if not (below_standard or below_target):
        return None
    return [
        _figure("visits", visits, median=med.get("visits"), target=_completion(rep, "visits")),
        _figure("visit_standard", standard),
        _figure("work_days", rep.work_days),
    ]


def rule_no_preparation(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Visits without preparation: planned visits whose preparation is empty."""
    share = ratio(rep.unprepared, rep.planned_visits)
    if rep.planned_visits < th.min_planned_visits or share is None:
        return None
    if share <= th.unprepared_share_max:
        return None
    return [
        _figure("planned_visits", rep.planned_visits),
        _figure("unprepared", rep.unprepared),
        _figure("unprepared_share", share, fmt="rate"),
    ]


def rule_no_follow_up(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """No follow-up: agreed next steps whose date has passed and are not done."""
    if rep.overdue_next_steps < th.overdue_next_steps_max:
        return None
    return [_figure("overdue_next_steps", rep.overdue_next_steps)]


def rule_missing_journals(
    rep: RepFacts, med: dict[str, float | None], th: Thresholds
) -> list[dict[str, Any]] | None:
    """Missing journals: work days (not exempt) without a submitted journal."""
    if rep.missing_journals < th.missing_journals_max:
        return None
    return [_figure("missing_journals", rep.missing_journals), _figure("work_days", rep.work_days)]


RULES: dict[str, Rule] = {
    FEW_TARGETS: rule_few_targets,
    WEAK_OPENING: rule_weak_opening,
    NO_INTEREST: rule_no_interest,
    MISSED_NEED: rule_missed_need,
    HARD_TO_CLOSE: rule_hard_to_close,
    LOW_ACTIVITY: rule_low_activity,
    NO_PREPARATION: rule_no_preparation,
    NO_FOLLOW_UP: rule_no_follow_up,
    MISSING_JOURNALS: rule_missing_journals,
}

#: At most this many customers and journals are linked as a finding's evidence.
EVIDENCE_LIMIT = 20

#: Which evidence lists a symptom links to: (customers key, journals key) in RepFacts.
EVIDENCE_KEYS: dict[str, tuple[str, str]] = {
    FEW_TARGETS: ("targets", ""),
    WEAK_OPENING: ("targets", ""),
    NO_INTEREST: ("explanation", "explanation"),
    MISSED_NEED: ("closing", "closing"),
    HARD_TO_CLOSE: ("intent", ""),
    LOW_ACTIVITY: ("", "all"),
    NO_PREPARATION: ("unprepared", "unprepared"),
    NO_FOLLOW_UP: ("overdue", "overdue"),
    MISSING_JOURNALS: ("", ""),
}


def team_medians(reps: Sequence[RepFacts]) -> dict[str, float | None]:
    """Median of each derived figure over the team's reps."""
    rows = [derived(r) for r in reps]
    keys = rows[0].keys() if rows else ()
    return {k: team_median([row[k] for row in rows]) for k in keys}


def diagnose_team(reps: Sequence[RepFacts], th: Thresholds) -> list[Diagnosis]:
    """Run every rule for every rep of one team and period; return the fired symptoms.

    The team median is taken over ``reps`` (the team's reps in the period).
    """
    medians = team_medians(reps)
    out: list[Diagnosis] = []
    for rep in reps:
        for symptom, rule in RULES.items():
            figures = rule(rep, medians, th)
            if figures is None:
                continue
            ckey, jkey = EVIDENCE_KEYS[symptom]
            out.append(
                Diagnosis(
                    rep_id=rep.rep_id,
                    symptom=symptom,
                    figures=figures,
                    customers=list(rep.customers.get(ckey, []))[:EVIDENCE_LIMIT] if ckey else [],
                    journals=list(rep.journals.get(jkey, []))[:EVIDENCE_LIMIT] if jkey else [],
                    causes=[{"code": c, "category": cat} for c, cat in CAUSES[symptom]],
                    measures=[{"kind": k, "code": m} for k, m in MEASURES[symptom]],
                )
            )
    return out
