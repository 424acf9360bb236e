"""Scheduled work in the embedded default (``make run``): beat's scheduler
(settings.CELERY_BEAT_SCHEDULER, without Redis so without a lock) sends the journal
reminders through kombu's filesystem broker when their time comes, and the message it
leaves runs the reminder task. ``bench/freshness.py`` checks the same path end to end
with a real worker and beat process."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

import journals.tasks  # noqa: F401 - registers the reminder tasks
from salesops.beat import LockedScheduler
from salesops.celery import app
from salesops.tests.brokers import broker


def _messages(folder: Path) -> list[dict[str, object]]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("*.msg"))]


@pytest.mark.django_db
@pytest.mark.parametrize("entry_name", ["journals-remind-missing", "journals-supervisor-digest"])
def test_beat_sends_the_reminders_through_the_embedded_broker(tmp_path, settings, entry_name):
    queue, processed = tmp_path / "queue", tmp_path / "processed"
    queue.mkdir()
    processed.mkdir()
    saved = app.conf.broker_transport_options
    with broker("filesystem://", settings):
        app.conf.broker_transport_options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "store_processed": False,
            "control_folder": str(tmp_path / "control"),
        }
        try:
            scheduler = LockedScheduler(app=app, schedule_filename=str(tmp_path / "schedule"))
            try:
                entry = scheduler.schedule[entry_name]
                assert not entry.is_due()[0] or entry.last_run_at is not None
                # Its last run was a day ago: its local time (16:00-23:30 or 08:00) has
                # come since, so beat must send it now.
                entry.last_run_at = app.now() - dt.timedelta(days=1)
                assert entry.is_due()[0]
                scheduler.apply_entry(entry, producer=scheduler.producer)
            finally:
                scheduler.close()
        finally:
            app.conf.broker_transport_options = saved
    sent = _messages(queue)
    assert len(sent) == 1
    headers = sent[0]["headers"]
    assert isinstance(headers, dict)
    assert headers["task"] == entry.task
    # The message is one the worker runs: the registered task with the sent arguments.
    assert app.tasks[entry.task].apply(args=entry.args, kwargs=entry.kwargs).successful()
