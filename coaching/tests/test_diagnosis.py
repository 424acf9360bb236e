"""The diagnosis rules (coaching.diagnosis): each symptom fires on a small hand-made data
set built to show it and stays silent on a healthy one; thresholds come from settings."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from coaching import diagnosis as dg
from coaching.diagnosis import RepFacts, Thresholds
from coaching.models import CauseCategory, MeasureKind, Symptom

TH = Thresholds()


def healthy(rep_id: int, **changes: Any) -> RepFacts:
    """A rep who meets every standard (20 work days, 3 visits a day standard)."""
    fact = RepFacts(
        rep_id=rep_id,
        metrics={
            "target_customers": 20,
            "new_targets": 8,
            "funnel_target": 20,
            "funnel_relationship": 15,
            "intents": 5,
            "intent_rate": 0.25,
            "intent_pool": 8,
            "deals": 4,
            "close_rate": 0.5,
            "visits": 70,
        },
        explanation_visits=10,
        closing_visits=6,
        intents_lost=0,
        work_days=20,
        planned_visits=30,
        unprepared=2,
        overdue_next_steps=1,
        missing_journals=0,
    )
    metrics = changes.pop("metrics", {})
    fact.metrics.update(metrics)
    return dataclasses.replace(fact, **changes)


def fired(facts: list[RepFacts], th: Thresholds = TH) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {f.rep_id: set() for f in facts}
    for d in dg.diagnose_team(facts, th):
        out[d.rep_id].add(d.symptom)
    return out


WEAK: dict[str, dict[str, Any]] = {
    Symptom.FEW_TARGETS: {"metrics": {"target_customers": 5, "new_targets": 1}},
    Symptom.WEAK_OPENING: {"metrics": {"funnel_relationship": 4}},
    Symptom.NO_INTEREST: {"explanation_visits": 20, "metrics": {"intents": 1, "intent_rate": 0.2}},
    Symptom.MISSED_NEED: {"intents_lost": 3},
    Symptom.HARD_TO_CLOSE: {"metrics": {"close_rate": 0.1}},
    Symptom.LOW_ACTIVITY: {"metrics": {"visits": 30}},
    Symptom.NO_PREPARATION: {"unprepared": 20},
    Symptom.NO_FOLLOW_UP: {"overdue_next_steps": 5},
    Symptom.MISSING_JOURNALS: {"missing_journals": 4},
}


def test_every_symptom_has_a_rule() -> None:
    assert set(dg.RULES) == set(dg.SYMPTOMS)


def test_healthy_team_has_no_findings() -> None:
    result = fired([healthy(1), healthy(2), healthy(3)])
    assert result == {1: set(), 2: set(), 3: set()}


@pytest.mark.parametrize("symptom", list(WEAK))
def test_each_symptom_fires_on_its_own_data_set_only(symptom: str) -> None:
    weak = healthy(9, **WEAK[symptom])
    result = fired([healthy(1), healthy(2), healthy(3), weak])
    assert result[9] == {symptom}
    assert result[1] == result[2] == result[3] == set()


def test_few_targets_fires_below_own_target_even_at_team_median() -> None:
    weak = healthy(9)
    weak.completion = {"target_customers": 0.5}
    assert fired([healthy(1), healthy(2), weak])[9] == {Symptom.FEW_TARGETS}
    ok = healthy(9)
    ok.completion = {"target_customers": 0.95}
    assert fired([healthy(1), healthy(2), ok])[9] == set()


def test_thresholds_decide_whether_a_symptom_fires() -> None:
    team = [healthy(1), healthy(2), healthy(9, metrics={"visits": 55})]
    assert Symptom.LOW_ACTIVITY not in fired(team)[9]  # 55 >= 0.8 * 60
    strict = dataclasses.replace(TH, activity_ratio=1.0)
    assert Symptom.LOW_ACTIVITY in fired(team, strict)[9]
    lenient = dataclasses.replace(TH, missing_journals_max=5)
    team = [healthy(1), healthy(9, missing_journals=4)]
    assert Symptom.MISSING_JOURNALS in fired(team)[9]
    assert Symptom.MISSING_JOURNALS not in fired(team, lenient)[9]


def test_rates_are_not_judged_on_too_few_customers() -> None:
    weak = healthy(9, metrics={"close_rate": 0.0, "intent_pool": 2})
    assert Symptom.HARD_TO_CLOSE not in fired([healthy(1), healthy(2), weak])[9]


def test_a_lone_rep_is_not_compared_with_a_team_median() -> None:
    lone = healthy(9, metrics={"target_customers": 1, "new_targets": 0})
    assert Symptom.FEW_TARGETS not in fired([lone])[9]


def test_findings_carry_evidence_causes_and_measures() -> None:
    weak = healthy(9, overdue_next_steps=5)
    weak.customers = {"overdue": [{"id": 7, "name": "甲公司"}]}
    weak.journals = {"overdue": [{"id": 3, "day": "2026-11-02"}]}
    (d,) = dg.diagnose_team([healthy(1), weak], TH)
    assert d.evidence["customers"] == [{"id": 7, "name": "甲公司"}]
    assert d.evidence["journals"] == [{"id": 3, "day": "2026-11-02"}]
    assert d.evidence["figures"][0]["key"] == "overdue_next_steps"
    assert d.evidence["figures"][0]["value"] == 5
    assert {c["category"] for c in d.causes} <= set(CauseCategory.values)
    assert {m["kind"] for m in d.measures} <= set(MeasureKind.values)


def test_every_symptom_has_causes_measures_and_effect_kpis() -> None:
    for symptom in Symptom.values:
        assert dg.CAUSES[symptom]
        assert dg.MEASURES[symptom]
        assert dg.EFFECT_METRICS[symptom]


def test_team_median_needs_two_values() -> None:
    assert dg.team_median([None, 3]) is None
    assert dg.team_median([1, 3, None, 5]) == 3


def test_missed_need_fires_on_closing_visits_without_deals() -> None:
    weak = healthy(9, closing_visits=20, metrics={"deals": 1})
    assert fired([healthy(1), healthy(2), healthy(3), weak])[9] == {Symptom.MISSED_NEED}


def test_no_interest_is_not_one_reps_symptom_when_the_whole_team_is_low() -> None:
    team = [healthy(i, explanation_visits=20, metrics={"intents": 1}) for i in (1, 2, 3)]
    assert all(Symptom.NO_INTEREST not in s for s in fired(team).values())


def test_flow_targets_of_a_running_period_are_judged_to_date() -> None:
    """A rep on pace early in a period is not behind its target (docs/domain, section 8):
    the tuesday of a week, 1 of 5 work days counted, 4 visits of a weekly target of 16
    (25 %) and 3 a day of standard is no ``low_activity``; the same 25 % at the end of the
    week is. A pool target (``target_customers``) is judged against the whole target."""
    early = healthy(9, work_days=1, period_work_days=5, metrics={"visits": 4})
    early.completion = {"visits": 0.25, "deals": 0.2, "new_targets": 0.2}
    assert early.completion_to_date("visits") == pytest.approx(1.25)
    assert fired([healthy(1), healthy(2), early])[9] == set()
    done = dataclasses.replace(early, work_days=5, metrics={**early.metrics, "visits": 16})
    assert Symptom.LOW_ACTIVITY in fired([healthy(1), healthy(2), done])[9]
    pool = dataclasses.replace(early, completion={"target_customers": 0.5})
    assert fired([healthy(1), healthy(2), pool])[9] == {Symptom.FEW_TARGETS}
    first_day = dataclasses.replace(early, work_days=0)
    assert first_day.completion_to_date("visits") is None
