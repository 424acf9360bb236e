"""The embedded broker (``make run``): kombu's filesystem transport, made safe against a
consumer reading a message file before it is written.

kombu's filesystem channel publishes by opening ``<time>_<uuid>.<queue>.msg`` in the queue
folder and then writing the message into it, while the worker polls that folder ten times a
second (settings, "Celery") and takes any file with that name pattern. A poll that falls
between the open and the write moves the still empty file away and fails to decode it; the
worker stops with "Unrecoverable error: JSONDecodeError" (the message is lost with it), and
every figure stays stale until someone restarts ``make run``. The window is short, but a
busy machine deschedules the publisher inside it now and then (docs/architecture.md,
"Background work": the branch's figures were once not fresh within 30 s).

:class:`Channel` writes each message under a name the consumer ignores and renames it into
place (``os.replace``: atomic within one folder), so a message file is either absent or
complete. A file that still cannot be decoded (written by another program, or by an older
version of this code) is logged and skipped instead of stopping the worker.

Selected by ``CELERY_BROKER_TRANSPORT`` in the embedded setup only (salesops/settings.py);
Redis is unaffected. Pinned by salesops/tests/test_broker.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".partial"
"""Suffix of a message file being written. kombu's consumer takes only names whose part
after the first dot is ``<queue>.msg``, so ``<name>.partial`` is never taken."""


class Channel(filesystem.Channel):
    """kombu's filesystem channel with atomic message files (see the module docstring)."""

    def _put(self, queue: Any, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Write ``message`` (a kombu message dict) as one complete file of ``queue``:
        serialised first, written under a ``.partial`` name, then renamed into the queue
        folder. Raises kombu's ChannelError when the folder cannot be written."""
        body = str_to_bytes(dumps(message))
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb", buffering=0) as out:
                out.write(body)
            os.replace(partial, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: Any, timeout: Any = None) -> Any:
        """The next message of ``queue`` (kombu's order: oldest file name first); a file
        that is not a message is logged and skipped. Raises ``Empty`` when none is left."""
        while True:
            try:
                return super()._get(queue)
            except ValueError:
                # kombu removed the file before decoding it: the next call moves on.
                logger.error("Embedded broker: skipped an unreadable message file of %s", queue)


class Transport(filesystem.Transport):
    """kombu's filesystem transport with :class:`Channel`."""

    Channel = Channel
