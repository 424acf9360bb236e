"""Periods (local months and ISO weeks) and scopes (rep, team, branch) of the KPIs.

Periods are the domain's (``domain.periods``, one implementation): re-exported here under
the names the engine and its callers use. Scopes are the engine's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from domain.periods import (
    Period,
    iso_week_period,
    month_period,
    parse_period,
    period_of,
    weeks_in_iso_year,
)

__all__ = [
    "Period",
    "Scope",
    "as_scope",
    "iso_week_period",
    "month_period",
    "parse_period",
    "period_of",
    "weeks_in_iso_year",
]


# --------------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class Scope:
    """Who the figures are for: a rep (user id), a team (unit id) or a branch.

    A branch is the set of its team ids; ``id`` (the branch unit id) is optional and only
    used to look up the branch's own targets.
    """

    kind: str
    id: int | None = None
    team_ids: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.kind not in ("rep", "team", "branch"):
            raise ValueError(f"Unknown scope kind {self.kind!r}")
        if self.kind != "branch" and self.id is None:
            raise ValueError(f"A {self.kind} scope needs an id")
        if (self.id is not None and self.id < 0) or any(t < 0 for t in self.team_ids):
            raise ValueError("Scope ids are not negative")

    @classmethod
    def rep(cls, user_id: int) -> Scope:
        return cls("rep", int(user_id))

    @classmethod
    def team(cls, team_id: int) -> Scope:
        return cls("team", int(team_id))

    @classmethod
    def branch(cls, team_ids: Iterable[int], branch_id: int | None = None) -> Scope:
        return cls("branch", branch_id, frozenset(int(t) for t in team_ids))

    @property
    def key(self) -> str:
        """'rep:5', 'team:7', 'branch:3' or, without an id, 'branch:7+8'."""
        if self.kind == "branch" and self.id is None:
            return "branch:" + "+".join(str(t) for t in sorted(self.team_ids))
        return f"{self.kind}:{self.id}"

    def __str__(self) -> str:
        return self.key


def as_scope(value: Scope | tuple[Any, ...]) -> Scope:
    """Accept a Scope or a tuple ('rep', id) | ('team', id) | ('branch', team_ids)
    | ('branch', branch_id, team_ids). Raises ValueError otherwise."""
    if isinstance(value, Scope):
        return value
    if not isinstance(value, tuple) or len(value) not in (2, 3):
        raise ValueError(f"Not a scope: {value!r}")
    kind = value[0]
    if kind == "branch":
        if len(value) == 3:
            return Scope.branch(value[2], value[1])
        return Scope.branch(value[1])
    if kind in ("rep", "team") and len(value) == 2:
        return Scope(kind, int(value[1]))
    raise ValueError(f"Not a scope: {value!r}")
