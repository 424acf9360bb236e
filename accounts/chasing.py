"""Chases (催交): recording each reminder to someone who owes a journal or a weekly report,
and reading them back for the pages. Who owes what is decided by the app that owns the
document (``journals/services/chasing.py``, ``weekly/chasing.py``); this module only keeps
the record, so both share one table and one display."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import Chase, OrgUnit, User


def chase_record(
    *, kind: str, period: dt.date, user: User, team: OrgUnit, by: User | None
) -> Chase:
    """Store one chase (``by`` None: the automatic reminder before the deadline)."""
    return Chase.objects.create(kind=kind, period=period, user=user, team=team, by=by)


def chases_of(*, kind: str, team_id: int, period: dt.date) -> QuerySet[Chase]:
    """The chases of one team's day (journals) or week (weekly reports), newest first,
    with the chased person and the sender loaded (one query)."""
    return Chase.objects.filter(kind=kind, team_id=team_id, period=period).select_related(
        "user", "by"
    )


def chases_by_user(*, kind: str, team_id: int, period: dt.date) -> dict[int, list[Chase]]:
    """:func:`chases_of` grouped by the chased person's id (newest first in each list)."""
    out: dict[int, list[Chase]] = {}
    for chase in chases_of(kind=kind, team_id=team_id, period=period):
        out.setdefault(chase.user_id, []).append(chase)
    return out
