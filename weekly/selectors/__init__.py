"""Reads for weekly reports and the weekly meeting (docs/domain, section 4), by purpose:

- ``weeks``: ISO week parsing, labels and choices;
- ``personal``: a personal report's figures, plan and achievement rows;
- ``listing``: scoped querysets for the lists and detail pages;
- ``team``: team members in a week, a leader's teams, the team table;
- ``weekly_meeting``: the weekly meeting.

The public names are re-exported here (``from weekly import selectors as sel``).
"""

from .listing import report_list, report_queryset, team_report_queryset
from .personal import (
    DASH,
    MONEY_METRICS,
    RATE_METRICS,
    WEEK_METRICS,
    FigureRow,
    achievement,
    figure_rows,
    figure_value,
    fmt,
    fmt_plan,
    live_figures,
    plan_number,
    plans_for,
    report_figures,
    team_week_figures,
    week_json,
    week_plan,
)
from .team import (
    TEAM_ROW_LABELS,
    TEAM_ROWS,
    TeamTable,
    leader_teams,
    snapshot_targets,
    targets_json,
    team_members,
    team_table,
    team_targets,
)
from .weekly_meeting import LOW_EFFECTIVE_RATE, Meeting, MeetingRep, journal_gaps, meeting
from .weeks import (
    current_period,
    meeting_default_period,
    parse_week,
    week_choices,
    week_label,
    week_period,
)

__all__ = [
    "DASH",
    "FigureRow",
    "LOW_EFFECTIVE_RATE",
    "MONEY_METRICS",
    "Meeting",
    "MeetingRep",
    "RATE_METRICS",
    "TEAM_ROWS",
    "TEAM_ROW_LABELS",
    "TeamTable",
    "WEEK_METRICS",
    "achievement",
    "current_period",
    "figure_rows",
    "figure_value",
    "fmt",
    "fmt_plan",
    "journal_gaps",
    "leader_teams",
    "live_figures",
    "meeting",
    "meeting_default_period",
    "parse_week",
    "plan_number",
    "plans_for",
    "report_figures",
    "report_list",
    "report_queryset",
    "snapshot_targets",
    "team_members",
    "team_report_queryset",
    "team_table",
    "team_targets",
    "targets_json",
    "team_week_figures",
    "week_choices",
    "week_json",
    "week_plan",
    "week_label",
    "week_period",
]
