"""Extension points that higher layers fill in from their ``AppConfig.ready()``
(docs/architecture.md, "Events and hooks").

accounts is the lowest layer, so pages here that show figures owned by a higher app
(a team member's open diagnosis findings) ask a registered provider instead of
importing that app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

MemberFindings = Callable[[int, dt.date], Mapping[int, Sequence[object]]]

_member_findings: list[MemberFindings] = []


def register_member_findings(provider: MemberFindings) -> None:
    """Register ``provider(team_id, day) -> {rep_id: [finding, ...]}`` (coaching does)."""
    if provider not in _member_findings:
        _member_findings.append(provider)


def member_findings(team_id: int, day: dt.date) -> dict[int, list[object]]:
    """The open findings per rep of team ``team_id`` for the month of ``day`` from every
    registered provider; {} when none is registered."""
    grouped: dict[int, list[object]] = {}
    for provider in _member_findings:
        for rep_id, rows in provider(team_id, day).items():
            grouped.setdefault(rep_id, []).extend(rows)
    return grouped


TeamPanel = Callable[[int, dt.date], str]

_team_panels: list[TeamPanel] = []


def register_team_panel(provider: TeamPanel) -> None:
    """Register ``provider(team_id, day) -> HTML`` shown on the team page to the team's
    leads (customers registers the team's projects with overdue control points)."""
    if provider not in _team_panels:
        _team_panels.append(provider)


def team_panels(team_id: int, day: dt.date) -> list[str]:
    """The HTML panels of every registered provider for team ``team_id`` (safe HTML, rendered
    by the provider's own template); [] when none is registered."""
    return [provider(team_id, day) for provider in _team_panels]
