"""Celery tasks of the accounts app: the nightly work calendar check, and delivery to team
channels (group robots) with retries."""

from __future__ import annotations

import logging

from celery import shared_task

from .calendar import calendar_cache, uncovered_years
from .delivery import delivery_attempt
from .scoping import local_today

logger = logging.getLogger(__name__)


@shared_task(name="accounts.calendar_check", time_limit=60, soft_time_limit=50)
def calendar_check() -> list[int]:
    """Nightly: log a warning for each year whose public holidays the work calendar does not
    know (this year, and from December 1st the coming one; ``accounts.calendar.
    uncovered_years``). Nothing fails: such a year counts Monday to Friday. Returns the years."""
    with calendar_cache():
        years = uncovered_years(local_today())
    for year in years:
        logger.warning(
            "Work calendar: the public holidays of %s are unknown (the chinesecalendar package "
            "does not cover it and no organisation day off is entered), so Monday to Friday "
            "count as work days. Update the package or enter the holidays (docs/deploy.md, "
            "Work calendar).",
            year,
        )
    return years


#: Attempts after the first before a delivery is marked failed; waits 10 s, 20 s, 40 s ...
DELIVERY_RETRIES = 5


@shared_task(
    bind=True,
    name="accounts.channel_deliver",
    max_retries=DELIVERY_RETRIES,
    time_limit=60,
    soft_time_limit=50,
)
def channel_deliver(self, delivery_id: int) -> str:
    """POST one channel delivery (``accounts.delivery.delivery_attempt``); on failure retry
    with exponential backoff (10 s doubling, at most 10 min), and after the last retry leave
    the delivery *failed* with its error for the supervisor's channel page. Returns the
    last problem ('' when sent)."""
    final = self.request.retries >= self.max_retries
    problem = delivery_attempt(delivery_id=delivery_id, final=final)
    if problem and not final:
        if self.request.is_eager:  # no broker (tests, one-off commands): retry at once
            return str(self.apply(args=[delivery_id], retries=self.request.retries + 1).result)
        raise self.retry(countdown=min(600, 10 * 2**self.request.retries))
    return problem
