"""The embedded broker's message files (salesops/broker.py): a worker polling the queue
folder while a message is being published never sees it half written, and a file it
cannot decode is skipped instead of stopping the worker (kombu's own filesystem channel
stopped the worker with "Unrecoverable error: JSONDecodeError", losing the message: the
cause of figures not refreshed within their window in ``bench/freshness.py``)."""

from __future__ import annotations

import os
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection
from kombu.transport import filesystem

from salesops import broker


def _channel(folder: Path, transport: Any) -> Any:
    connection = Connection(
        "filesystem://",
        transport=transport,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "store_processed": False,
            "control_folder": str(folder / "control"),
        },
    )
    return connection.default_channel


@pytest.fixture
def channel(tmp_path: Path) -> Any:
    return _channel(tmp_path, "salesops.broker:Transport")


def _empty_message_file(folder: Path) -> None:
    """What kombu's publisher leaves in the folder between opening a message file and
    writing it: a file with the message's name and no content."""
    (folder / "0_00000000-0000-0000-0000-000000000000.celery.msg").write_bytes(b"")


def test_the_embedded_settings_select_this_transport():
    source = Path(broker.__file__).with_name("settings.py").read_text()
    assert 'CELERY_BROKER_TRANSPORT = "salesops.broker:Transport"' in source


def test_a_poll_during_the_publish_sees_no_message_then_the_whole_message(
    channel, tmp_path, monkeypatch
):
    seen: list[object] = []
    real_replace = os.replace

    def replace_after_a_poll(src: str, dst: str) -> None:
        # The worker polls after the content is written but before the rename.
        try:
            seen.append(channel._get("celery"))
        except Empty:
            seen.append("empty")
        real_replace(src, dst)

    monkeypatch.setattr(broker.os, "replace", replace_after_a_poll)
    channel._put("celery", {"body": "x" * 10_000, "n": 1})
    assert seen == ["empty"]
    assert channel._get("celery") == {"body": "x" * 10_000, "n": 1}
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == []


def test_kombus_own_channel_stops_on_a_half_written_file(tmp_path):
    """The failure this module fixes (if kombu fixes it, the override can go)."""
    _empty_message_file(tmp_path)
    with pytest.raises(ValueError, match="Expecting value"):
        _channel(tmp_path, filesystem.Transport)._get("celery")


def test_an_unreadable_file_is_skipped_and_the_next_message_delivered(
    channel, tmp_path, monkeypatch
):
    logged: list[str] = []
    monkeypatch.setattr(broker.logger, "error", lambda message, *args: logged.append(message))
    _empty_message_file(tmp_path)
    channel._put("celery", {"n": 2})
    assert channel._get("celery") == {"n": 2}
    assert logged == ["Embedded broker: skipped an unreadable message file of %s"]
    with pytest.raises(Empty):
        channel._get("celery")


def test_a_failed_write_leaves_no_partial_file(channel, tmp_path, monkeypatch):
    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(broker.os, "replace", refuse)
    with pytest.raises(Exception, match="Cannot add file"):
        channel._put("celery", {"n": 3})
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == []
