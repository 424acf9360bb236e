"""Journal pages, split by purpose (docs/architecture.md, journals): the rep's editor
(``journal``, ``visits``, ``picker``), reading (``detail``, ``listing``) and supervisor pages
(``team``). Views are thin: parse input, call a service or selector, render. Objects outside
the viewer's scope answer 404; visible but read-only ones answer 403 on write.
"""

from .chasing import journal_chase, mention_candidates
from .comments import comment_delete, comment_edit
from .contacts import contact_add
from .detail import (
    QUICK_COMMENTS,
    comment_add,
    journal_detail,
    journal_evaluate,
    journal_review,
)
from .follow_ups import calendar_feed, calendar_feed_manage, follow_ups
from .history import history_import_confirm, history_import_page
from .journal import (
    day_autosave,
    day_plan_add,
    day_submit,
    journal_amend,
    journal_autosave,
    journal_create,
    journal_edit,
    journal_submit,
    journal_work,
    plan_item_add,
    plan_item_remove,
    today,
)
from .listing import (
    calendar,
    export_month,
    journal_list,
)
from .meetings import (
    meeting_attendance_set,
    meeting_item_add,
    meeting_item_done,
    minutes_context,
    minutes_detail,
    minutes_export,
    minutes_post,
    minutes_save,
)
from .picker import (
    customer_create,
    customer_search,
)
from .team import (
    exemption_add,
    inbox,
    morning_meeting,
    submission_stats,
)
from .visits import (
    day_visit_add,
    visit_add,
    visit_case,
    visit_checkin,
    visit_delete,
    visit_edit,
    visit_from_plan,
    visit_photo,
)

__all__ = [
    "day_autosave",
    "day_plan_add",
    "day_submit",
    "day_visit_add",
    "comment_delete",
    "comment_edit",
    "contact_add",
    "history_import_confirm",
    "minutes_post",
    "meeting_attendance_set",
    "history_import_page",
    "meeting_item_add",
    "meeting_item_done",
    "minutes_context",
    "minutes_detail",
    "minutes_export",
    "minutes_save",
    "QUICK_COMMENTS",
    "calendar",
    "comment_add",
    "customer_create",
    "customer_search",
    "exemption_add",
    "export_month",
    "inbox",
    "journal_amend",
    "journal_chase",
    "calendar_feed",
    "calendar_feed_manage",
    "follow_ups",
    "mention_candidates",
    "journal_autosave",
    "journal_create",
    "journal_detail",
    "journal_edit",
    "journal_evaluate",
    "journal_list",
    "journal_review",
    "journal_submit",
    "journal_work",
    "morning_meeting",
    "plan_item_add",
    "plan_item_remove",
    "submission_stats",
    "today",
    "visit_add",
    "visit_case",
    "visit_checkin",
    "visit_photo",
    "visit_delete",
    "visit_edit",
    "visit_from_plan",
]
