import datetime as dt

import pytest

from domain.stages import (
    FUNNEL_STAGES,
    STAGE_CODES,
    StageChange,
    is_open_intent,
    is_open_target,
    reach_times,
    stage_label,
)

UTC = dt.UTC


def t(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=UTC)


def test_codes_and_labels() -> None:
    assert STAGE_CODES == ("lead", "target", "relationship", "intent", "deal", "lost")
    assert FUNNEL_STAGES == ("lead", "target", "relationship", "intent", "deal")
    assert stage_label("intent", "zh-hans") == "达成意向"
    assert stage_label("lost", "en") == "Lost"
    with pytest.raises(KeyError, match="Unknown stage"):
        stage_label("won", "en")


def test_skipped_stages_are_reached_at_once() -> None:
    r = reach_times([StageChange(t(1), "target", "lead"), StageChange(t(5), "deal", "target")])
    assert r.at == {
        "lead": t(1),
        "target": t(1),
        "relationship": t(5),
        "intent": t(5),
        "deal": t(5),
    }


def test_relationship_to_lost_and_reopen() -> None:
    r = reach_times(
        [
            StageChange(t(8), "target", "lost"),  # re-opened; given out of order
            StageChange(t(2), "lost", "relationship"),
            StageChange(t(1), "target", "lead"),
        ]
    )
    # from_stage 'relationship' of the loss records that relationship was reached by then.
    assert r.at == {"lead": t(1), "target": t(1), "relationship": t(2)}
    assert is_open_target(r, t(2))  # the loss itself is not yet in effect at its instant
    assert not r.is_lost(t(2))
    assert r.is_lost(t(3))
    assert not is_open_target(r, t(3))
    assert not is_open_target(r, t(8))
    assert is_open_target(r, t(9))  # re-opened: open again
    assert not r.lost_now


def test_intent_back_to_relationship_keeps_intent() -> None:
    r = reach_times(
        [StageChange(t(1), "intent", "lead"), StageChange(t(3), "relationship", "intent")]
    )
    assert r.at["intent"] == t(1)
    assert r.at["relationship"] == t(1)
    assert "deal" not in r.at
    # reach never resets: not an open target again, still open at intent
    assert not is_open_target(r, t(4))
    assert is_open_intent(r, t(4))
    assert not is_open_intent(r, t(1))  # strictly before


def test_from_stage_alone_counts_and_ties_use_seq() -> None:
    r = reach_times([StageChange(t(4), "relationship", "intent")])
    assert r.at["intent"] == t(4)
    r2 = reach_times(
        [StageChange(t(4), "target", "lost", seq=2), StageChange(t(4), "lost", "lead", seq=1)]
    )
    assert not r2.is_lost(t(5))
    assert r2.at == {"lead": t(4), "target": t(4)}


def test_lead_only_and_lost_now() -> None:
    r = reach_times([StageChange(t(1), "lead"), StageChange(t(2), "lost", "lead")])
    assert r.at == {"lead": t(1)}
    assert r.lost_now
    assert not is_open_target(r, t(3))
    assert reach_times([]).at == {}
