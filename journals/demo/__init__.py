"""Demo journals for ``seed_demo``: three months of daily work journals for every demo rep
(``seed``), from the fixed texts and rep profiles in ``data``. See docs/domain, journals.
"""

from .data import (
    AGREED,
    ANALYSIS,
    CENTER,
    COMMENTS,
    DAYS,
    EVALUATIONS,
    LEARNED,
    NEEDS,
    NEXT_STEPS,
    ORDER,
    PREPARATION,
    PROFILES,
    REPLIES,
    SUMMARIES,
    TOPICS,
    VAGUE,
)
from .seed import (
    reset,
    seed,
)

__all__ = [
    "AGREED",
    "ANALYSIS",
    "CENTER",
    "COMMENTS",
    "DAYS",
    "EVALUATIONS",
    "LEARNED",
    "NEEDS",
    "NEXT_STEPS",
    "ORDER",
    "PREPARATION",
    "PROFILES",
    "REPLIES",
    "SUMMARIES",
    "TOPICS",
    "VAGUE",
    "reset",
    "seed",
]
