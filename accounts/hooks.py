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


LeaverCount = Callable[[int], int]
LeaverHandover = Callable[..., int]
LeaverTeams = Callable[[int], set[int]]

_leaver_count: list[LeaverCount] = []
_leaver_handover: list[LeaverHandover] = []
_leaver_teams: list[LeaverTeams] = []


def register_leaver_handover(
    count: LeaverCount, handover: LeaverHandover, teams: LeaverTeams | None = None
) -> None:
    """Register how a higher layer counts and hands over what a leaver owns (customers
    does: ``count(user_id) -> customers owned`` and ``handover(*, scope, leaver,
    colleague, by, reason) -> customers moved``, colleague None meaning the public pool).
    Used by ``accounts.people.person_offboard``; registering twice is a no-op."""
    if count not in _leaver_count:
        _leaver_count.append(count)
    if handover not in _leaver_handover:
        _leaver_handover.append(handover)
    if teams is not None and teams not in _leaver_teams:
        _leaver_teams.append(teams)


def leaver_owned_teams(user_id: int) -> set[int]:
    """The teams of the records (customers) the person owns, over the providers that say
    (``teams(user_id) -> team ids``): whoever takes them over must be a rep there."""
    found: set[int] = set()
    for teams in _leaver_teams:
        found |= teams(user_id)
    return found


def leaver_owned_count(user_id: int) -> int:
    """How many records (customers) the person owns, summed over the providers; 0 when none
    is registered."""
    return sum(count(user_id) for count in _leaver_count)


def leaver_handover(
    *, scope: object, leaver: object, colleague: object, by: object, reason: str
) -> int:
    """Hand over what ``leaver`` owns to ``colleague`` (None: the public pool) through every
    registered provider; returns how many records moved. A provider's ValidationError or
    PermissionDenied propagates, so the caller's transaction rolls back."""
    return sum(
        handover(scope=scope, leaver=leaver, colleague=colleague, by=by, reason=reason)
        for handover in _leaver_handover
    )
