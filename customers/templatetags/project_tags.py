"""``{% team_projects team_id since %}``: the open big-account projects of a team with their
current control point, overdue flags and documents uploaded since a date, for the morning
and weekly meetings and the team weekly report (docs/domain, section 7). The pages that use
it have already checked that the viewer may see the team."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from accounts.scoping import local_today
from customers.projects import selectors

register = template.Library()


@register.inclusion_tag("customers/projects/_team_projects.html")
def team_projects(
    team_id: int, since: dt.date | None = None, overdue_only: bool = False
) -> dict[str, Any]:
    """The team's open projects (two queries); ``overdue_only`` keeps only those with an
    overdue control point (the morning meeting; one query, no documents), ``since`` lists
    documents uploaded on or after that local date (default: today)."""
    today = local_today()
    projects = selectors.team_projects(
        team_ids=[team_id], today=today, since=since or today, overdue_only=overdue_only
    )
    return {"projects": projects, "overdue_only": overdue_only, "since": since}
