"""The event seam: handlers run after commit, not after a rollback, and are isolated."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
from django.db import transaction

from salesops import events
from salesops.events import ActivityRecorded, SnapshotsChanged, publish, subscribe, unsubscribe

EVENT = ActivityRecorded(user_id=1, team_id=2, day=dt.date(2026, 3, 10))


@pytest.fixture
def seen() -> Iterator[list[object]]:
    got: list[object] = []

    def handler(event: ActivityRecorded) -> None:
        got.append(event)

    subscribe(ActivityRecorded, handler)
    yield got
    unsubscribe(ActivityRecorded, handler)


@pytest.mark.django_db(transaction=True)
def test_publish_inside_atomic_runs_after_commit(seen):
    with transaction.atomic():
        publish(EVENT)
        assert seen == []
    assert seen == [EVENT]


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_runs_at_once(seen):
    publish(EVENT)
    assert seen == [EVENT]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_runs_no_handler(seen):
    with transaction.atomic():
        publish(EVENT)
        transaction.set_rollback(True)
    assert seen == []


@pytest.mark.django_db(transaction=True)
def test_failing_handler_is_logged_and_the_others_still_run(caplog):
    got: list[object] = []

    def broken(event: ActivityRecorded) -> None:
        raise ValueError("boom")

    def fine(event: ActivityRecorded) -> None:
        got.append(event)

    subscribe(ActivityRecorded, broken)
    subscribe(ActivityRecorded, fine)
    try:
        with caplog.at_level(logging.ERROR, logger="salesops.events"), transaction.atomic():
            publish(EVENT)
    finally:
        unsubscribe(ActivityRecorded, broken)
        unsubscribe(ActivityRecorded, fine)
    assert got == [EVENT]
    assert "boom" in caplog.text


def test_events_are_frozen_and_subscribing_twice_is_one_handler():
    with pytest.raises(AttributeError):
        EVENT.day = dt.date(2026, 1, 1)  # type: ignore[misc]

    def handler(event: SnapshotsChanged) -> None:
        pass

    subscribe(SnapshotsChanged, handler)
    subscribe(SnapshotsChanged, handler)
    try:
        assert events.handlers_for(SnapshotsChanged).count(handler) == 1
    finally:
        unsubscribe(SnapshotsChanged, handler)


def test_apps_subscribe_in_ready():
    from coaching.tasks import diagnose_after_snapshots
    from kpi import services

    assert services.on_customer_changed in events.handlers_for(events.CustomerChanged)
    assert services.on_activity_recorded in events.handlers_for(events.ActivityRecorded)
    assert services.on_import_completed in events.handlers_for(events.ImportCompleted)
    assert diagnose_after_snapshots in events.handlers_for(SnapshotsChanged)
