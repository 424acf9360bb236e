"""The words of diagnosis findings and coaching plans in the viewer's language.

Findings and plans store codes with values (coaching.diagnosis: cause and measure codes,
figure keys and numbers); this module turns them into text in the active language when a
page, an export or a notification is rendered, so a zh-hans reader never sees an English
cause and an English reader never a Chinese one. Rows stored before codes existed carry
the English text; it is mapped back to its code (``legacy_code``) or translated as is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as mark

from domain import metrics as registry
from kpi.templatetags.kpi_format import metric_label

#: Cause codes (coaching.diagnosis.CAUSES) and their text (docs/domain section 8 table).
CAUSE_TEXTS: dict[str, str] = {
    "little_activity": mark("Too little customer activity"),
    "product_knowledge": mark("Products not known well, too little industry knowledge"),
    "presenting": mark("Weak at presenting and explaining"),
    "information": mark("Weak awareness or ability to gather customer information"),
    "communication": mark("Weak customer communication"),
    "target_choice": mark("Poor choice of target customers, unreasonable work plan"),
    "rejection": mark("Cannot take customer rejection"),
}

#: Counter-measure codes (coaching.diagnosis.MEASURES) and their text.
MEASURE_TEXTS: dict[str, str] = {
    "choose_targets": mark("Help choose target customers and plan the daily visits"),
    "appointments": mark("Appointment-making"),
    "first_visit_talk": mark("Appointment-making and the first-visit talk"),
    "accompany_first_visit": mark("Accompany a first visit and review it afterwards"),
    "presentation": mark("Product presentation"),
    "prepare_explanation": mark("Prepare what to say before explanation visits"),
    "needs_discovery": mark("Needs discovery"),
    "review_needs_analysis": mark("Review the needs analysis of the open customers together"),
    "accompany_closing": mark("Accompany a closing visit"),
    "big_account": mark("Big-account response: pricing and resources"),
    "plan_daily_visits": mark(
        "Plan the daily visits together and check them at the morning meeting"
    ),
    "prepare_tomorrow": mark("Prepare what to say for tomorrow's visits together"),
    "due_next_steps": mark("Go through the due next steps at the morning meeting"),
    "coordinate_service": mark("Coordinate fault repair and service requests that block follow-up"),
    "journal_time": mark("Agree a fixed daily time to fill in the journal"),
}

#: Labels of the diagnosis' own figures (coaching.diagnosis.OWN_FIGURES).
FIGURE_LABELS: dict[str, str] = {
    "relationship_rate": mark("Targets with a relationship"),
    "explanation_visits": mark("Explanation visits"),
    "intents_per_explanation": mark("Intents per explanation visit"),
    "closing_visits": mark("Closing visits"),
    "deals_per_closing": mark("Deals per closing visit"),
    "intents_lost": mark("Customers lost after intent"),
    "visit_standard": mark("Visit standard"),
    "work_days": mark("Work days"),
    "planned_visits": mark("Planned visits"),
    "unprepared": mark("Planned visits without preparation"),
    "unprepared_share": mark("Share without preparation"),
    "overdue_next_steps": mark("Overdue next steps"),
    "missing_journals": mark("Missing journals"),
}

_CAUSE_BY_TEXT = {text: code for code, text in CAUSE_TEXTS.items()}
_MEASURE_BY_TEXT = {text: code for code, text in MEASURE_TEXTS.items()}


def legacy_code(kind: str, text: str) -> str:
    """The code of an English cause (``kind`` "cause") or measure ("measure") text stored
    before codes existed; "" when it is not one of ours."""
    table = _CAUSE_BY_TEXT if kind == "cause" else _MEASURE_BY_TEXT
    return table.get(text, "")


def cause_text(cause: Mapping[str, Any]) -> str:
    """A stored cause ``{"code", "category"}`` (or legacy ``{"cause": English}``) as text."""
    code = cause.get("code") or legacy_code("cause", str(cause.get("cause", "")))
    if code in CAUSE_TEXTS:
        return gettext(CAUSE_TEXTS[code])
    return gettext(str(cause.get("cause", code)))


def measure_text(code: str, fallback: str = "") -> str:
    """A counter-measure code as text; ``fallback`` (free text typed by a person, or a
    legacy English text) when the code is empty or unknown."""
    code = code or legacy_code("measure", fallback)
    if code in MEASURE_TEXTS:
        return gettext(MEASURE_TEXTS[code])
    return gettext(fallback) if fallback in _MEASURE_BY_TEXT else fallback


def figure_label(key: str, stored: str = "") -> str:
    """The label of a finding's figure: the metric registry's for a KPI, else the
    diagnosis' own, else the stored (legacy) label translated."""
    if key in registry.METRICS:
        return metric_label(key)
    if key in FIGURE_LABELS:
        return gettext(FIGURE_LABELS[key])
    return gettext(stored) if stored else key


def evidence_lines(figures: Iterable[Mapping[str, Any]]) -> str:
    """A finding's figures as lines "label: value" (rates as percentages), the evidence
    text of a plan made from it."""
    lines = []
    for fig in figures:
        value = fig.get("value")
        shown = (
            "-" if value is None else (f"{value:.0%}" if fig.get("fmt") == "rate" else f"{value:g}")
        )
        lines.append(f"{figure_label(str(fig.get('key', '')), str(fig.get('label', '')))}: {shown}")
    return "\n".join(lines)
