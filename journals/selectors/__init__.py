"""Reads of the journals app, split by purpose (docs/architecture.md, journals): submission
``rules``, ``journal`` reads, the ``picker``, a ``team``'s day and the ``morning`` meeting.
"""

from .journal import (
    CUSTOMER_BUT_NAME,
    CalendarDay,
    ListFilters,
    journal_content,
    journal_get,
    journal_list,
    journal_neighbours,
    journal_queryset,
    next_step_days,
    plan_item_get,
    rep_calendar,
    visit_get,
    visits_by_others,
    with_counts,
)
from .meetings import MinutesView, minutes_view
from .morning import (
    FOLLOW_UP_DAYS,
    Meeting,
    MeetingRow,
    morning_meeting,
)
from .picker import (
    Suggestion,
    own_customers,
    picker_customers,
    plan_suggestions,
    visitable_customers,
)
from .rules import (
    EffectiveRule,
    deadline_of,
    effective_rule,
    effective_rules,
)
from .team import (
    INBOX_FILTERS,
    Inbox,
    MemberDay,
    StatsRow,
    inbox,
    pick_team,
    submission_stats,
    team_day,
    team_members,
    teams_for_leader,
)

__all__ = [
    "CUSTOMER_BUT_NAME",
    "next_step_days",
    "CalendarDay",
    "EffectiveRule",
    "FOLLOW_UP_DAYS",
    "INBOX_FILTERS",
    "Inbox",
    "ListFilters",
    "Meeting",
    "MeetingRow",
    "MemberDay",
    "MinutesView",
    "StatsRow",
    "Suggestion",
    "deadline_of",
    "effective_rule",
    "effective_rules",
    "inbox",
    "journal_content",
    "journal_get",
    "journal_list",
    "journal_neighbours",
    "visits_by_others",
    "journal_queryset",
    "minutes_view",
    "morning_meeting",
    "own_customers",
    "visitable_customers",
    "pick_team",
    "picker_customers",
    "plan_item_get",
    "plan_suggestions",
    "rep_calendar",
    "submission_stats",
    "team_day",
    "team_members",
    "teams_for_leader",
    "visit_get",
    "with_counts",
]
