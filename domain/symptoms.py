"""Diagnosis symptom codes with labels (docs/domain sections 3 and 8).

Codes are the stored values of ``coaching.models.Symptom`` in the order of
``coaching.diagnosis.SYMPTOMS``.
"""

from __future__ import annotations

from domain.labels import Labelled, pick

FEW_TARGETS = "few_targets"
WEAK_OPENING = "weak_opening"
NO_INTEREST = "no_interest"
MISSED_NEED = "missed_need"
HARD_TO_CLOSE = "hard_to_close"
LOW_ACTIVITY = "low_activity"
NO_PREPARATION = "no_preparation"
NO_FOLLOW_UP = "no_follow_up"
MISSING_JOURNALS = "missing_journals"

SYMPTOMS: tuple[Labelled, ...] = (
    Labelled(FEW_TARGETS, "目标客户数量太少", "Too few target customers"),
    Labelled(WEAK_OPENING, "开拓客户关系能力弱", "Weak at opening customer relationships"),
    Labelled(NO_INTEREST, "产品/服务介绍不能引起兴趣", "Presentations raise no interest"),
    Labelled(MISSED_NEED, "推荐不符合客户需求", "Recommendations miss the need"),
    Labelled(HARD_TO_CLOSE, "难以促成", "Hard to close"),
    Labelled(LOW_ACTIVITY, "活动量不足", "Too little activity"),
    Labelled(NO_PREPARATION, "拜访无准备", "Visits without preparation"),
    Labelled(NO_FOLLOW_UP, "约定的后期安排未跟进", "Agreed next steps not followed up"),
    Labelled(MISSING_JOURNALS, "日志未提交", "Missing journals"),
)
SYMPTOM_CODES: tuple[str, ...] = tuple(s.code for s in SYMPTOMS)
_BY_CODE = {s.code: s for s in SYMPTOMS}


def symptom_label(code: str, lang: str) -> str:
    """Label of a symptom code in 'zh-hans' or 'en'. Raises KeyError for an unknown code,
    ValueError for an unknown language."""
    try:
        s = _BY_CODE[code]
    except KeyError:
        raise KeyError(f"Unknown symptom {code!r}; known: {', '.join(SYMPTOM_CODES)}") from None
    return pick(s.label_zh, s.label_en, lang)
