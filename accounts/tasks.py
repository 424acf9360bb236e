"""Celery tasks of the accounts app: the nightly work calendar check."""

from __future__ import annotations

import logging

from celery import shared_task

from .calendar import calendar_cache, uncovered_years
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
