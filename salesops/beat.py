"""Celery beat that runs once across machines.

Every machine may start beat (one systemd unit per machine, identical): each one takes a
Redis lock (``BEAT_LOCK_KEY``) before sending anything, renews it on every tick and lets
it expire when it stops, so exactly one beat schedules at a time and another takes over
within ``BEAT_LOCK_SECONDS`` after the holder dies. Every tick of the holder writes the
time to ``BEAT_LAST_TICK_KEY``, which ``/readyz`` reads. Without Redis (the embedded
broker of ``make run``, one machine by construction) no lock is taken.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger("salesops.beat")

BEAT_LOCK_KEY = "salesops:beat:lock"
BEAT_LAST_TICK_KEY = "salesops:beat:last_tick"
BEAT_LOCK_SECONDS = 60
"""How long the lock outlives its last renewal: a crashed beat is replaced after this."""
STANDBY_SLEEP = 5.0
"""How often (seconds) a beat without the lock tries to take it."""


def redis_client() -> Any:
    """A Redis client for ``settings.REDIS_URL`` with short timeouts (2 s), or None."""
    if not settings.REDIS_URL:
        return None
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)


def beat_last_tick() -> float | None:
    """Unix time of the lock holder's last tick, None if unknown (no Redis or never)."""
    client = redis_client()
    if client is None:
        return None
    value = client.get(BEAT_LAST_TICK_KEY)
    return float(value) if value else None


class LockedScheduler(PersistentScheduler):
    """PersistentScheduler that sends only while it holds the Redis lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._client = redis_client()
        self._lock: Any = None
        self._held = False

    def _hold_lock(self) -> bool:
        if self._client is None:
            return True
        from redis.exceptions import LockError, RedisError

        try:
            if self._lock is None:
                self._lock = self._client.lock(
                    BEAT_LOCK_KEY, timeout=BEAT_LOCK_SECONDS, thread_local=False
                )
            if self._held:
                try:
                    self._lock.reacquire()
                except LockError:
                    logger.warning("beat lock lost: standing by")
                    self._held = False
            if not self._held and self._lock.acquire(blocking=False):
                logger.info("beat lock taken: this beat schedules")
                self._held = True
            if self._held:
                self._client.set(BEAT_LAST_TICK_KEY, f"{time.time():.3f}")
        except RedisError as exc:
            logger.warning("beat lock: Redis unavailable (%s); not sending", exc)
            self._held = False
        return self._held

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """Send what is due while holding the lock; otherwise check again shortly."""
        if not self._hold_lock():
            return STANDBY_SLEEP
        interval = super().tick(*args, **kwargs)
        # Renew well before the lock expires, whatever the schedule's next entry.
        return min(interval, BEAT_LOCK_SECONDS / 4)

    def close(self) -> None:
        """Release the lock on a clean stop, so another beat takes over at once."""
        if self._held and self._lock is not None:
            from redis.exceptions import LockError, RedisError

            with contextlib.suppress(LockError, RedisError):
                self._lock.release()
            self._held = False
        super().close()
