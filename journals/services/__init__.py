"""Writes for daily work journals (docs/domain, journals), split by purpose:
``permissions`` checks, ``journal`` workflow, ``visits``, ``comments`` and ``reminders``.

Checks come first (``..._check_can_...`` raise PermissionDenied, which views answer
with 403); the journal must already have been fetched through a restricted queryset,
so objects outside the viewer's scope never get here (404 in the view).

A visit that advances a customer's stage changes it only through
``customers.services.customer_change_stage``, so the stage history records it once.
"""

from domain.mentions import MENTION, mentioned_usernames

from .chasing import (
    OWES,
    journal_chase,
    journal_mark_read,
    journal_owed,
    journal_reminders_before_deadline,
)
from .comments import (
    comment_add,
    journal_comment_delete,
    journal_comment_edit,
    journal_evaluate,
    journal_review,
    mention_candidates,
    settings_site_url,
)
from .escalation import follow_ups_escalate
from .feeds import (
    calendar_feed_ics,
    calendar_feed_revoke,
    calendar_feed_rotate,
    calendar_feed_user,
)
from .follow_ups import follow_ups_due_send, next_steps_open
from .journal import (
    journal_amend,
    journal_get_or_create_today,
    journal_of_day,
    journal_submit,
    journal_update_text,
    plan_item_add,
    plan_item_remove,
)
from .meeting_post import (
    meeting_attendance,
    meeting_mark_absent,
    meeting_summary_text,
    minutes_post,
)
from .meetings import (
    action_item_add,
    action_item_set_done,
    meeting_check_can_run,
    meeting_owner_choices,
    minutes_get_or_create,
    minutes_save_notes,
)
from .permissions import (
    journal_check_can_amend,
    journal_check_can_comment,
    journal_check_can_create,
    journal_check_can_edit,
    journal_check_can_review,
    visit_check_can_mark_case,
)
from .reminders import (
    exemption_add,
    journal_digest_send,
    journal_reminders_send,
    stage_label,
)
from .visits import (
    CheckIn,
    one_year_after,
    visit_channel_check,
    visit_checkin,
    visit_delete,
    visit_from_plan,
    visit_mark_case,
    visit_record,
    visit_relation_check,
    visit_update,
)

__all__ = [
    "follow_ups_escalate",
    "journal_comment_delete",
    "journal_comment_edit",
    "meeting_attendance",
    "meeting_mark_absent",
    "meeting_summary_text",
    "minutes_post",
    "action_item_add",
    "action_item_set_done",
    "meeting_check_can_run",
    "meeting_owner_choices",
    "minutes_get_or_create",
    "minutes_save_notes",
    "CheckIn",
    "MENTION",
    "calendar_feed_ics",
    "calendar_feed_revoke",
    "calendar_feed_rotate",
    "calendar_feed_user",
    "follow_ups_due_send",
    "next_steps_open",
    "OWES",
    "comment_add",
    "exemption_add",
    "journal_amend",
    "journal_check_can_amend",
    "journal_check_can_comment",
    "journal_check_can_create",
    "journal_check_can_edit",
    "journal_check_can_review",
    "journal_digest_send",
    "journal_evaluate",
    "journal_get_or_create_today",
    "journal_of_day",
    "journal_reminders_send",
    "journal_review",
    "journal_submit",
    "journal_update_text",
    "mention_candidates",
    "mentioned_usernames",
    "journal_chase",
    "journal_mark_read",
    "journal_owed",
    "journal_reminders_before_deadline",
    "one_year_after",
    "plan_item_add",
    "plan_item_remove",
    "settings_site_url",
    "stage_label",
    "visit_check_can_mark_case",
    "visit_checkin",
    "visit_delete",
    "visit_from_plan",
    "visit_mark_case",
    "visit_record",
    "visit_channel_check",
    "visit_relation_check",
    "visit_update",
]
