"""History import from another CRM: visits, follow-ups and stage changes with their own
dates, reps and outcomes, attached to the right customers (docs/domain, sections 3, 5 and 9).

``reading`` reads the file (headers in Chinese or English, codes or labels of purposes,
outcomes and stages); ``service`` matches customers and people within the importer's scope,
plans each row (attach, already known, reject with row, field and why) and writes the
attached rows, then publishes ``HistoryImported`` so the KPIs of those periods are
recomputed. The page is ``journals/views/history.py``; the command ``import_history``.
"""

from __future__ import annotations

from .reading import STAGE, VISIT, HistoryFileRefused, HistoryRow, HistorySheet, RowProblem
from .service import (
    ATTACH,
    KNOWN,
    REJECT,
    HistoryPlan,
    PlannedRow,
    history_check_can_import,
    history_import,
    history_plan,
)

__all__ = [
    "ATTACH",
    "KNOWN",
    "REJECT",
    "STAGE",
    "VISIT",
    "HistoryFileRefused",
    "HistoryPlan",
    "HistoryRow",
    "HistorySheet",
    "PlannedRow",
    "RowProblem",
    "history_check_can_import",
    "history_import",
    "history_plan",
]
