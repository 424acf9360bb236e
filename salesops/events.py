"""The event seam between the apps (docs/architecture.md, "Events").

A lower layer announces what happened by publishing a small frozen event; higher layers
subscribe in their ``AppConfig.ready()``. This keeps imports pointing down the layers
(accounts < customers < journals < kpi < weekly, coaching) without Django signals.

``publish`` runs each handler after the current transaction commits (immediately when no
transaction is open, like ``transaction.on_commit``); a rolled-back transaction runs
none. Handlers are isolated: an exception is logged and does not reach the caller or
stop the other handlers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActivityRecorded:
    """A person's daily activity (a submitted journal) was recorded."""

    user_id: int
    team_id: int | None
    day: dt.date


@dataclass(frozen=True)
class CustomerChanged:
    """A customer changed in a way figures depend on (``reason``: 'stage', ...)."""

    customer_id: int
    team_ids: tuple[int, ...]
    when: dt.datetime
    reason: str


@dataclass(frozen=True)
class ImportCompleted:
    """An import job finished and wrote rows; ``days``: the local days of the dated rows
    it wrote (stage changes, revenue months), whose periods figures must recompute too."""

    job_id: int
    team_id: int | None = None
    days: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class HistoryImported:
    """Dated history (visits, follow-ups, stage changes) from another CRM was written:
    figures of these (team id, local day) pairs changed, often in past periods."""

    team_days: tuple[tuple[int, dt.date], ...]


@dataclass(frozen=True)
class TargetsChanged:
    """Targets of these teams changed, for these months (first days; empty: the current
    month)."""

    team_ids: tuple[int, ...]
    months: tuple[dt.date, ...] = ()


@dataclass(frozen=True)
class SharedInputsChanged:
    """Something every team's figures read changed (a billing month closed or reopened,
    an organisation setting such as ``new_revenue_months``): the figures of every team for
    the month and ISO week of ``day``."""

    day: dt.date
    reason: str


@dataclass(frozen=True)
class MembershipChanged:
    """A person's team memberships changed."""

    user_id: int
    team_ids: tuple[int, ...]


@dataclass(frozen=True)
class SnapshotsChanged:
    """KPI snapshots of these teams were recomputed for these periods ('2026-10', ...)."""

    team_ids: tuple[int, ...]
    periods: tuple[str, ...]


Event = (
    ActivityRecorded
    | CustomerChanged
    | ImportCompleted
    | HistoryImported
    | TargetsChanged
    | SharedInputsChanged
    | MembershipChanged
    | SnapshotsChanged
)
E = TypeVar("E")
Handler = Callable[[E], object]

# Handlers of different event types share one table; subscribe() ties each list to its type.
_handlers: dict[type, list[Callable[[Any], object]]] = {}


def subscribe(event_type: type[E], handler: Callable[[E], object]) -> None:
    """Run ``handler(event)`` for every published event of ``event_type``.

    Registered from an ``AppConfig.ready()``; subscribing the same handler twice is a
    no-op (ready() may run more than once in tests)."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], object]) -> None:
    """Remove ``handler`` (tests)."""
    handlers = _handlers.get(event_type, [])
    if handler in handlers:
        handlers.remove(handler)


def handlers_for(event_type: type) -> list[Callable[[Any], object]]:
    """The handlers subscribed to ``event_type`` (a copy)."""
    return list(_handlers.get(event_type, []))


def publish(event: object, *, using: str | None = None) -> None:
    """Deliver ``event`` to its subscribers after the current transaction commits."""
    for handler in handlers_for(type(event)):
        transaction.on_commit(_isolated(handler, event), using=using)


def _isolated(handler: Callable[[Any], object], event: object) -> Callable[[], None]:
    def run() -> None:
        try:
            handler(event)
        except Exception:
            logger.exception(
                "Event handler %s failed for %r",
                getattr(handler, "__qualname__", handler),
                event,
            )

    return run
