"""Display labels and CSS classes for journal statuses, flags and achievement rows.

Kept apart from calculations.py (pure rules) so the rules stay free of translations.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import calculations as calc
from .models import Purpose, Visit

STATUS_LABELS = {
    calc.ON_TIME: gettext_lazy("Submitted"),
    calc.LATE: gettext_lazy("Late"),
    calc.MISSING: gettext_lazy("Missing"),
    calc.PENDING: gettext_lazy("Not yet submitted"),
    calc.EXEMPT: gettext_lazy("Exempt (leave or trip)"),
    calc.NON_WORKING: gettext_lazy("Day off"),
    calc.NOT_REQUIRED: gettext_lazy("Not required"),
    calc.FUTURE: gettext_lazy("Future"),
}

STATUS_CLASSES = {
    calc.ON_TIME: "status-on-time",
    calc.LATE: "status-late",
    calc.MISSING: "status-missing",
    calc.PENDING: "status-pending",
    calc.EXEMPT: "status-exempt",
    calc.NON_WORKING: "status-off",
    calc.NOT_REQUIRED: "status-off",
    calc.FUTURE: "status-future",
}

FLAG_LABELS = {
    # no_plan counts planned visits only (docs/domain, section 3): a plan
    # of follow-ups or appointments alone still raises it, so the label says "visit".
    calc.NO_PLAN: gettext_lazy("No visit planned"),
    calc.NO_TARGET: gettext_lazy("Visit target not named"),
    calc.NO_PREPARATION: gettext_lazy("Visits without preparation"),
    calc.LOW_VOLUME: gettext_lazy("Volume below standard"),
    calc.OVERDUE_NEXT_STEPS: gettext_lazy("Next steps overdue"),
    calc.NOT_FOLLOWED_UP: gettext_lazy("Customers not followed up"),
    calc.MISSED_YESTERDAY: gettext_lazy("Previous journal missing"),
}

ACHIEVEMENT_LABELS = {
    **{p.value: p.label for p in Purpose},
    Purpose.APPOINTMENT.value: gettext_lazy("Appointments"),
    "visits": gettext_lazy("All visits"),
    "follow_ups": gettext_lazy("All follow-ups"),
}


def status_class(status: str) -> str:
    """The CSS class that colours a submission status (see journals.css)."""
    return STATUS_CLASSES.get(status, "status-off")


def diff_labels() -> dict[str, str]:
    """Labels used when two journal versions are compared line by line, in the active
    language: field names, and ``purpose:<code>`` / ``outcome:<code>`` for coded values
    (see calculations.content_lines)."""
    return {
        **{f"purpose:{p.value}": str(p.label) for p in Purpose},
        **{f"outcome:{o.value}": str(o.label) for o in Visit.Outcome},
        "learning_topic": _("Learning topic"),
        "takeaways": _("My takeaways"),
        "summary": _("Daily summary"),
        "plan": _("Plan"),
        "visit": _("Visit"),
        "learned": _("Learned"),
        "agreed": _("Agreed"),
        "analysis": _("Analysis"),
        "next_step": _("Next step"),
        "next_step_date": _("Next step date"),
    }


def contact_counts(visits: list[Visit]) -> dict[str, int]:
    """How many of ``visits`` (a journal's records, already loaded) were in person and how
    many were phone calls, WeChat or e-mails: ``{"in_person": n, "remote": m}``. In-person
    ones are the day's visits; all of them are follow-ups (docs/domain, section 9, "Visits
    and follow-ups"). No queries."""
    in_person = sum(1 for v in visits if v.is_in_person)
    return {"in_person": in_person, "remote": len(visits) - in_person}
