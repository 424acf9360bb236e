"""What the history import says about a plan, in the active language: the labels of its
actions and kinds, a row's problem, one line per row and the summary. The page
(``journals/views/history.py``) and the command ``import_history`` build their messages
from these same templates (docs/architecture.md, Conventions: messages are templates with
values, translated when shown, never patched afterwards)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from customers.models import Stage
from journals.models import Purpose

from .reading import STAGE, VISIT, RowProblem
from .service import ATTACH, KNOWN, REJECT, HistoryPlan, PlannedRow

ACTION_LABELS = {
    ATTACH: gettext_lazy("Attach"),
    KNOWN: gettext_lazy("Already there (skipped)"),
    REJECT: gettext_lazy("Refused"),
}
"""Action code -> its label."""

KIND_LABELS = {VISIT: gettext_lazy("Visit or follow-up"), STAGE: gettext_lazy("Stage change")}
"""Row kind -> its label."""

PROBLEM = gettext_noop("%(field)s: %(reason)s")
"""A row's problem with the column it is about (the reason alone without one)."""

ROW_LINE = gettext_noop(
    "Row %(row)s: %(action)s, %(kind)s %(what)s, %(when)s, %(rep)s -> %(customer)s"
)
"""One planned row of the command's listing."""

ROW_PROBLEM_LINE = gettext_noop("Row %(row)s: %(problem)s")
"""One problem of a refused row in the command's listing."""

PLANNED = gettext_noop(
    "%(visits)s visits and follow-ups and %(stages)s stage changes will be attached; "
    "%(known)s rows are already there; %(rejected)s rows are refused."
)
"""The summary of a plan (preview, dry run)."""

DONE = gettext_noop(
    "Imported %(visits)s visits and follow-ups and %(stages)s stage changes; "
    "%(known)s rows were already there, %(rejected)s were refused."
)
"""The summary of an import."""


def plan_counts(plan: HistoryPlan) -> dict[str, int]:
    """``{"visits", "stages", "known", "rejected"}``: rows per outcome of ``plan``."""
    return {
        "visits": plan.count(ATTACH, VISIT),
        "stages": plan.count(ATTACH, STAGE),
        "known": plan.count(KNOWN),
        "rejected": plan.count(REJECT),
    }


def plan_summary(plan: HistoryPlan, *, done: bool) -> str:
    """The translated summary of ``plan``: :data:`DONE` after an import (``done``), else
    :data:`PLANNED`."""
    return _(DONE if done else PLANNED) % plan_counts(plan)


def problem_text(problem: RowProblem) -> str:
    """``"<column label>: <reason>"`` in the active language (the reason alone when the
    problem names no column)."""
    if not problem.field:
        return problem.reason
    return _(PROBLEM) % {"field": problem.label, "reason": problem.reason}


def _what(p: PlannedRow) -> str:
    code = p.row.to_stage if p.row.kind == STAGE else p.row.purpose
    choices = Stage if p.row.kind == STAGE else Purpose
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def row_lines(p: PlannedRow) -> list[str]:
    """The command's lines for one planned row: one per problem of a refused row, else one
    saying what is attached (or already there) when, by whom and to which customer."""
    if p.action == REJECT:
        return [
            _(ROW_PROBLEM_LINE) % {"row": p.row.row_number, "problem": problem_text(problem)}
            for problem in p.problems
        ]
    customer = f"{p.customer.name} (#{p.customer.pk})" if p.customer else "-"
    return [
        _(ROW_LINE)
        % {
            "row": p.row.row_number,
            "action": ACTION_LABELS[p.action],
            "kind": KIND_LABELS.get(p.row.kind, p.row.kind),
            "what": _what(p),
            "when": p.at.strftime("%Y-%m-%d %H:%M") if p.at else "-",
            "rep": str(p.rep) if p.rep else "-",
            "customer": customer,
        }
    ]
