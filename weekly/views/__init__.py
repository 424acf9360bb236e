"""Weekly report pages (docs/domain, section 4), by purpose:

- ``personal``: the rep's personal report (current week, edit, submit, amend, key customers);
- ``listing``: the report list and detail with review and comments;
- ``team``: the team report (小组活动统计) with key customers and key coachees;
- ``weekly_meeting``: the weekly meeting (周例会);
- ``exports``: .xlsx exports.

Views are thin: parse input, call a service or selector, render. Objects outside the
viewer's scope answer 404; visible but read-only ones answer 403 on write. ``weekly/urls.py``
points at the modules; the views are re-exported here.
"""

from .exports import report_export, team_report_export
from .listing import report_comment, report_detail, report_list, report_review
from .personal import (
    key_customer_add,
    key_customer_remove,
    report_amend,
    report_current,
    report_edit,
    report_submit,
)
from .team import (
    key_coachee_add,
    key_coachee_edit,
    key_coachee_remove,
    team_key_customer_add,
    team_key_customer_remove,
    team_report,
    team_report_comment,
    team_report_reopen,
    team_report_review,
)
from .weekly_meeting import meeting

__all__ = [
    "key_coachee_add",
    "key_coachee_edit",
    "key_coachee_remove",
    "key_customer_add",
    "key_customer_remove",
    "meeting",
    "report_amend",
    "report_comment",
    "report_current",
    "report_detail",
    "report_edit",
    "report_export",
    "report_list",
    "report_review",
    "report_submit",
    "team_key_customer_add",
    "team_key_customer_remove",
    "team_report",
    "team_report_comment",
    "team_report_export",
    "team_report_reopen",
    "team_report_review",
]
